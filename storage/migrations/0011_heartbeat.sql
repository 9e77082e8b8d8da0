-- The running bot's heartbeat, read by `climabot health` (a container health check). One row: the
-- bot refreshes it from a scheduler job while connected, so a stale row means a stuck event loop or
-- scheduler, and it marks the row stopped when it closes. No member data lives here.
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    started_at TEXT NOT NULL,
    beat_at TEXT NOT NULL,
    connected INTEGER NOT NULL CHECK (connected IN (0, 1)),
    stopped_at TEXT
);
