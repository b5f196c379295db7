-- The embed sweep pages through relevant summaries oldest first, by (completion time, id), to find those without a
-- vector (a failed embedding batch, a crash between analysis and embedding); this index keeps each page a range read.
CREATE INDEX analyses_relevant_done_idx ON analyses (completed_at, id) WHERE status = 'done' AND theme_relevant;
