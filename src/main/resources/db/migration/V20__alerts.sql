-- Alerting (issue 14): rules per theme, what fired, and a durable delivery log. A firing is stored once per
-- de-duplication key (rule, cluster identity, trigger window); its deliveries (one per destination) are written in the
-- same transaction, before any send, so a crash re-sends at most the attempt under way and never forgets one.

CREATE TABLE alert_rules (
    project_id        text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    rule_id           text NOT NULL,
    name              text NOT NULL,
    theme_id          text NOT NULL,
    -- {"type": "growth", "percent": 200, "window": "day", "min_count": 10} and the like.
    trigger           jsonb NOT NULL,
    conditions        jsonb NOT NULL DEFAULT '{}',
    -- Destination objects with their secrets; the API never answers them.
    destinations      jsonb NOT NULL,
    cooldown_seconds  integer NOT NULL,
    enabled           boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, rule_id)
);
CREATE INDEX alert_rules_theme_idx ON alert_rules (project_id, theme_id) WHERE enabled;

CREATE TABLE alert_firings (
    id          bigserial PRIMARY KEY,
    project_id  text NOT NULL,
    rule_id     text NOT NULL,
    theme_id    text NOT NULL,
    cluster_id  text,
    kind        text NOT NULL,
    dedupe_key  text NOT NULL,
    -- The AlertNotice as sent, so a retry after a restart sends the same words.
    notice      jsonb NOT NULL,
    fired_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (project_id, rule_id) REFERENCES alert_rules (project_id, rule_id) ON DELETE CASCADE,
    UNIQUE (project_id, dedupe_key)
);
CREATE INDEX alert_firings_rule_idx ON alert_firings (project_id, rule_id, cluster_id, fired_at DESC);

CREATE TABLE alert_deliveries (
    id                 bigserial PRIMARY KEY,
    firing_id          bigint NOT NULL REFERENCES alert_firings (id) ON DELETE CASCADE,
    project_id         text NOT NULL,
    rule_id            text NOT NULL,
    destination_index  integer NOT NULL,
    destination_type   text NOT NULL,
    -- The destination object (with its secrets) as it was when the rule fired.
    destination        jsonb NOT NULL,
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
    attempts           integer NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    -- Set while a worker sends; a lease that ran out (its process died) makes the row due again.
    lease_until        timestamptz,
    last_status_code   integer,
    last_error         text,
    external_ref       text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    delivered_at       timestamptz,
    UNIQUE (firing_id, destination_index)
);
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX alert_deliveries_rule_idx ON alert_deliveries (project_id, rule_id, id DESC);

-- One row per attempt: what the deliveries API shows as the log.
CREATE TABLE alert_attempts (
    delivery_id  bigint NOT NULL REFERENCES alert_deliveries (id) ON DELETE CASCADE,
    attempt      integer NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    status_code  integer,
    error        text,
    elapsed_ms   bigint NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
