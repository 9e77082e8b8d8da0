-- Forms (Discord modals) that a member has opened and not yet sent. Each row belongs to one member
-- in one place, for one use: the modal's custom_id carries the token, and what the form is about
-- (which call is edited, which photo was attached) is `state`, found by that token and nothing
-- else. A submission claims (deletes) its row in one transaction, so it lands once, on its own item.
CREATE TABLE open_forms (
    token TEXT PRIMARY KEY CHECK (length(token) BETWEEN 16 AND 43),
    kind TEXT NOT NULL CHECK (length(kind) BETWEEN 3 AND 60),
    guild_id INTEGER,
    user_id INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT '{}',
    opened_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX open_forms_member ON open_forms (user_id, kind);
CREATE INDEX open_forms_expiry ON open_forms (expires_at);
