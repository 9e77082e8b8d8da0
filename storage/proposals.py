"""Citizen proposals: submit, support (one per member), answer, progress, withdraw, export, erase.

Every write is one transaction that applies the rules of storage.proposal_records to the state it
reads inside that transaction, so two clicks or two moderators never race each other. The records
are in storage.proposal_records (re-exported here).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import aiosqlite

from storage.base import Repository
from storage.proposal_records import (
    ANSWER_STATUSES,
    DEFAULT_THRESHOLD,
    ERASED,
    FINAL_STATUSES,
    STATUSES,
    Change,
    Proposal,
    ProposalError,
    ProposalEvent,
    SupportAction,
    SupportCell,
    SupportResult,
    check_answer,
    check_progress,
    event_from_row,
    masked_count,
    own_proposal,
    proposal_filters,
    proposal_from_row,
)
from storage.proposals_support import toggle_support as _toggle_support
from storage.times import to_db_time

__all__ = [
    "ANSWER_STATUSES",
    "DEFAULT_THRESHOLD",
    "FINAL_STATUSES",
    "STATUSES",
    "Change",
    "Proposal",
    "ProposalError",
    "ProposalEvent",
    "ProposalsRepository",
    "SupportAction",
    "SupportCell",
    "SupportResult",
    "masked_count",
]

SORTS = {"newest": "id DESC", "supported": "supports DESC, id DESC"}
_SELECT = "SELECT * FROM proposals "


class ProposalsRepository(Repository):
    """Stores proposals, supports, timelines, opt-outs and each server's proposal settings."""

    async def create(
        self,
        *,
        guild_id: int,
        author_id: int,
        city_id: int | None,
        city_name: str | None,
        theme: str,
        title: str,
        body: str,
        benefit: str,
        now: datetime,
        consent: tuple[str, str] = ("0", "en"),
    ) -> Proposal:
        """Store a new open proposal with its "submitted" history row and the consent (version,
        language) its author agreed to; no forum post yet."""
        stamp = to_db_time(now)
        version, language = consent
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO proposals (guild_id, author_id, city_id, city_name, theme, title, body, benefit,"
                " created_at, updated_at, consent_version, consent_language)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    author_id,
                    city_id,
                    city_name,
                    theme,
                    title,
                    body,
                    benefit,
                    stamp,
                    stamp,
                    version,
                    language,
                ),
            )
            proposal_id = int(cursor.lastrowid or 0)
            await _add_event(conn, proposal_id, "submitted", "open", None, "", None, stamp)
            return await _read(conn, proposal_id)

    async def set_post(self, proposal_id: int, forum_id: int, thread_id: int, message_id: int) -> Proposal:
        """Record where the proposal's forum post and its first message are."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE proposals SET forum_id = ?, thread_id = ?, message_id = ? WHERE id = ?",
                (forum_id, thread_id, message_id, proposal_id),
            )
            return await _read(conn, proposal_id)

    async def delete(self, proposal_id: int) -> None:
        """Remove a proposal whose forum post could not be made (nothing else refers to it yet)."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM proposals WHERE id = ?", (proposal_id,))

    async def get(self, proposal_id: int, *, guild_id: int) -> Proposal | None:
        """The proposal of this server with that id."""
        row = await self._db.fetchone(_SELECT + "WHERE id = ? AND guild_id = ?", (proposal_id, guild_id))
        return None if row is None else proposal_from_row(row)

    async def by_id(self, proposal_id: int) -> Proposal | None:
        """The proposal with that id in any server (for repaints, which know only the id)."""
        row = await self._db.fetchone(_SELECT + "WHERE id = ?", (proposal_id,))
        return None if row is None else proposal_from_row(row)

    async def by_thread(self, thread_id: int) -> Proposal | None:
        """The proposal whose forum post is this thread."""
        row = await self._db.fetchone(_SELECT + "WHERE thread_id = ?", (thread_id,))
        return None if row is None else proposal_from_row(row)

    async def toggle_support(
        self, proposal_id: int, *, guild_id: int, user_id: int, now: datetime, threshold: int
    ) -> SupportResult:
        """Apply one Support click in one transaction; tell whether it just reached the threshold.

        The whole click (read, rules, write) is one call on the writer (Database.write), and this
        returns only once it is committed.
        """
        return await self._db.write(
            lambda conn: _toggle_support(conn, proposal_id, guild_id, user_id, now, threshold)
        )

    async def answer(
        self, proposal_id: int, *, guild_id: int, status: str, reason: str, actor_id: int, now: datetime
    ) -> Change:
        """Change a proposal's status with a history row; ProposalError when its state forbids it."""
        async with self._db.transaction() as conn:
            current = await _read_in_guild(conn, proposal_id, guild_id)
            check_answer(current.status, status, reason)
            progress = 100 if status == "implemented" else current.progress
            return await _change(conn, current, "status", status, progress, reason, actor_id, now)

    async def update_progress(
        self, proposal_id: int, *, guild_id: int, progress: int, note: str, actor_id: int, now: datetime
    ) -> Change:
        """Record progress on an accepted proposal; 100 % marks it implemented."""
        async with self._db.transaction() as conn:
            current = await _read_in_guild(conn, proposal_id, guild_id)
            status = check_progress(current.status, progress)
            return await _change(conn, current, "progress", status, progress, note, actor_id, now)

    async def withdraw(self, proposal_id: int, *, guild_id: int, user_id: int, now: datetime) -> Change:
        """The author withdraws their open proposal (kept for history, marked withdrawn)."""
        async with self._db.transaction() as conn:
            current = await _read_in_guild(conn, proposal_id, guild_id)
            if current.author_id != user_id:
                raise ProposalError("not-author")
            if not current.is_open:
                raise ProposalError("not-open")
            return await _change(conn, current, "withdrawn", "withdrawn", current.progress, "", None, now)

    async def erase_text(self, proposal_id: int, *, guild_id: int, user_id: int, now: datetime) -> Proposal:
        """The author withdraws an open proposal (or takes an already withdrawn one) and erases it: title,
        text and benefit become ERASED and the post's ids are forgotten; the history rows stay."""
        async with self._db.transaction() as conn:
            current = await _read_in_guild(conn, proposal_id, guild_id)
            if current.author_id != user_id:
                raise ProposalError("not-author")
            if current.is_open:
                await _change(conn, current, "withdrawn", "withdrawn", current.progress, "", None, now)
            elif current.status != "withdrawn":
                raise ProposalError("not-open")
            await conn.execute(
                "UPDATE proposals SET title = ?, body = ?, benefit = ?, forum_id = NULL, thread_id = NULL,"
                " message_id = NULL WHERE id = ?",
                (ERASED, ERASED, ERASED, proposal_id),
            )
            return await _read(conn, proposal_id)

    async def timeline(self, proposal_id: int) -> list[ProposalEvent]:
        """Every step of a proposal's history, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM proposal_events WHERE proposal_id = ? ORDER BY id", (proposal_id,)
        )
        return [event_from_row(row) for row in rows]

    async def recipients(self, proposal: Proposal) -> list[int]:
        """Who hears of a change: the author and every supporter, except those who opted out."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM proposal_supports WHERE proposal_id = ? AND user_id NOT IN"
            " (SELECT user_id FROM proposal_optouts WHERE guild_id = ?) ORDER BY supported_at",
            (proposal.id, proposal.guild_id),
        )
        people = [int(row["user_id"]) for row in rows]
        author = proposal.author_id
        if (
            author is not None
            and author not in people
            and not await self.opted_out(proposal.guild_id, author)
        ):
            people.insert(0, author)
        return people

    async def opted_out(self, guild_id: int, user_id: int) -> bool:
        """Whether the member asked for no more proposal messages in this server."""
        row = await self._db.fetchone(
            "SELECT 1 FROM proposal_optouts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return row is not None

    async def opt_out(self, guild_id: int, user_id: int, now: datetime) -> bool:
        """Stop proposal messages to the member in this server; False if they had already stopped them."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO proposal_optouts (guild_id, user_id, opted_out_at) VALUES (?, ?, ?)",
                (guild_id, user_id, to_db_time(now)),
            )
            return cursor.rowcount == 1

    async def threshold(self, guild_id: int) -> int:
        """How many supports make the moderators hear of a proposal."""
        row = await self._db.fetchone(
            "SELECT threshold FROM proposal_settings WHERE guild_id = ?", (guild_id,)
        )
        return DEFAULT_THRESHOLD if row is None else int(row["threshold"])

    async def set_threshold(self, guild_id: int, threshold: int) -> None:
        """Store the server's support threshold."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO proposal_settings (guild_id, threshold) VALUES (?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET threshold = excluded.threshold",
                (guild_id, threshold),
            )

    async def export_secret(self, guild_id: int) -> bytes:
        """The server's key for pseudonymous author ids in exports (made on first use)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO proposal_settings (guild_id, threshold, export_secret) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET"
                " export_secret = coalesce(export_secret, excluded.export_secret)",
                (guild_id, DEFAULT_THRESHOLD, secrets.token_bytes(32)),
            )
            async with conn.execute(
                "SELECT export_secret FROM proposal_settings WHERE guild_id = ?", (guild_id,)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return bytes(row["export_secret"])

    async def page(
        self,
        guild_id: int,
        *,
        city_id: int | None = None,
        status: str | None = None,
        theme: str | None = None,
        sort: str = "newest",
        offset: int = 0,
        limit: int = 10,
    ) -> tuple[list[Proposal], int]:
        """One page of the server's proposals matching the filters, and how many match in all."""
        where, params = proposal_filters(guild_id, city_id, status, theme)
        total_row = await self._db.fetchone(f"SELECT count(*) AS n FROM proposals WHERE {where}", params)
        rows = await self._db.fetchall(
            f"{_SELECT} WHERE {where} ORDER BY {SORTS.get(sort, SORTS['newest'])} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [proposal_from_row(row) for row in rows], int(total_row["n"]) if total_row else 0

    async def complete(self, guild_id: int, text: str, *, limit: int = 25) -> list[Proposal]:
        """Proposals whose number or title contains what was typed, newest first."""
        needle = text.strip().lstrip("#")
        rows = await self._db.fetchall(
            _SELECT + "WHERE guild_id = ? AND (instr(lower(title), lower(?)) > 0 OR CAST(id AS TEXT) LIKE ?)"
            " ORDER BY id DESC LIMIT ?",
            (guild_id, needle, f"{needle}%", limit),
        )
        return [proposal_from_row(row) for row in rows]

    async def for_export(
        self, guild_id: int, city_id: int | None
    ) -> tuple[list[Proposal], list[ProposalEvent], list[SupportCell]]:
        """A server's proposals (of one city, if given), their timelines and supports by group and city."""
        where, params = proposal_filters(guild_id, city_id, None, None)
        proposals = [
            proposal_from_row(r)
            for r in await self._db.fetchall(f"{_SELECT} WHERE {where} ORDER BY id", params)
        ]
        events = [
            event_from_row(r)
            for r in await self._db.fetchall(
                f"SELECT * FROM proposal_events WHERE proposal_id IN (SELECT id FROM proposals WHERE {where})"
                " ORDER BY proposal_id, id",
                params,
            )
        ]
        cells = await self._db.fetchall(
            "SELECT s.proposal_id, pr.target_group, c.name AS city, count(*) AS n FROM proposal_supports s"
            " JOIN proposals p ON p.id = s.proposal_id"
            " LEFT JOIN profiles pr ON pr.guild_id = p.guild_id AND pr.user_id = s.user_id"
            " LEFT JOIN cities c ON c.id = pr.city_id"
            f" WHERE s.proposal_id IN (SELECT id FROM proposals WHERE {where})"
            " GROUP BY s.proposal_id, pr.target_group, c.name"
            " ORDER BY s.proposal_id, pr.target_group, c.name",
            params,
        )
        support = [
            SupportCell(int(r["proposal_id"]), r["target_group"], r["city"], int(r["n"])) for r in cells
        ]
        return proposals, events, support

    async def counts(self, guild_id: int, since: datetime) -> dict[str, int]:
        """Proposals and supports made in a server since a time (for /insights)."""
        stamp = to_db_time(since)
        proposals = await self._db.fetchone(
            "SELECT count(*) AS n FROM proposals WHERE guild_id = ? AND created_at >= ?", (guild_id, stamp)
        )
        supports = await self._db.fetchone(
            "SELECT count(*) AS n FROM proposal_supports s JOIN proposals p ON p.id = s.proposal_id"
            " WHERE p.guild_id = ? AND s.supported_at >= ?",
            (guild_id, stamp),
        )
        return {
            "proposals": int(proposals["n"]) if proposals else 0,
            "supports": int(supports["n"]) if supports else 0,
        }

    # --- a member's data (/mydata) ----------------------------------------------------------------

    async def member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The member's proposals, supports and opt-out, and the answers they gave as a moderator."""
        mine = await self._db.fetchall(
            _SELECT + "WHERE guild_id = ? AND author_id = ? ORDER BY id", (guild_id, user_id)
        )
        supports = await self._db.fetchall(
            "SELECT p.id, p.title, s.supported_at FROM proposal_supports s JOIN proposals p"
            " ON p.id = s.proposal_id WHERE p.guild_id = ? AND s.user_id = ? ORDER BY s.supported_at",
            (guild_id, user_id),
        )
        answers = await self._db.fetchall(
            "SELECT e.proposal_id, e.kind, e.status, e.progress, e.note, e.created_at FROM proposal_events e"
            " JOIN proposals p ON p.id = e.proposal_id WHERE p.guild_id = ? AND e.actor_id = ? ORDER BY e.id",
            (guild_id, user_id),
        )
        stopped = await self._db.fetchall(
            "SELECT opted_out_at FROM proposal_optouts WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return {
            "proposals": [own_proposal(proposal_from_row(row)) for row in mine],
            "proposal_supports": [
                {"proposal": int(r["id"]), "title": r["title"], "supported_at": r["supported_at"]}
                for r in supports
            ],
            "proposal_messages": [{"stopped_at": row["opted_out_at"]} for row in stopped],
            "moderator_actions": {"proposal_answers": [dict(row) for row in answers]},
        }

    async def erase_member(self, guild_id: int, user_id: int) -> tuple[dict[str, int], list[int]]:
        """Delete supports and opt-out, unlink proposals; return counts and the ids of posts to repaint."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT s.proposal_id FROM proposal_supports s JOIN proposals p ON p.id = s.proposal_id"
                " WHERE p.guild_id = ? AND s.user_id = ?",
                (guild_id, user_id),
            ) as cursor:
                touched = [int(row[0]) for row in await cursor.fetchall()]
            for proposal_id in touched:
                await conn.execute(
                    "DELETE FROM proposal_supports WHERE proposal_id = ? AND user_id = ?",
                    (proposal_id, user_id),
                )
                await conn.execute(
                    "UPDATE proposals SET supports = supports - 1 WHERE id = ?", (proposal_id,)
                )
            async with conn.execute(
                "SELECT id FROM proposals WHERE guild_id = ? AND author_id = ?", (guild_id, user_id)
            ) as cursor:
                authored = [int(row[0]) for row in await cursor.fetchall()]
            await conn.execute(
                "UPDATE proposals SET author_id = NULL WHERE guild_id = ? AND author_id = ?",
                (guild_id, user_id),
            )
            await conn.execute(
                "DELETE FROM proposal_optouts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
        counts = {"proposal_supports": len(touched), "proposals_unlinked": len(authored)}
        return counts, sorted({*touched, *authored})


async def _read(conn: aiosqlite.Connection, proposal_id: int) -> Proposal:
    """Read a proposal inside a transaction."""
    async with conn.execute(_SELECT + "WHERE id = ?", (proposal_id,)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise ProposalError("not-found")
    return proposal_from_row(row)


async def _read_in_guild(conn: aiosqlite.Connection, proposal_id: int, guild_id: int) -> Proposal:
    """Read a proposal of one server inside a transaction, or raise ProposalError("not-found")."""
    proposal = await _read(conn, proposal_id)
    if proposal.guild_id != guild_id:
        raise ProposalError("not-found")
    return proposal


async def _add_event(
    conn: aiosqlite.Connection,
    proposal_id: int,
    kind: str,
    status: str,
    progress: int | None,
    note: str,
    actor_id: int | None,
    stamp: str,
) -> ProposalEvent:
    """Append one history row and return it."""
    cursor = await conn.execute(
        "INSERT INTO proposal_events (proposal_id, kind, status, progress, note, actor_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (proposal_id, kind, status, progress, note, actor_id, stamp),
    )
    async with conn.execute("SELECT * FROM proposal_events WHERE id = ?", (cursor.lastrowid,)) as read:
        row = await read.fetchone()
    assert row is not None
    return event_from_row(row)


async def _change(
    conn: aiosqlite.Connection,
    current: Proposal,
    kind: str,
    status: str,
    progress: int,
    note: str,
    actor_id: int | None,
    now: datetime,
) -> Change:
    """Store a new status and progress with its history row (inside the caller's transaction)."""
    stamp = to_db_time(now)
    await conn.execute(
        "UPDATE proposals SET status = ?, progress = ?, updated_at = ? WHERE id = ?",
        (status, progress, stamp, current.id),
    )
    shown = progress if kind == "progress" or status == "implemented" else None
    event = await _add_event(conn, current.id, kind, status, shown, note, actor_id, stamp)
    return Change(await _read(conn, current.id), event, current.status)
