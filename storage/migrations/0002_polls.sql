-- Button polls. Rules that must hold however the rows are written are enforced here, not only in
-- Python: one ballot per member in single-choice polls, no ballots on closed polls, no secret kept
-- once a poll is closed, and vote counters that follow the ballots exactly.

-- AUTOINCREMENT so an id that once appeared in a button's custom_id is never given to another poll.
CREATE TABLE polls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER,
    question TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    option_count INTEGER NOT NULL CHECK (option_count BETWEEN 2 AND 20),
    multiple INTEGER NOT NULL CHECK (multiple IN (0, 1)),
    anonymous INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    hide_results INTEGER NOT NULL CHECK (hide_results IN (0, 1)),
    -- HMAC key for voter identities of an open anonymous poll; destroyed (NULL) at close.
    secret BLOB,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    closes_at TEXT,
    closed_at TEXT,
    -- Distinct members with at least one ballot; kept by the triggers below.
    voters INTEGER NOT NULL DEFAULT 0 CHECK (voters >= 0),
    CHECK (anonymous = 1 OR secret IS NULL),
    CHECK (anonymous = 0 OR closed_at IS NOT NULL OR length(secret) = 32),
    CHECK (closed_at IS NULL OR secret IS NULL)
);

CREATE INDEX polls_open_closing ON polls (closes_at) WHERE closed_at IS NULL AND closes_at IS NOT NULL;
CREATE INDEX polls_guild_open ON polls (guild_id, id) WHERE closed_at IS NULL;

CREATE TABLE poll_options (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL CHECK (idx BETWEEN 0 AND 19),
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    -- Ballots for this option; kept by the triggers below and frozen once the poll is closed.
    votes INTEGER NOT NULL DEFAULT 0 CHECK (votes >= 0),
    PRIMARY KEY (poll_id, idx)
) WITHOUT ROWID;

-- voter_key is the member id as text, or for anonymous polls HMAC-SHA256(secret, member id) in hex.
-- WITHOUT ROWID: rows are ordered by key, so no rowid records the order in which members voted.
CREATE TABLE poll_votes (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    voter_key TEXT NOT NULL,
    option_idx INTEGER NOT NULL,
    voted_at TEXT,
    PRIMARY KEY (poll_id, voter_key, option_idx),
    FOREIGN KEY (poll_id, option_idx) REFERENCES poll_options (poll_id, idx) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX poll_votes_option ON poll_votes (poll_id, option_idx);

CREATE TRIGGER poll_votes_guard BEFORE INSERT ON poll_votes
BEGIN
    SELECT RAISE(ABORT, 'poll is closed')
    FROM polls WHERE id = NEW.poll_id AND closed_at IS NOT NULL;
    SELECT RAISE(ABORT, 'single-choice poll: this voter already has a ballot')
    FROM polls
    WHERE id = NEW.poll_id AND multiple = 0
      AND EXISTS (SELECT 1 FROM poll_votes WHERE poll_id = NEW.poll_id AND voter_key = NEW.voter_key);
END;

CREATE TRIGGER poll_votes_count_insert AFTER INSERT ON poll_votes
BEGIN
    UPDATE poll_options SET votes = votes + 1 WHERE poll_id = NEW.poll_id AND idx = NEW.option_idx;
    UPDATE polls SET voters = voters + 1
    WHERE id = NEW.poll_id
      AND NOT EXISTS (
          SELECT 1 FROM poll_votes
          WHERE poll_id = NEW.poll_id AND voter_key = NEW.voter_key AND option_idx <> NEW.option_idx
      );
END;

-- A closed poll keeps its final counts when its ballots are later removed (anonymous polls drop
-- them at close; a member may erase their data).
CREATE TRIGGER poll_votes_count_delete AFTER DELETE ON poll_votes
WHEN (SELECT closed_at FROM polls WHERE id = OLD.poll_id) IS NULL
BEGIN
    UPDATE poll_options SET votes = votes - 1 WHERE poll_id = OLD.poll_id AND idx = OLD.option_idx;
    UPDATE polls SET voters = voters - 1
    WHERE id = OLD.poll_id
      AND NOT EXISTS (SELECT 1 FROM poll_votes WHERE poll_id = OLD.poll_id AND voter_key = OLD.voter_key);
END;

CREATE TRIGGER poll_votes_no_update BEFORE UPDATE OF poll_id, voter_key, option_idx ON poll_votes
BEGIN
    SELECT RAISE(ABORT, 'ballots are inserted or deleted, never rewritten');
END;
