-- Analysis themes: per project, with versioned prompts so results keep the prompt they were produced with.

ALTER TABLE projects ADD COLUMN base_filters jsonb NOT NULL DEFAULT '[]';

-- Characters of a trace's event properties as stored: lets a theme preview estimate prompt sizes without rendering.
ALTER TABLE traces ADD COLUMN content_chars bigint NOT NULL DEFAULT 0;

CREATE TABLE themes (
    project_id         text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    theme_id           text NOT NULL,
    name               text NOT NULL,
    description        text NOT NULL DEFAULT '',
    base_filters       jsonb NOT NULL DEFAULT '[]',
    theme_filters      jsonb NOT NULL DEFAULT '[]',
    sample_rate        double precision NOT NULL DEFAULT 1 CHECK (sample_rate >= 0 AND sample_rate <= 1),
    sample_seed        text NOT NULL,
    prompt_version     integer NOT NULL DEFAULT 1,
    date_range         jsonb NOT NULL DEFAULT '{}',
    clustering_config  jsonb NOT NULL DEFAULT '{}',
    schedule           jsonb NOT NULL DEFAULT '{"type": "interval", "minutes": 10}',
    enabled            boolean NOT NULL DEFAULT true,
    built_in           boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, theme_id)
);

CREATE TABLE theme_prompts (
    project_id  text NOT NULL,
    theme_id    text NOT NULL,
    version     integer NOT NULL,
    prompt      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, theme_id, version),
    FOREIGN KEY (project_id, theme_id) REFERENCES themes (project_id, theme_id) ON DELETE CASCADE
);
