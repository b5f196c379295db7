-- The Prism processes sharing this database, each with a heartbeat: /ready and GET /api/instances list the ones seen
-- lately, so an operator can tell which instances are up without asking each.
CREATE TABLE instances (
    id          text PRIMARY KEY,
    host        text        NOT NULL,
    pid         bigint      NOT NULL,
    version     text        NOT NULL,
    started_at  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL
);
