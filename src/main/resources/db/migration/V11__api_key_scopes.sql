-- Scoped, revocable API keys. Existing keys (project_id NULL) were admin keys for every project and stay so.
ALTER TABLE api_keys
    ADD COLUMN scopes text[] NOT NULL DEFAULT '{admin}'
        CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'read', 'admin']::text[]),
    -- The first characters of the key, so a person can tell keys apart in a list; the rest is never stored.
    ADD COLUMN display text,
    -- Revoked keys stay listed (who had access, until when) but no longer authenticate.
    ADD COLUMN revoked_at timestamptz;
CREATE INDEX api_keys_project_idx ON api_keys (project_id, id);
