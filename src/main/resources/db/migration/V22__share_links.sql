-- Read-only links to one theme's results. Only the token's SHA-256 is stored; revoked links stay listed.
CREATE TABLE share_links (
    id          bigserial PRIMARY KEY,
    project_id  text NOT NULL,
    theme_id    text NOT NULL,
    token_hash  text NOT NULL UNIQUE,
    -- The token's first characters, so a person can tell links apart in a list.
    display     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz,
    -- Deleting a theme (or its project) removes its links with it.
    FOREIGN KEY (project_id, theme_id) REFERENCES themes (project_id, theme_id) ON DELETE CASCADE
);
CREATE INDEX share_links_theme_idx ON share_links (project_id, theme_id, id);
