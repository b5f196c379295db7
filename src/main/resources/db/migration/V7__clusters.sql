-- Clusters of a theme's summary embeddings (issue 6). Cluster ids are stable across re-clusterings (the matcher
-- carries them over), so links, names and alert state survive; retired clusters stay for lineage and old links.

CREATE TABLE cluster_runs (
    id            bigserial PRIMARY KEY,
    project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    theme_id      text NOT NULL,
    items         integer NOT NULL,
    clusters      integer NOT NULL,
    outliers      integer NOT NULL,
    renamed       integer NOT NULL,
    -- {"NEW": 2, "GROWN": 3, ...}
    lineage       jsonb NOT NULL,
    elapsed_ms    bigint NOT NULL,
    detail        text,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cluster_runs_theme_idx ON cluster_runs (project_id, theme_id, id DESC);

CREATE TABLE clusters (
    project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    cluster_id    text NOT NULL,
    theme_id      text NOT NULL,
    title         text,
    description   text,
    size          integer NOT NULL DEFAULT 0,
    centroid      real[] NOT NULL,
    x             double precision NOT NULL DEFAULT 0,
    y             double precision NOT NULL DEFAULT 0,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    -- For a retired cluster: the cluster that absorbed it, if any.
    retired_into  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    named_at      timestamptz,
    -- Hash of the sorted member trace ids when last named: a name is made again only on a material change.
    named_members text,
    PRIMARY KEY (project_id, cluster_id)
);
CREATE INDEX clusters_theme_idx ON clusters (project_id, theme_id, status);

-- One row per summary (latest trace version) of a theme the clustering knows; cluster_id NULL is "Other"
-- (unassigned: too far from every centroid, or in a cluster below the minimum size or users).
CREATE TABLE cluster_members (
    project_id     text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    theme_id       text NOT NULL,
    trace_id       text NOT NULL,
    trace_version  integer NOT NULL,
    cluster_id     text,
    -- Cosine distance to the cluster's centroid (to the nearest centroid for unassigned summaries, when any).
    distance       double precision,
    -- When the summary arrived: what trends count.
    member_at      timestamptz NOT NULL,
    assigned_at    timestamptz NOT NULL DEFAULT now(),
    -- Copied from the trace for the cluster metrics.
    distinct_id    text,
    latency_seconds double precision,
    cost_usd       double precision,
    error_count    integer,
    PRIMARY KEY (project_id, theme_id, trace_id)
);
CREATE INDEX cluster_members_cluster_idx ON cluster_members (project_id, cluster_id, distance);

-- Per re-clustering run and cluster: size and what happened to it, for trends and lineage.
CREATE TABLE cluster_snapshots (
    run_id        bigint NOT NULL REFERENCES cluster_runs (id) ON DELETE CASCADE,
    project_id    text NOT NULL,
    theme_id      text NOT NULL,
    cluster_id    text NOT NULL,
    size          integer NOT NULL,
    event         text NOT NULL CHECK (event IN ('NEW', 'SAME', 'GROWN', 'SHRUNK', 'MERGED', 'SPLIT', 'RETIRED')),
    -- Old ids this cluster continues (MERGED: kept first, then the absorbed; SPLIT: the parent).
    sources       text[] NOT NULL DEFAULT '{}',
    into_id       text,
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, cluster_id)
);
CREATE INDEX cluster_snapshots_cluster_idx ON cluster_snapshots (project_id, cluster_id, run_id);
