-- A cluster that had retired on its own and whose problem came back takes its id back (issue 14: a comeback keeps its
-- links, name, alert state and tracker issue); its snapshot records the lineage event RETURNED.
ALTER TABLE cluster_snapshots DROP CONSTRAINT IF EXISTS cluster_snapshots_event_check;
ALTER TABLE cluster_snapshots ADD CONSTRAINT cluster_snapshots_event_check
    CHECK (event IN ('NEW', 'SAME', 'GROWN', 'SHRUNK', 'MERGED', 'SPLIT', 'RETIRED', 'RETURNED'));
-- Ended clusters are looked up per theme for comebacks, most recently ended first.
CREATE INDEX clusters_ended_idx ON clusters (project_id, theme_id, updated_at DESC) WHERE status = 'retired' AND retired_into IS NULL;
