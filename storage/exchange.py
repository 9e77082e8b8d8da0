"""Exchange questions between cities, the lessons learned that resolve them, and search over both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite

from storage.base import Repository
from storage.exchange_search import fts_query, search_terms
from storage.times import SECONDS, now_db_time, to_db_time

# Snippet markers: control characters that cleaned member text never contains, so the renderer
# can tell highlights from text that merely looks like markup.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
# Stands for the author of a question or lesson who erased their data (/mydata forget); no Discord id is 0.
ERASED_AUTHOR = 0
# What /mydata export shows of a member's questions and lessons.
_ASKED_FIELDS = (
    "title",
    "question",
    "theme",
    "status",
    "thread_id",
    "from_city",
    "created_at",
    "resolved_at",
)
_ASKED_SINCE = "SELECT COUNT(*) FROM exchanges WHERE guild_id = ? AND author_id = ? AND created_at >= ?"
_LESSON_FIELDS = ("what_worked", "what_did_not", "contact", "created_at")
# bm25 column weights: title, question, what worked, what did not, contact.
_WEIGHTS = (4.0, 1.0, 2.5, 1.5, 0.5)

_COLUMNS = (
    "e.id, e.guild_id, e.forum_id, e.thread_id, e.author_id, e.from_city_id, e.title, e.question, "
    "e.theme, e.status, e.created_at, e.resolved_at, e.resolved_by"
)


@dataclass(frozen=True)
class Exchange:
    """A question asked in the exchange forum."""

    id: int
    guild_id: int
    forum_id: int
    thread_id: int
    author_id: int
    from_city_id: int | None
    title: str
    question: str
    theme: str
    status: str
    created_at: str
    resolved_at: str | None
    resolved_by: int | None

    @property
    def is_open(self) -> bool:
        """Whether the exchange still waits for its lesson."""
        return self.status == "open"


@dataclass(frozen=True)
class Lesson:
    """The lesson learned recorded when an exchange was resolved."""

    id: int
    exchange_id: int
    what_worked: str
    what_did_not: str
    contact: str
    author_id: int
    created_at: str


@dataclass(frozen=True)
class SearchHit:
    """One search result: the exchange, a snippet with highlight markers, and its bm25 score."""

    exchange: Exchange
    snippet: str
    score: float
    has_lesson: bool


@dataclass(frozen=True)
class CityActivity:
    """A city's exchanges (asked by or asked to it) and lessons."""

    open_count: int
    resolved_count: int
    lesson_count: int
    recent: list[Exchange]


class QuestionLimitError(Exception):
    """A member already asked as many questions as allowed in the last 24 hours."""

    def __init__(self, limit: int) -> None:
        """Remember the limit that was reached."""
        super().__init__(f"at most {limit} questions per member in 24 hours")
        self.limit = limit


class AlreadyResolvedError(Exception):
    """The exchange was resolved already (perhaps a moment ago by someone else)."""


def exchange_from_row(row: aiosqlite.Row) -> Exchange:
    """Build an Exchange from a row selected with _COLUMNS."""
    return Exchange(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        forum_id=int(row["forum_id"]),
        thread_id=int(row["thread_id"]),
        author_id=int(row["author_id"]),
        from_city_id=row["from_city_id"],
        title=str(row["title"]),
        question=str(row["question"]),
        theme=str(row["theme"]),
        status=str(row["status"]),
        created_at=str(row["created_at"]),
        resolved_at=row["resolved_at"],
        resolved_by=row["resolved_by"],
    )


def lesson_from_row(row: aiosqlite.Row) -> Lesson:
    """Build a Lesson from a lessons row."""
    return Lesson(
        id=int(row["id"]),
        exchange_id=int(row["exchange_id"]),
        what_worked=str(row["what_worked"]),
        what_did_not=str(row["what_did_not"]),
        contact=str(row["contact"]),
        author_id=int(row["author_id"]),
        created_at=str(row["created_at"]),
    )


def _involving(alias: str = "e") -> str:
    """SQL condition: the exchange was asked by or asked to the city bound as the next parameter pair."""
    return (
        f"({alias}.from_city_id = ? OR EXISTS (SELECT 1 FROM exchange_cities x"
        f" WHERE x.exchange_id = {alias}.id AND x.city_id = ?))"
    )


class ExchangeRepository(Repository):
    """Reads and writes exchanges, exchange_cities and lessons, and searches exchange_search."""

    async def create(
        self,
        *,
        guild_id: int,
        forum_id: int,
        thread_id: int,
        author_id: int,
        from_city_id: int | None,
        title: str,
        question: str,
        theme: str,
        city_ids: Sequence[int],
        per_day_limit: int | None = None,
    ) -> Exchange:
        """Record an exchange whose forum post exists, with the cities it asks, in one transaction.

        With `per_day_limit`, QuestionLimitError if the author already asked that many in 24 hours;
        counted inside the write transaction, so two questions sent at once cannot both slip past.
        """
        async with self._db.transaction() as conn:
            if per_day_limit is not None:
                since = to_db_time(datetime.now(UTC) - timedelta(days=1), timespec=SECONDS)
                async with conn.execute(_ASKED_SINCE, (guild_id, author_id, since)) as c:
                    counted = await c.fetchone()
                if counted is not None and int(counted[0]) >= per_day_limit:
                    raise QuestionLimitError(per_day_limit)
            cursor = await conn.execute(
                "INSERT INTO exchanges (guild_id, forum_id, thread_id, author_id, from_city_id, title,"
                " question, theme, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    forum_id,
                    thread_id,
                    author_id,
                    from_city_id,
                    title,
                    question,
                    theme,
                    now_db_time(timespec=SECONDS),
                ),
            )
            exchange_id = cursor.lastrowid
            await conn.executemany(
                "INSERT OR IGNORE INTO exchange_cities (exchange_id, city_id) VALUES (?, ?)",
                [(exchange_id, city_id) for city_id in city_ids],
            )
            async with conn.execute(
                f"SELECT {_COLUMNS} FROM exchanges e WHERE e.id = ?", (exchange_id,)
            ) as c:
                row = await c.fetchone()
        assert row is not None
        return exchange_from_row(row)

    async def asked_since(self, guild_id: int, author_id: int, since: datetime) -> int:
        """How many questions a member asked in a server since a moment (for the per-day limit)."""
        row = await self._db.fetchone(
            _ASKED_SINCE, (guild_id, author_id, to_db_time(since, timespec=SECONDS))
        )
        return int(row[0]) if row is not None else 0

    async def get(self, exchange_id: int) -> Exchange | None:
        """Return an exchange by id."""
        row = await self._db.fetchone(f"SELECT {_COLUMNS} FROM exchanges e WHERE e.id = ?", (exchange_id,))
        return exchange_from_row(row) if row is not None else None

    async def by_thread(self, thread_id: int) -> Exchange | None:
        """Return the exchange whose forum post is this thread."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM exchanges e WHERE e.thread_id = ?", (thread_id,)
        )
        return exchange_from_row(row) if row is not None else None

    async def asked_cities(self, exchange_id: int) -> list[int]:
        """Return the ids of the cities an exchange asks."""
        rows = await self._db.fetchall(
            "SELECT city_id FROM exchange_cities WHERE exchange_id = ? ORDER BY city_id", (exchange_id,)
        )
        return [int(r[0]) for r in rows]

    async def open_thread_ids(self, guild_id: int) -> set[int]:
        """Return the forum threads of the server's open exchanges."""
        rows = await self._db.fetchall(
            "SELECT thread_id FROM exchanges WHERE guild_id = ? AND status = 'open'", (guild_id,)
        )
        return {int(r[0]) for r in rows}

    async def resolve(
        self, exchange_id: int, *, by: int, what_worked: str, what_did_not: str, contact: str
    ) -> Lesson:
        """Store the lesson and mark the exchange resolved, atomically; AlreadyResolvedError if it was."""
        async with self._db.transaction() as conn:
            now = now_db_time(timespec=SECONDS)
            cursor = await conn.execute(
                "UPDATE exchanges SET status = 'resolved', resolved_at = ?, resolved_by = ?"
                " WHERE id = ? AND status = 'open'",
                (now, by, exchange_id),
            )
            if cursor.rowcount != 1:
                raise AlreadyResolvedError(f"exchange {exchange_id} is not open")
            cursor = await conn.execute(
                "INSERT INTO lessons (exchange_id, what_worked, what_did_not, contact, author_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (exchange_id, what_worked, what_did_not, contact, by, now),
            )
            async with conn.execute("SELECT * FROM lessons WHERE id = ?", (cursor.lastrowid,)) as c:
                row = await c.fetchone()
        assert row is not None
        return lesson_from_row(row)

    async def reopen(self, exchange_id: int) -> None:
        """Undo a resolution whose lesson could not be posted: drop the lesson, mark the exchange open."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM lessons WHERE exchange_id = ?", (exchange_id,))
            await conn.execute(
                "UPDATE exchanges SET status = 'open', resolved_at = NULL, resolved_by = NULL WHERE id = ?",
                (exchange_id,),
            )

    async def member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The questions a member asked and the lessons they wrote in a server (for /mydata export)."""
        asked = await self._db.fetchall(
            "SELECT e.id, e.title, e.question, e.theme, e.status, e.thread_id, e.created_at,"
            " e.resolved_at, c.name AS from_city FROM exchanges e LEFT JOIN cities c ON c.id = e.from_city_id"
            " WHERE e.guild_id = ? AND e.author_id = ? ORDER BY e.id",
            (guild_id, user_id),
        )
        lessons = await self._db.fetchall(
            "SELECT l.exchange_id, e.title, l.what_worked, l.what_did_not, l.contact, l.created_at"
            " FROM lessons l JOIN exchanges e ON e.id = l.exchange_id"
            " WHERE e.guild_id = ? AND l.author_id = ? ORDER BY l.id",
            (guild_id, user_id),
        )
        return {
            "exchanges_asked": [
                {
                    "exchange_id": row["id"],
                    **{key: row[key] for key in _ASKED_FIELDS},
                }
                for row in asked
            ],
            "lessons_written": [
                {
                    "exchange_id": row["exchange_id"],
                    "exchange_title": row["title"],
                    **{key: row[key] for key in _LESSON_FIELDS},
                }
                for row in lessons
            ],
        }

    async def forget_member(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Unlink a member from the questions and lessons they wrote in a server; the text stays.

        Questions and lessons are community content, also posted in the forum, so they are kept, with
        ERASED_AUTHOR in place of the member's id (only moderators can then resolve their open ones).
        """
        async with self._db.transaction() as conn:
            asked = await conn.execute(
                "UPDATE exchanges SET author_id = ? WHERE guild_id = ? AND author_id = ?",
                (ERASED_AUTHOR, guild_id, user_id),
            )
            await conn.execute(
                "UPDATE exchanges SET resolved_by = NULL WHERE guild_id = ? AND resolved_by = ?",
                (guild_id, user_id),
            )
            lessons = await conn.execute(
                "UPDATE lessons SET author_id = ? WHERE author_id = ?"
                " AND exchange_id IN (SELECT id FROM exchanges WHERE guild_id = ?)",
                (ERASED_AUTHOR, user_id, guild_id),
            )
            return {"exchanges_unlinked": asked.rowcount, "lessons_unlinked": lessons.rowcount}

    async def lesson(self, exchange_id: int) -> Lesson | None:
        """Return the lesson of a resolved exchange."""
        row = await self._db.fetchone("SELECT * FROM lessons WHERE exchange_id = ?", (exchange_id,))
        return lesson_from_row(row) if row is not None else None

    async def page(
        self,
        guild_id: int,
        *,
        city_id: int | None = None,
        theme: str | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = 10,
    ) -> tuple[list[Exchange], int]:
        """Return one page of the server's exchanges, newest first, filtered, and the total."""
        where = ["e.guild_id = ?"]
        params: list[Any] = [guild_id]
        if city_id is not None:
            where.append(_involving())
            params += [city_id, city_id]
        if theme is not None:
            where.append("e.theme = ?")
            params.append(theme)
        if status is not None:
            where.append("e.status = ?")
            params.append(status)
        condition = " AND ".join(where)
        total = await self._db.fetchone(f"SELECT COUNT(*) FROM exchanges e WHERE {condition}", params)
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM exchanges e WHERE {condition} ORDER BY e.id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [exchange_from_row(r) for r in rows], int(total[0]) if total else 0

    async def city_activity(self, city_id: int, *, recent: int = 5) -> CityActivity:
        """Count a city's open and resolved exchanges and lessons, with its most recent exchanges."""
        row = await self._db.fetchone(
            "SELECT COALESCE(SUM(e.status = 'open'), 0), COALESCE(SUM(e.status = 'resolved'), 0)"
            f" FROM exchanges e WHERE {_involving()}",
            (city_id, city_id),
        )
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM exchanges e WHERE {_involving()} ORDER BY e.id DESC LIMIT ?",
            (city_id, city_id, recent),
        )
        open_count, resolved = (int(row[0]), int(row[1])) if row else (0, 0)
        # Every resolved exchange has exactly one lesson (same transaction), so they count alike.
        return CityActivity(open_count, resolved, resolved, [exchange_from_row(r) for r in rows])

    async def search(
        self,
        guild_id: int,
        text: str,
        *,
        theme: str | None = None,
        city_id: int | None = None,
        limit: int = 5,
        snippet_tokens: int = 24,
    ) -> list[SearchHit]:
        """Full-text search over the server's questions and lessons, best bm25 first."""
        # Every word must match; if that finds nothing, any word may. ValueError when there is no word.
        terms = search_terms(text)
        hits = await self._search(guild_id, fts_query(terms), theme, city_id, limit, snippet_tokens)
        if not hits and len(terms) > 1:
            hits = await self._search(
                guild_id, fts_query(terms, any_term=True), theme, city_id, limit, snippet_tokens
            )
        return hits

    async def _search(
        self,
        guild_id: int,
        match: str,
        theme: str | None,
        city_id: int | None,
        limit: int,
        snippet_tokens: int,
    ) -> list[SearchHit]:
        """Run one FTS5 query with the filters."""
        weights = ", ".join(str(w) for w in _WEIGHTS)
        where = ["exchange_search MATCH ?", "e.guild_id = ?"]
        params: list[Any] = [HIGHLIGHT_START, HIGHLIGHT_END, int(snippet_tokens), match, guild_id]
        if theme is not None:
            where.append("e.theme = ?")
            params.append(theme)
        if city_id is not None:
            where.append(_involving())
            params += [city_id, city_id]
        params.append(limit)
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS}, snippet(exchange_search, -1, ?, ?, '…', ?) AS snip,"
            f" bm25(exchange_search, {weights}) AS score,"
            " EXISTS (SELECT 1 FROM lessons l WHERE l.exchange_id = e.id) AS has_lesson"
            " FROM exchange_search JOIN exchanges e ON e.id = exchange_search.rowid"
            f" WHERE {' AND '.join(where)} ORDER BY score LIMIT ?",
            params,
        )
        return [
            SearchHit(exchange_from_row(r), str(r["snip"]), float(r["score"]), bool(r["has_lesson"]))
            for r in rows
        ]
