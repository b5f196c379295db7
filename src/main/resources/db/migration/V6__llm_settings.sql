-- Which provider and model analyse a project's traces, and how much it may spend per day; a theme may override both.

CREATE TABLE llm_settings (
    project_id        text PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    provider          text,
    model             text,
    daily_budget_usd  double precision CHECK (daily_budget_usd IS NULL OR daily_budget_usd >= 0),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- {"provider": "...", "model": "..."}: either may be absent (the project's choice applies).
ALTER TABLE themes ADD COLUMN llm jsonb NOT NULL DEFAULT '{}';

-- Today's spend per project: the budget check sums finished analyses since midnight UTC.
CREATE INDEX analyses_spend_idx ON analyses (project_id, completed_at) WHERE status = 'done';
