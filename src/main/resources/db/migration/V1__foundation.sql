-- Foundation schema: projects, credentials, raw events and assembled traces.

CREATE TABLE projects (
    id                 text PRIMARY KEY,
    name               text NOT NULL,
    -- SHA-256 of the ingestion token; tokens are random 256-bit strings, so a fast hash is enough.
    ingest_token_hash  text NOT NULL UNIQUE,
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    key_hash    text NOT NULL UNIQUE,
    -- NULL: an admin key valid for every project.
    project_id  text REFERENCES projects (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
    project_id   text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    uuid         text NOT NULL,
    event        text NOT NULL,
    distinct_id  text,
    trace_id     text NOT NULL,
    -- NULL when the client sent none (or an unparseable one); received_at still orders it.
    "timestamp"  timestamptz,
    received_at  timestamptz NOT NULL DEFAULT now(),
    properties   jsonb NOT NULL,
    -- Client retries resend the same uuid; storing it once keeps ingestion idempotent.
    PRIMARY KEY (project_id, uuid)
);
CREATE INDEX events_trace_idx ON events (project_id, trace_id, "timestamp");

CREATE TABLE traces (
    project_id       text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    trace_id         text NOT NULL,
    -- Bumped when an event arrives after the trace completed: the trace is analysed again as a new version.
    version          integer NOT NULL DEFAULT 1,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed')),
    -- Set once an $ai_trace event arrived for the current version: the trace may complete after a short grace.
    root_seen        boolean NOT NULL DEFAULT false,
    -- Server clock of the newest event; drives idle completion and survives restarts.
    last_activity    timestamptz NOT NULL DEFAULT now(),
    -- Client-side time span of the trace's events (receive times only when the events carry no timestamp).
    first_seen       timestamptz NOT NULL,
    last_seen        timestamptz NOT NULL,
    completed_at     timestamptz,
    name             text,
    event_count      integer NOT NULL DEFAULT 0,
    tree_depth       integer NOT NULL DEFAULT 0,
    latency_seconds  double precision,
    input_tokens     bigint NOT NULL DEFAULT 0,
    output_tokens    bigint NOT NULL DEFAULT 0,
    cost_usd         double precision NOT NULL DEFAULT 0,
    error_count      integer NOT NULL DEFAULT 0,
    models           text[] NOT NULL DEFAULT '{}',
    distinct_users   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, trace_id)
);
CREATE INDEX traces_pending_idx ON traces (last_activity) WHERE status = 'pending';
CREATE INDEX traces_recent_idx ON traces (project_id, last_seen DESC, trace_id DESC);
