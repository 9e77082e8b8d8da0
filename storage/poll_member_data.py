"""A member's ballots, for /mydata: what an export shows, and what erasure withdraws or unlinks.

Mixed into PollsRepository. Erasure withdraws the member's ballots from open polls (their vote no
longer counts, as if they had retracted it) and, in closed non-anonymous polls, replaces their id by
a random pseudonym and the time of the ballot by its day, so the final counts and the ballot export
keep their rows but nothing links them to the member any more (an exact time could, next to a log
or a screenshot). Closed anonymous polls hold no ballots at all. The writer overwrites freed space
(secure_delete, set by storage.database) and the write-ahead log is emptied after an erasure, so the
erased values stay in neither file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.base import Repository
from storage.poll_keys import erased_key, voter_key
from storage.times import from_db_time, to_db_time


def day_of(stored_time: str | None) -> str | None:
    """A stored time rounded down to its day (UTC midnight), in the same text form; None stays None."""
    moment = from_db_time(stored_time)
    if moment is None:
        return None
    return to_db_time(moment.replace(hour=0, minute=0, second=0, microsecond=0))


@dataclass(frozen=True)
class BallotErasure:
    """What erasing a member's ballots in one server did."""

    withdrawn: int  # ballots deleted from open non-anonymous polls
    withdrawn_anonymous: int  # ballots deleted from open anonymous polls
    unlinked: int  # ballots of closed polls now stored under a pseudonym
    open_poll_ids: tuple[int, ...]  # open polls whose tally changed, to repaint

    def counts(self) -> dict[str, int]:
        """The numbers by kind, as /mydata forget reports them."""
        return {
            "open_poll_ballots_withdrawn": self.withdrawn + self.withdrawn_anonymous,
            "closed_poll_ballots_unlinked": self.unlinked,
        }


class PollMemberData(Repository):
    """A member's own poll data in one server: read it, or erase it."""

    async def member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The member's ballots in the server's non-anonymous polls and the polls they created."""
        ballots = await self._db.fetchall(
            "SELECT p.id, p.question, p.closed_at, v.option_idx, o.label, v.voted_at FROM poll_votes v"
            " JOIN polls p ON p.id = v.poll_id"
            " JOIN poll_options o ON o.poll_id = v.poll_id AND o.idx = v.option_idx"
            " WHERE p.guild_id = ? AND p.anonymous = 0 AND v.voter_key = ? ORDER BY p.id, v.option_idx",
            (guild_id, str(user_id)),
        )
        created = await self._db.fetchall(
            "SELECT id, question, anonymous, created_at, closed_at FROM polls"
            " WHERE guild_id = ? AND created_by = ? ORDER BY id",
            (guild_id, user_id),
        )
        return {
            "poll_ballots": [
                {
                    "poll_id": int(row["id"]),
                    "question": str(row["question"]),
                    "poll_state": "open" if row["closed_at"] is None else "closed",
                    "option_index": int(row["option_idx"]),
                    "option": str(row["label"]),
                    "voted_at": row["voted_at"],
                }
                for row in ballots
            ],
            "moderator_actions": {
                "polls_created": [
                    {
                        "poll_id": int(row["id"]),
                        "question": str(row["question"]),
                        "anonymous": bool(row["anonymous"]),
                        "created_at": row["created_at"],
                        "closed_at": row["closed_at"],
                    }
                    for row in created
                ]
            },
        }

    async def forget_member(self, guild_id: int, user_id: int) -> BallotErasure:
        """Withdraw the member's ballots from the server's open polls and unlink those of closed ones.

        One transaction. Counts of closed polls do not change (the counting triggers only run while a
        poll is open); open polls' counts drop as if the member had retracted their vote.
        """
        member_key = str(user_id)
        async with self._db.transaction() as conn:
            touched = {
                int(row[0])
                for row in await conn.execute_fetchall(
                    "SELECT DISTINCT v.poll_id FROM poll_votes v JOIN polls p ON p.id = v.poll_id"
                    " WHERE p.guild_id = ? AND p.anonymous = 0 AND p.closed_at IS NULL AND v.voter_key = ?",
                    (guild_id, member_key),
                )
            }
            cursor = await conn.execute(
                "DELETE FROM poll_votes WHERE voter_key = ? AND poll_id IN"
                " (SELECT id FROM polls WHERE guild_id = ? AND anonymous = 0 AND closed_at IS NULL)",
                (member_key, guild_id),
            )
            withdrawn = cursor.rowcount
            withdrawn_anonymous = 0
            # While an anonymous poll is open the bot can still find a member's ballot (it recomputes
            # the keyed hash at each click), so erasure withdraws it too.
            anonymous = await conn.execute_fetchall(
                "SELECT id, secret FROM polls WHERE guild_id = ? AND anonymous = 1 AND closed_at IS NULL"
                " AND secret IS NOT NULL",
                (guild_id,),
            )
            for row in anonymous:
                cursor = await conn.execute(
                    "DELETE FROM poll_votes WHERE poll_id = ? AND voter_key = ?",
                    (int(row["id"]), voter_key(user_id, bytes(row["secret"]))),
                )
                if cursor.rowcount:
                    withdrawn_anonymous += cursor.rowcount
                    touched.add(int(row["id"]))
            closed = await conn.execute_fetchall(
                "SELECT DISTINCT v.poll_id FROM poll_votes v JOIN polls p ON p.id = v.poll_id"
                " WHERE p.guild_id = ? AND p.anonymous = 0 AND p.closed_at IS NOT NULL AND v.voter_key = ?",
                (guild_id, member_key),
            )
            unlinked = 0
            for row in closed:
                unlinked += await _unlink(conn, int(row[0]), member_key)
        if withdrawn or withdrawn_anonymous or unlinked:
            # The writer runs with secure_delete, so only the WAL's older frames still hold the values.
            await self._db.checkpoint_truncate()
        return BallotErasure(withdrawn, withdrawn_anonymous, unlinked, tuple(sorted(touched)))


async def _unlink(conn: aiosqlite.Connection, poll_id: int, member_key: str) -> int:
    """Put a member's ballots in one closed poll under one fresh pseudonym, each kept only to the day."""
    pseudonym = erased_key()
    ballots = list(
        await conn.execute_fetchall(
            "SELECT option_idx, voted_at FROM poll_votes WHERE poll_id = ? AND voter_key = ?",
            (poll_id, member_key),
        )
    )
    await conn.executemany(
        "UPDATE poll_votes SET voter_key = ?, voted_at = ?"
        " WHERE poll_id = ? AND voter_key = ? AND option_idx = ?",
        [
            (pseudonym, day_of(ballot["voted_at"]), poll_id, member_key, int(ballot["option_idx"]))
            for ballot in ballots
        ],
    )
    return len(ballots)
