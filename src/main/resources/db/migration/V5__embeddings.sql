-- Vectors of relevant theme summaries, one per project / theme / trace / trace version / model. The namespace
-- (llm_traces_summary_{theme_id}) scopes similarity: vectors of different themes or models are never compared.
-- Loaded into memory at startup; similarity search runs there, not in SQL.

CREATE TABLE embeddings (
    id              bigserial PRIMARY KEY,
    project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    namespace       text NOT NULL,
    theme_id        text NOT NULL,
    trace_id        text NOT NULL,
    trace_version   integer NOT NULL,
    prompt_version  integer NOT NULL,
    model           text NOT NULL,
    -- SHA-256 of the embedded text (title, newline, summary): a replay of the same summary changes nothing.
    text_hash       text NOT NULL,
    vector          real[] NOT NULL CHECK (cardinality(vector) > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, theme_id, trace_id, trace_version, model)
);
-- Startup reloads one model's vectors in id order.
CREATE INDEX embeddings_model_idx ON embeddings (model, id);
