-- Which completed version of each trace theme dispatch has handled. Streaming dispatch hands traces to analysis over the
-- bus, in memory; a stop between completion and queueing would lose them. A sweep re-dispatches completed versions not
-- marked here (idempotently: analyses are unique per trace version and prompt version) and marks them.
ALTER TABLE traces ADD COLUMN dispatched_version integer;

-- Traces completed before this migration count as handled: the sweep must not analyse a whole history at upgrade.
UPDATE traces SET dispatched_version = version WHERE status = 'completed';

CREATE INDEX traces_undispatched_idx ON traces (completed_at)
    WHERE status = 'completed' AND dispatched_version IS DISTINCT FROM version;
