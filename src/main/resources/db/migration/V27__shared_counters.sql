-- Counters instances share without Redis: a provider's requests and tokens of a minute, a project's LLM spend of a UTC
-- day (micro-dollars). Keys name their window; a row is dead once expires_at passed and is deleted now and then.
CREATE TABLE shared_counters (
    key         text PRIMARY KEY,
    value       bigint NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX shared_counters_expires_idx ON shared_counters (expires_at);
