-- Per-server configuration. NULL in a column means "not set / use the default".
CREATE TABLE guild_settings (
    guild_id INTEGER PRIMARY KEY,
    announcements_channel_id INTEGER,
    moderation_channel_id INTEGER,
    showcase_channel_id INTEGER,
    exchange_forum_id INTEGER,
    moderator_role_id INTEGER,
    timezone TEXT,
    updated_at TEXT NOT NULL
);
