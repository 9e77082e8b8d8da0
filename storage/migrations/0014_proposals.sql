-- Citizen proposals and accountability: proposals posted in a forum, one support per member, every
-- status change and progress update kept as a history row, and who asked for no more DMs.
ALTER TABLE guild_settings ADD COLUMN proposals_forum_id INTEGER;

-- AUTOINCREMENT so a proposal id that once appeared in a Support button's custom_id is never reused.
CREATE TABLE proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    -- NULL once the author erased their data (/mydata forget): the proposal stays, unlinked.
    author_id INTEGER,
    city_id INTEGER REFERENCES cities (id) ON DELETE SET NULL,
    -- The city's name when submitted, so a proposal stays readable if the city is removed.
    city_name TEXT,
    theme TEXT NOT NULL,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    benefit TEXT NOT NULL CHECK (length(benefit) BETWEEN 1 AND 1000),
    status TEXT NOT NULL DEFAULT 'open' CHECK (
        status IN ('open', 'under-review', 'accepted', 'rejected', 'implemented', 'withdrawn')
    ),
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    supports INTEGER NOT NULL DEFAULT 0 CHECK (supports >= 0),
    forum_id INTEGER,
    thread_id INTEGER UNIQUE,
    message_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- When the moderators were told the proposal reached the support threshold (once).
    threshold_notified_at TEXT
);

CREATE INDEX proposals_guild_status ON proposals (guild_id, status, id);
CREATE INDEX proposals_guild_supports ON proposals (guild_id, supports, id);
CREATE INDEX proposals_author ON proposals (guild_id, author_id);

CREATE TABLE proposal_supports (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    supported_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
) WITHOUT ROWID;

CREATE INDEX proposal_supports_user ON proposal_supports (user_id, proposal_id);

-- The timeline: submitted, each status change (with its reason) and each progress update (with its
-- note). actor_id is the moderator who answered; NULL for the author's own steps.
CREATE TABLE proposal_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('submitted', 'status', 'progress', 'withdrawn')),
    status TEXT NOT NULL,
    progress INTEGER CHECK (progress IS NULL OR progress BETWEEN 0 AND 100),
    note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    actor_id INTEGER,
    created_at TEXT NOT NULL
);

CREATE INDEX proposal_events_proposal ON proposal_events (proposal_id, id);

-- Per-server settings of proposals: the support threshold and the key of exported pseudonyms.
CREATE TABLE proposal_settings (
    guild_id INTEGER PRIMARY KEY,
    threshold INTEGER NOT NULL DEFAULT 10 CHECK (threshold BETWEEN 1 AND 100000),
    export_secret BLOB
);

-- Members who pressed "stop these messages" under a proposal DM.
CREATE TABLE proposal_optouts (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    opted_out_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
