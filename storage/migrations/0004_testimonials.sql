-- Citizen-science testimonials: campaigns, submitted stories with the consent given for them,
-- content-addressed photos and the moderators' decisions. A withdrawn testimonial is deleted
-- (with its decisions), so nothing of it can reach a later export.

-- AUTOINCREMENT so an id once shown to a member or used in a button is never given to another row.
CREATE TABLE testimonial_campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    -- The name NFKC-normalised and case-folded in Python (SQLite folds only ASCII), for lookups.
    name_key TEXT NOT NULL,
    prompt TEXT NOT NULL CHECK (length(prompt) BETWEEN 1 AND 1000),
    licence TEXT NOT NULL CHECK (licence IN ('CC-BY-4.0', 'CC-BY-SA-4.0', 'CC0-1.0')),
    max_photo_bytes INTEGER NOT NULL CHECK (max_photo_bytes > 0),
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    closes_at TEXT,
    closed_at TEXT,
    closed_by INTEGER,
    UNIQUE (guild_id, name_key)
);

-- One row per distinct stored file; relpath is relative to storage.media_dir.
CREATE TABLE testimonial_media (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    relpath TEXT NOT NULL UNIQUE,
    mediatype TEXT NOT NULL CHECK (mediatype IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes INTEGER NOT NULL CHECK (bytes > 0),
    width INTEGER NOT NULL CHECK (width > 0),
    height INTEGER NOT NULL CHECK (height > 0),
    stored_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE testimonials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES testimonial_campaigns (id),
    guild_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    -- The display name at submission, used only when consent_scope is 'named'.
    author_name TEXT NOT NULL,
    story TEXT NOT NULL CHECK (length(story) BETWEEN 20 AND 4000),
    city TEXT NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    target_group TEXT NOT NULL CHECK (
        target_group IN ('citizen', 'policy-maker', 'researcher', 'end-user', 'civil-society', 'business')
    ),
    -- Consent is proven by the exact text agreed to, its version and the time.
    consent_scope TEXT NOT NULL CHECK (consent_scope IN ('named', 'anonymous', 'research')),
    consent_version TEXT NOT NULL CHECK (length(consent_version) BETWEEN 1 AND 20),
    consent_text TEXT NOT NULL CHECK (length(consent_text) > 0),
    consented_at TEXT NOT NULL,
    licence TEXT NOT NULL,
    media_sha256 TEXT REFERENCES testimonial_media (sha256),
    submitted_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    moderation_channel_id INTEGER,
    moderation_message_id INTEGER,
    showcase_channel_id INTEGER,
    showcase_message_id INTEGER,
    decided_by INTEGER,
    decided_at TEXT,
    reject_reason TEXT,
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (status = 'approved' OR showcase_message_id IS NULL),
    CHECK (consent_scope <> 'research' OR showcase_message_id IS NULL)
);

CREATE INDEX testimonials_export ON testimonials (campaign_id, id) WHERE status = 'approved';
CREATE INDEX testimonials_author ON testimonials (guild_id, author_id, id);
CREATE INDEX testimonials_media ON testimonials (media_sha256) WHERE media_sha256 IS NOT NULL;

-- Every moderation decision, who made it and when (the testimonial row keeps only the latest).
CREATE TABLE testimonial_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    testimonial_id INTEGER NOT NULL REFERENCES testimonials (id) ON DELETE CASCADE,
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    moderator_id INTEGER NOT NULL,
    decided_at TEXT NOT NULL,
    reason TEXT
);

CREATE INDEX testimonial_decisions_item ON testimonial_decisions (testimonial_id);

-- The key behind exported contributor pseudonyms: HMAC-SHA256(key, campaign id and member id).
-- Without it a pseudonym cannot be traced back to a Discord account.
CREATE TABLE testimonial_secret (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL CHECK (length(key) = 32)
);

INSERT INTO testimonial_secret (id, key) VALUES (1, randomblob(32));
