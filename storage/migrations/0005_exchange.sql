-- Mutual learning between cities: the city register, members' cities and profiles, exchange
-- questions posted as forum threads, the lessons learned that close them, full-text search over
-- both, and twinned pairs of cities with their periodic check-ins.

-- AUTOINCREMENT so a city id that once appeared in a component's custom_id is never reused.
CREATE TABLE cities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    -- Case- and accent-insensitive form of the name (computed in Python, which folds all of Unicode,
    -- unlike SQLite's NOCASE); "Lyon" and "LYON" cannot both be registered.
    name_key TEXT NOT NULL CHECK (length(name_key) >= 1),
    country TEXT NOT NULL CHECK (length(country) = 2 AND country = upper(country)),
    mission_city INTEGER NOT NULL DEFAULT 0 CHECK (mission_city IN (0, 1)),
    -- The Discord role the bot gives the city's members; NULL until the first join creates it.
    role_id INTEGER,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (guild_id, name_key)
);

CREATE INDEX cities_guild_country ON cities (guild_id, country, name_key);

CREATE TABLE city_members (
    city_id INTEGER NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (city_id, user_id)
) WITHOUT ROWID;

CREATE INDEX city_members_user ON city_members (user_id, city_id);

-- target_group: the mission's target groups. city_id: the member's home city.
CREATE TABLE profiles (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    target_group TEXT CHECK (
        target_group IN ('citizen', 'policy-maker', 'researcher', 'end-user', 'civil-society', 'business')
    ),
    city_id INTEGER REFERENCES cities (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

CREATE TABLE exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    forum_id INTEGER NOT NULL,
    -- The forum post (a thread); one exchange per post.
    thread_id INTEGER NOT NULL UNIQUE,
    author_id INTEGER NOT NULL,
    -- The asker's home city when they asked, if their profile named one.
    from_city_id INTEGER REFERENCES cities (id) ON DELETE SET NULL,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    question TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 2000),
    theme TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by INTEGER,
    CHECK ((status = 'open') = (resolved_at IS NULL))
);

CREATE INDEX exchanges_guild_status ON exchanges (guild_id, status, id);
CREATE INDEX exchanges_guild_theme ON exchanges (guild_id, theme, id);

-- The cities an exchange asks.
CREATE TABLE exchange_cities (
    exchange_id INTEGER NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
    city_id INTEGER NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    PRIMARY KEY (exchange_id, city_id)
) WITHOUT ROWID;

CREATE INDEX exchange_cities_city ON exchange_cities (city_id, exchange_id);

-- The lesson learned that resolved an exchange: at most one per exchange.
CREATE TABLE lessons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    exchange_id INTEGER NOT NULL UNIQUE REFERENCES exchanges (id) ON DELETE CASCADE,
    what_worked TEXT NOT NULL CHECK (length(what_worked) BETWEEN 1 AND 1024),
    what_did_not TEXT NOT NULL DEFAULT '' CHECK (length(what_did_not) <= 1024),
    contact TEXT NOT NULL DEFAULT '' CHECK (length(contact) <= 1024),
    author_id INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

-- One search document per exchange (rowid = exchange id): its question and, once resolved, its
-- lesson. Kept by the triggers below, so every write path keeps search in step.
CREATE VIRTUAL TABLE exchange_search USING fts5 (
    title,
    question,
    what_worked,
    what_did_not,
    contact,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER exchanges_search_insert AFTER INSERT ON exchanges
BEGIN
    INSERT INTO exchange_search (rowid, title, question, what_worked, what_did_not, contact)
    VALUES (NEW.id, NEW.title, NEW.question, '', '', '');
END;

CREATE TRIGGER exchanges_search_update AFTER UPDATE OF title, question ON exchanges
BEGIN
    UPDATE exchange_search SET title = NEW.title, question = NEW.question WHERE rowid = NEW.id;
END;

CREATE TRIGGER exchanges_search_delete AFTER DELETE ON exchanges
BEGIN
    DELETE FROM exchange_search WHERE rowid = OLD.id;
END;

CREATE TRIGGER lessons_search_insert AFTER INSERT ON lessons
BEGIN
    UPDATE exchange_search
    SET what_worked = NEW.what_worked, what_did_not = NEW.what_did_not, contact = NEW.contact
    WHERE rowid = NEW.exchange_id;
END;

CREATE TRIGGER lessons_search_update AFTER UPDATE ON lessons
BEGIN
    UPDATE exchange_search
    SET what_worked = NEW.what_worked, what_did_not = NEW.what_did_not, contact = NEW.contact
    WHERE rowid = NEW.exchange_id;
END;

CREATE TRIGGER lessons_search_delete AFTER DELETE ON lessons
BEGIN
    UPDATE exchange_search SET what_worked = '', what_did_not = '', contact = ''
    WHERE rowid = OLD.exchange_id;
END;

-- A twinned pair of cities (stored with city_a_id < city_b_id so a pair has one row) and the
-- private thread where they talk. next_checkin_at drives the check-in job `twin:<id>`.
CREATE TABLE twins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    city_a_id INTEGER NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    city_b_id INTEGER NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL,
    thread_id INTEGER NOT NULL UNIQUE,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    next_checkin_at TEXT,
    last_checkin_at TEXT,
    checkins_sent INTEGER NOT NULL DEFAULT 0 CHECK (checkins_sent >= 0),
    checkins_missed INTEGER NOT NULL DEFAULT 0 CHECK (checkins_missed >= 0),
    ended_at TEXT,
    CHECK (city_a_id < city_b_id),
    CHECK (ended_at IS NOT NULL OR next_checkin_at IS NOT NULL)
);

-- A pair may be twinned again once its earlier twinning ended (its thread was deleted).
CREATE UNIQUE INDEX twins_active_pair ON twins (city_a_id, city_b_id) WHERE ended_at IS NULL;

CREATE INDEX twins_pending ON twins (next_checkin_at) WHERE ended_at IS NULL;
