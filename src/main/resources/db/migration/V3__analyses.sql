-- Durable LLM work: one row per project / theme / trace / trace version / prompt version. Claimed with
-- FOR UPDATE SKIP LOCKED and a lease, so instances share the queue, a crash loses nothing, and a finished analysis is
-- never sent to a provider again.

CREATE TABLE analyses (
    id               bigserial PRIMARY KEY,
    project_id       text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    theme_id         text NOT NULL,
    trace_id         text NOT NULL,
    trace_version    integer NOT NULL,
    prompt_version   integer NOT NULL,
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    leased_by        text,
    provider         text,
    model            text,
    theme_relevant   boolean,
    title            text,
    summary          text,
    severity         text,
    input_tokens     bigint,
    output_tokens    bigint,
    cost_usd         double precision,
    latency_ms       bigint,
    last_error       text,
    -- The model's last unusable reply, kept for inspection when a task is dead-lettered.
    raw_reply        text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    UNIQUE (project_id, theme_id, trace_id, trace_version, prompt_version)
);
CREATE INDEX analyses_due_idx ON analyses (next_attempt_at) WHERE status IN ('queued', 'running');
CREATE INDEX analyses_trace_idx ON analyses (project_id, trace_id);
