-- Theme runs (scheduled or started by hand), fair claiming across themes, and per-project LLM settings.

-- The claim takes queued work in turns per (project, theme): this index serves both the skip scan over the queued
-- themes and each theme's oldest due tasks.
CREATE INDEX analyses_theme_queue_idx ON analyses (project_id, theme_id, next_attempt_at, id) WHERE status IN ('queued', 'running');

-- The run that queued an analysis (null: streaming dispatch). Runs count their progress from these.
ALTER TABLE analyses ADD COLUMN run_id bigint;
CREATE INDEX analyses_run_idx ON analyses (run_id) WHERE run_id IS NOT NULL;

CREATE TABLE runs (
    id                bigserial PRIMARY KEY,
    project_id        text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    theme_id          text NOT NULL,
    trigger           text NOT NULL CHECK (trigger IN ('manual', 'schedule')),
    status            text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
    window_from       timestamptz NOT NULL,
    window_to         timestamptz NOT NULL,
    prompt_version    integer NOT NULL,
    traces_in_range   bigint NOT NULL,
    matched           bigint NOT NULL,
    sampled           bigint NOT NULL,
    -- Analyses this run queued; NULL until they are queued (a run interrupted before that is failed at restart).
    queued            bigint,
    analysed          bigint NOT NULL DEFAULT 0,
    relevant          bigint NOT NULL DEFAULT 0,
    failed            bigint NOT NULL DEFAULT 0,
    input_tokens      bigint NOT NULL DEFAULT 0,
    output_tokens     bigint NOT NULL DEFAULT 0,
    cost_usd          double precision NOT NULL DEFAULT 0,
    error             text,
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz
);
CREATE INDEX runs_project_idx ON runs (project_id, started_at DESC);
CREATE INDEX runs_active_idx ON runs (status) WHERE status = 'running';
-- At most one run of a theme at a time.
CREATE UNIQUE INDEX runs_one_active_idx ON runs (project_id, theme_id) WHERE status = 'running';
