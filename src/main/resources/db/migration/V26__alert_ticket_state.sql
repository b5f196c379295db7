-- What the trackers say of an alert ticket (issue 14, "a cluster whose ticket was closed comes back"): Prism polls the
-- Linear and GitHub issues it keeps and stores when one was closed, so new members after that close fire a regressed rule.
-- closed_at: the tracker's own close time (Linear completedAt or canceledAt, GitHub closed_at); null while open.
ALTER TABLE alert_tickets ADD COLUMN closed_at timestamptz;
-- When the poller last asked the tracker (null: never); the least recently asked are due first.
ALTER TABLE alert_tickets ADD COLUMN state_checked_at timestamptz;
CREATE INDEX alert_tickets_closed_idx ON alert_tickets (project_id, cluster_id) WHERE state = 'closed';
