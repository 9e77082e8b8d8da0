-- Webinars and workshops: each row mirrors one Discord guild scheduled event (an "external" event
-- with a text location), plus the timed notices about it: reminders before it starts and a
-- follow-up when it ends. The scheduler only triggers; every notice is a row, claimed ('sending')
-- in its own transaction before anything is posted, so a restart never posts it twice.
-- Times are UTC ISO-8601 text; `timezone` is the IANA zone the start time was typed in.

-- AUTOINCREMENT so an id a moderator saw (in /event list, a job id) is never given to another event.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    discord_event_id INTEGER NOT NULL UNIQUE,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    location TEXT NOT NULL CHECK (length(location) BETWEEN 1 AND 100),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    timezone TEXT NOT NULL,
    -- The testimonial campaign the follow-up invites stories for, by name (NULL: none chosen).
    campaign TEXT CHECK (campaign IS NULL OR length(campaign) BETWEEN 1 AND 100),
    state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'cancelled')),
    announcement_message_id INTEGER,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    cancelled_by INTEGER,
    cancelled_at TEXT,
    CHECK (ends_at > starts_at)
);

CREATE INDEX events_guild_start ON events (guild_id, state, starts_at);
CREATE INDEX events_created_by ON events (created_by);

-- kind 'reminder': offset_seconds before the start; kind 'followup': at the end (offset 0).
-- States: pending -> sending (claimed, post in flight) -> sent | failed; or missed (too late),
-- uncertain (found 'sending' at start: the bot stopped mid-post), cancelled (the event was).
CREATE TABLE event_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('reminder', 'followup')),
    offset_seconds INTEGER NOT NULL CHECK (offset_seconds >= 0),
    due_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'missed', 'uncertain', 'cancelled')),
    claimed_at TEXT,
    finished_at TEXT,
    message_id INTEGER,
    note TEXT,
    UNIQUE (event_id, kind, offset_seconds)
);

CREATE INDEX event_notices_open ON event_notices (state, due_at) WHERE state IN ('pending', 'sending');
