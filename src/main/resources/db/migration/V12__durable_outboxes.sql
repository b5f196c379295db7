-- The embed sweep pages through relevant summaries oldest first, by (completion time, id), to find those without a
-- vector (a failed embedding batch, a crash between analysis and embedding); this index keeps each page a range read.
CREATE INDEX analyses_relevant_done_idx ON analyses (completed_at, id) WHERE status = 'done' AND theme_relevant;

-- PostHog forwarding is an outbox over the analyses themselves: this row is how far (completion time, id) summaries
-- were delivered. Forwarding reads the next page after it, sends it and only then moves it, so a PostHog outage or a
-- crash delays summaries but loses none (PostHog deduplicates a page sent twice by the events' uuids).
CREATE TABLE posthog_forwarding (
    id          integer PRIMARY KEY CHECK (id = 1),
    after_time  timestamptz NOT NULL,
    after_id    bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Forwarding pages through every finished analysis, relevant or not.
CREATE INDEX analyses_done_idx ON analyses (completed_at, id) WHERE status = 'done';
