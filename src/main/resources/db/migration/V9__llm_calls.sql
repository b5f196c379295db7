-- Paid model calls that are not analyses (cluster names): counted in a project's daily spend like analyses, so a
-- budget holds across restarts and instances, not only in one process's memory.

CREATE TABLE llm_calls (
    id             bigserial PRIMARY KEY,
    project_id     text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    purpose        text NOT NULL,
    provider       text NOT NULL,
    model          text NOT NULL,
    input_tokens   bigint NOT NULL DEFAULT 0,
    output_tokens  bigint NOT NULL DEFAULT 0,
    cost_usd       double precision NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX llm_calls_spend_idx ON llm_calls (project_id, created_at);
