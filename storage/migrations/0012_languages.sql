-- Languages: the server's language for public posts, and each member's own language in a server
-- (chosen with /profile set language) beside the Discord locale last seen from them (for DMs).
ALTER TABLE guild_settings ADD COLUMN language TEXT;

CREATE TABLE member_languages (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    chosen TEXT CHECK (chosen IS NULL OR length(chosen) BETWEEN 2 AND 3),
    seen TEXT CHECK (seen IS NULL OR length(seen) BETWEEN 2 AND 3),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
