-- Trace versions (issue 12, point 5): a late event opens a new version of a completed trace. A trace counts once, by
-- its latest analysed version: an older summary of the same (project, theme, trace) is marked superseded when the newer
-- one is stored, in the same transaction, so lists and counts filter on a column of the row itself (a NOT EXISTS over
-- analyses per listed row made a 50,000-summary theme page never load).

-- The trace version whose summary replaced this one; NULL while this summary is the one that counts.
ALTER TABLE analyses ADD COLUMN superseded_by_version integer;

-- Summaries lists (newest first, by project, optionally by theme) read only the summaries that count.
CREATE INDEX analyses_current_idx ON analyses (project_id, completed_at, id)
    WHERE status = 'done' AND superseded_by_version IS NULL;

-- Summaries stored before this migration: an older version of a trace with a newer analysed one is superseded.
UPDATE analyses a SET superseded_by_version = n.latest
  FROM (SELECT project_id, theme_id, trace_id, max(trace_version) AS latest FROM analyses WHERE status = 'done'
         GROUP BY project_id, theme_id, trace_id HAVING count(DISTINCT trace_version) > 1) n
 WHERE a.project_id = n.project_id AND a.theme_id = n.theme_id AND a.trace_id = n.trace_id AND a.trace_version < n.latest;

-- The distinct event names that arrived since the previous version completed (NULL for a first version, or for
-- versions completed before this migration): which themes a new version is analysed again by depends on them.
ALTER TABLE traces ADD COLUMN version_events text[];
-- How many events the last completed version had (event_count goes on counting the events that reopen the trace): an
-- event whose insert started before that completion but committed after it is new to the next version all the same,
-- though it was received before; the count shows it, and the version is then treated as bringing anything.
ALTER TABLE traces ADD COLUMN completed_events integer;
