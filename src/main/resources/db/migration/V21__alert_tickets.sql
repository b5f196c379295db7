-- One external ticket (a Linear or GitHub issue) per project, alert rule, destination and cluster identity (issue 14):
-- later growth becomes comments on it, a regression reopens it. Cluster ids are stable across re-clustering; a ticket
-- of a cluster merged into another moves to the survivor (clusters.retired_into) when the survivor next alerts.
CREATE TABLE alert_tickets (
    project_id        text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    rule_id           text NOT NULL,
    -- The destination within the rule: its explicit "key", else type and target ("linear:<team>", "github:<owner/name>").
    destination_key   text NOT NULL,
    cluster_id        text NOT NULL,
    destination_type  text NOT NULL,
    -- Linear: the issue's UUID (chosen by Prism before the create, so a retried create cannot duplicate); GitHub: null
    -- until the issue exists.
    external_id       text,
    -- Linear: the identifier ("ENG-12"); GitHub: the issue number.
    external_number   text,
    url               text,
    -- creating: a create was attempted and its answer is not known yet (the next send looks for the issue first).
    state             text NOT NULL CHECK (state IN ('creating', 'open', 'closed')),
    -- The notice the create was attempted for, and one whose comment was attempted without a known answer.
    creating_notice   text,
    pending_notice    text,
    creating_since    timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, rule_id, destination_key, cluster_id)
);
CREATE INDEX alert_tickets_cluster_idx ON alert_tickets (project_id, cluster_id);
