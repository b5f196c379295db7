-- jsonb stores object keys sorted (by length, then bytes) and so renders tool parameters, arguments and results in an
-- order the client never sent (issue 12). The properties as ingestion parsed them, keys in the client's order, are kept
-- here for rendering and the API; events.properties (jsonb) stays for filters, which need its operators.
-- A table of its own, not a column of events: filters read events rows by the trace index, and a second copy of the
-- properties inline made those rows 1.7 times wider and a filter over them up to 44 % slower (docs/benchmarks.md).
-- text, not json: ingestion already validated it, and json would parse every event a second time on insert.
-- Events stored before this version have no row here: their key order is lost, readers fall back to properties::text.
CREATE TABLE event_texts (
    project_id  text NOT NULL,
    uuid        text NOT NULL,
    properties  text NOT NULL,
    PRIMARY KEY (project_id, uuid),
    FOREIGN KEY (project_id, uuid) REFERENCES events (project_id, uuid) ON DELETE CASCADE
);
