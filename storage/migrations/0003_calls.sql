-- Funding calls, their deadline reminders, members' reminder subscriptions and scheduled announcements.
-- Every item that happens later is a row here; the scheduler only triggers. A row is claimed
-- ('sending') in its own transaction before anything is posted, so a restart never posts it again:
-- a row found in 'sending' at start is reported as uncertain instead of being resent.
-- Times are UTC ISO-8601 text; `timezone` is the IANA zone a time was typed in.

-- AUTOINCREMENT so an id that appeared in a button's custom_id is never given to another call.
CREATE TABLE calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    identifier TEXT NOT NULL CHECK (length(identifier) BETWEEN 3 AND 100),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 256),
    programme TEXT NOT NULL,
    opens_at TEXT,
    deadline_at TEXT NOT NULL,
    timezone TEXT NOT NULL,
    link TEXT CHECK (link IS NULL OR length(link) <= 512),
    summary TEXT NOT NULL DEFAULT '' CHECK (length(summary) <= 1500),
    -- Tags joined with ", "; at most a handful of short words.
    tags TEXT NOT NULL DEFAULT '',
    -- Bumped at every change; the calendar's SEQUENCE, so calendar apps take the newest version.
    revision INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (guild_id, identifier)
);

CREATE INDEX calls_guild_deadline ON calls (guild_id, deadline_at);

-- One row per (call, offset, deadline): moving a deadline drops the pending rows and adds new ones,
-- while rows already sent stay as history (and cannot be sent again for the same deadline).
-- States: pending -> sending (claimed, channel post in flight) -> posted (direct messages going out)
-- -> sent; or missed (too late at start), uncertain (found in 'sending' at start), failed.
CREATE TABLE call_reminders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    guild_id INTEGER NOT NULL,
    offset_seconds INTEGER NOT NULL CHECK (offset_seconds > 0),
    deadline_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'posted', 'sent', 'missed', 'uncertain', 'failed')),
    claimed_at TEXT,
    finished_at TEXT,
    message_id INTEGER,
    note TEXT
);

CREATE UNIQUE INDEX call_reminders_once ON call_reminders (call_id, offset_seconds, deadline_at);
CREATE INDEX call_reminders_open ON call_reminders (state, due_at)
    WHERE state IN ('pending', 'sending', 'posted');

-- One direct message per (reminder, member), claimed before it is sent: never twice.
CREATE TABLE call_reminder_dms (
    reminder_id INTEGER NOT NULL REFERENCES call_reminders (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'closed', 'failed')),
    at TEXT NOT NULL,
    PRIMARY KEY (reminder_id, user_id)
) WITHOUT ROWID;

CREATE INDEX call_reminder_dms_user ON call_reminder_dms (user_id);

-- programme '*' means every programme. dm_failures counts consecutive refused direct messages
-- (closed DMs); past a limit the member is skipped until they subscribe again.
CREATE TABLE call_subscriptions (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    programme TEXT NOT NULL,
    created_at TEXT NOT NULL,
    dm_failures INTEGER NOT NULL DEFAULT 0 CHECK (dm_failures >= 0),
    PRIMARY KEY (guild_id, user_id, programme)
) WITHOUT ROWID;

CREATE INDEX call_subscriptions_programme ON call_subscriptions (guild_id, programme);
CREATE INDEX call_subscriptions_user ON call_subscriptions (user_id);

-- A scheduled announcement, once or repeating. first_local is the wall-clock time of the first
-- occurrence in `timezone`; occurrence n is computed from it, so repeats keep their local time
-- across daylight-saving changes. next_due_at is the UTC instant of occurrence number `occurrence`.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    message TEXT NOT NULL CHECK (length(message) BETWEEN 1 AND 2000),
    ping_role_id INTEGER,
    call_id INTEGER REFERENCES calls (id) ON DELETE SET NULL,
    repeat TEXT NOT NULL CHECK (repeat IN ('none', 'daily', 'weekly', 'monthly')),
    timezone TEXT NOT NULL,
    first_local TEXT NOT NULL,
    occurrence INTEGER NOT NULL DEFAULT 0 CHECK (occurrence >= 0),
    next_due_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'done', 'cancelled', 'missed', 'uncertain', 'failed')),
    claimed_at TEXT,
    sent_count INTEGER NOT NULL DEFAULT 0,
    last_message_id INTEGER,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    cancelled_by INTEGER,
    note TEXT
);

CREATE INDEX announcements_open ON announcements (state, next_due_at) WHERE state IN ('pending', 'sending');
CREATE INDEX announcements_guild ON announcements (guild_id, state);

-- What happened to each occurrence; the key makes recording one occurrence twice impossible.
CREATE TABLE announcement_deliveries (
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    occurrence INTEGER NOT NULL,
    due_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'missed', 'uncertain', 'failed')),
    message_id INTEGER,
    at TEXT NOT NULL,
    PRIMARY KEY (announcement_id, occurrence)
) WITHOUT ROWID;
