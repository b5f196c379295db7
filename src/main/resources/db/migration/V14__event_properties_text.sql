-- jsonb stores object keys sorted (by length, then bytes) and so renders tool parameters, arguments and results in an
-- order the client never sent (issue 12). The properties as ingestion parsed them, keys in the client's order, are kept
-- here for rendering and the API; jsonb stays for filters, which need its operators and its parsed form.
-- text, not json: ingestion already validated it, and json would parse every event a second time on insert.
-- NULL for events stored before this version: their key order is lost, readers fall back to properties::text.
ALTER TABLE events ADD COLUMN properties_text text;
