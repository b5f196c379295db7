-- Theme runs (scheduled or started by hand), fair claiming across themes, and per-project LLM settings.

-- The claim takes queued work in turns per (project, theme): this index serves both the skip scan over the queued
-- themes and each theme's oldest due tasks.
CREATE INDEX analyses_theme_queue_idx ON analyses (project_id, theme_id, next_attempt_at, id) WHERE status IN ('queued', 'running');
