-- Cluster pages (issue 15). The trace page asks which cluster a trace is in, in every theme: members by trace.
CREATE INDEX cluster_members_trace_idx ON cluster_members (project_id, trace_id);
-- A cluster page shows renames in its lineage: each run's snapshot keeps the name the cluster had after it.
ALTER TABLE cluster_snapshots ADD COLUMN title text;
ALTER TABLE cluster_snapshots ADD COLUMN renamed boolean NOT NULL DEFAULT false;
