-- The offline relevance model's score of each trace version for each built-in user-language theme (issue 13.2),
-- computed once when the version is formatted. Theme filters read it as trace.relevance.<theme_id>; a version
-- without a row reads 1 (never filtered out for want of a score).
CREATE TABLE trace_relevance (
    project_id    text NOT NULL,
    trace_id      text NOT NULL,
    trace_version integer NOT NULL,
    theme_id      text NOT NULL,
    score         double precision NOT NULL CHECK (score >= 0 AND score <= 1),
    scored_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, trace_id, trace_version, theme_id),
    FOREIGN KEY (project_id, trace_id) REFERENCES traces (project_id, trace_id) ON DELETE CASCADE
);
