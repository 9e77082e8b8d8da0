"""/mydata reads and erases one member's rows through indexes, not by reading a whole server's.

Every statement that /mydata export and /mydata forget run against a real migrated SQLite file is
recorded (a trace on the database's connections) and explained (EXPLAIN QUERY PLAN). A step that reads
a whole table (SCAN) or a whole server (an index searched by server attributes only, e.g. guild_id)
is allowed only as a search of one server's rows of a table whose size moderators control (cities,
announcements, campaigns, polls, twinnings).
Without storage/migrations/0016_member_data_indexes.sql the exchanges, lessons, ballots, decisions,
proposal history and reminders steps fail here. SQLite's plans without ANALYZE statistics do not
depend on table sizes, so the small file here gets the plans a big server gets.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from storage.database import Database
from storage.migrate import apply_migrations
from storage.repositories import Repositories, build_repositories
from tests.storage.test_member_data import (
    ALICE,
    GUILD,
    MOD,
    OTHER_GUILD,
    PERSON_COLUMN,
    collect,
    erase_everywhere,
    populate,
)

# Tables a step may search for a whole server (never SCAN across servers): each holds what moderators
# create (a city register, announcements, campaigns, polls, twinnings), not what members write, so it
# stays small next to a member's rows.
BOUNDED_BY_MODERATORS = {"cities", "announcements", "testimonial_campaigns", "polls", "twins"}
# Erasure statements of the form `... WHERE user_id = ? AND x_id IN (SELECT id FROM t WHERE guild_id = ?)`
# list the server's ids of t once, and only when the member has a row (~20 ms for 50,000 exchanges); an
# index cannot avoid it, only a rewrite of the statement as a correlated EXISTS could.
SERVER_ID_LISTS = {"exchanges", "call_reminders"}
# Columns that single out one row or join one row to another, as opposed to server-wide attributes.
KEY_COLUMN = re.compile(r"^(rowid|id|idx|sha256|token|(?!guild_id$)\w+_id)$")
STEP = re.compile(
    r"^(SCAN|SEARCH) (\S+)(?: USING (?:.*?INDEX \S+|INTEGER PRIMARY KEY|PRIMARY KEY))?(?: \((.*)\))?"
)
SOURCE = re.compile(
    r"\b(?:FROM|JOIN|UPDATE|INTO)\s+['\"]?(\w+)['\"]?(?:\s+(?:AS\s+)?(?!ON\b|WHERE\b|SET\b)(\w+))?", re.I
)
WRITE = re.compile(r"^\s*(UPDATE|DELETE|INSERT|REPLACE)\b", re.I)


@pytest.fixture
async def traced(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Database, list[str]]]:
    """A migrated database whose every connection reports each statement it runs into a list."""
    statements: list[str] = []
    connect: Callable[..., Any] = Database._connect

    async def traced_connect(self: Database, **kwargs: Any) -> aiosqlite.Connection:
        """Open a connection as the database does, then record its statements."""
        conn = await connect(self, **kwargs)
        await conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(Database, "_connect", traced_connect)
    database = Database(db_path)
    await database.open()
    try:
        await apply_migrations(database)
        yield database, statements
    finally:
        await database.close()


def about(statements: list[str], *people: int) -> list[str]:
    """The distinct statements that name one of these people's ids, in one-line form."""
    pattern = re.compile(r"\b(" + "|".join(str(p) for p in people) + r")\b")
    found = {" ".join(s.split()) for s in statements if pattern.search(s)}
    return sorted(s for s in found if re.match(r"(?i)^(SELECT|WITH|UPDATE|DELETE|INSERT|REPLACE)\b", s))


def tables_by_alias(sql: str) -> dict[str, str]:
    """Each table the statement names, by its alias and by its own name."""
    names: dict[str, str] = {}
    for table, alias in SOURCE.findall(sql):
        names[table] = table
        if alias:
            names[alias] = table
    return names


def wide_steps(path: Path, sql: str) -> list[tuple[str, str, bool]]:
    """(table, plan step, under a LIST SUBQUERY) for each step that reads a whole table or server."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        plan = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    parents = {node: parent for node, parent, _, _ in plan}
    details = {node: str(detail) for node, _, _, detail in plan}

    def in_list(node: int) -> bool:
        """Whether a step belongs to the id list of an `IN (SELECT ...)`."""
        while node in parents:
            node = parents[node]
            if details.get(node, "").startswith("LIST SUBQUERY"):
                return True
        return False

    aliases = tables_by_alias(sql)
    wide = []
    for node, _, _, detail in plan:
        step = STEP.match(str(detail))
        if step is None or step.group(2).startswith("("):
            continue
        kind, name, constraints = step.groups()
        columns = [c.split("=")[0].split(">")[0].split("<")[0] for c in (constraints or "").split(" AND ")]
        narrow = kind == "SEARCH" and any(PERSON_COLUMN.search(c) or KEY_COLUMN.match(c) for c in columns)
        if not narrow:
            wide.append((aliases.get(name, name), str(detail), in_list(node)))
    return wide


def report(offending: dict[str, list[str]]) -> str:
    """The statements that read too much, one a line with their wide steps."""
    return "\n".join(f"{sql} -> {steps}" for sql, steps in offending.items() if steps)


def bounded(table: str, step: str) -> bool:
    """Whether a wide step searches one server's rows of a table moderators keep small."""
    return table in BOUNDED_BY_MODERATORS and step.startswith("SEARCH")


async def erase(repos: Repositories, user_id: int) -> None:
    """Everything /mydata forget asks of storage, in both servers."""
    await erase_everywhere(repos, user_id)
    for guild in (GUILD, OTHER_GUILD):
        await repos.languages.forget_member(guild, user_id)
        await repos.cities.forget_memberships(guild, user_id)
        await repos.profiles.forget_profile(guild, user_id)


async def test_export_reads_a_member_through_indexes(
    traced: tuple[Database, list[str]], tmp_path: Path
) -> None:
    """Every statement of /mydata export, for a member and for a moderator, is an index search."""
    database, statements = traced
    repos = build_repositories(database, default_timezone="Europe/Brussels")
    await populate(repos, tmp_path)
    statements.clear()
    for person in (ALICE, MOD):
        await collect(repos, GUILD, person, media_dir=tmp_path)
    exported = about(statements, ALICE, MOD)
    read = {table for sql in exported for table in tables_by_alias(sql).values()}
    assert read >= {
        "poll_votes",
        "exchanges",
        "lessons",
        "testimonials",
        "testimonial_decisions",
        "proposals",
    }
    assert read >= {
        "proposal_supports",
        "proposal_events",
        "call_subscriptions",
        "call_reminder_dms",
        "twins",
    }
    offending = {
        sql: [step for table, step, _ in wide if not bounded(table, step)]
        for sql in exported
        for wide in [wide_steps(database.path, sql)]
    }
    assert not any(offending.values()), report(offending)


async def test_erasure_finds_a_member_through_indexes(
    traced: tuple[Database, list[str]], tmp_path: Path
) -> None:
    """Every statement of /mydata forget finds the member's rows by index; none reads a whole table."""
    database, statements = traced
    repos = build_repositories(database, default_timezone="Europe/Brussels")
    await populate(repos, tmp_path)
    statements.clear()
    for person in (ALICE, MOD):
        await erase(repos, person)
    erasing = about(statements, ALICE, MOD)
    written = {
        m.group(0).split()[-1] for sql in erasing if (m := re.match(r"(?i)(UPDATE|DELETE FROM)\s+\w+", sql))
    }
    assert written >= {
        "exchanges",
        "lessons",
        "poll_votes",
        "call_reminder_dms",
        "call_subscriptions",
        "proposals",
    }
    offending = {}
    for sql in erasing:
        steps = [
            step
            for table, step, listed in wide_steps(database.path, sql)
            if not bounded(table, step)
            and not (listed and table in SERVER_ID_LISTS and WRITE.match(sql) and step.startswith("SEARCH"))
        ]
        if steps:
            offending[sql] = steps
    assert not offending, report(offending)


def test_a_server_wide_step_is_told_from_a_member_step(tmp_path: Path) -> None:
    """The plan reading itself: a search by server only is wide, a search by member or key is not."""
    path = tmp_path / "plans.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.executescript(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, guild_id INTEGER, author_id INTEGER);"
            "CREATE INDEX notes_guild ON notes (guild_id);"
        )
    by_author = "SELECT id FROM notes WHERE guild_id = 1 AND author_id = 2"
    assert wide_steps(path, by_author) == [
        ("notes", "SEARCH notes USING INDEX notes_guild (guild_id=?)", False)
    ]
    assert wide_steps(path, "SELECT id FROM notes WHERE author_id = 2") == [("notes", "SCAN notes", False)]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE INDEX notes_author ON notes (author_id, guild_id)")
    assert wide_steps(path, by_author) == []
    assert wide_steps(path, "SELECT author_id FROM notes WHERE id = 3") == []
