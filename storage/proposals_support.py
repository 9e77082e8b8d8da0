"""The Support click of a proposal: one short transaction on the writer (storage.database.Database.write).

It runs on the writer's thread (or inline when the writer is free), so it uses plain sqlite3 and
reads the proposal and the member's support in one statement, by position.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from storage.proposal_records import Proposal, SupportAction, SupportResult, support_click
from storage.times import from_db_time, to_db_time

# The columns of a Proposal in its fields' order, then the clicking member's support time.
_PROPOSAL_COLUMNS = (
    "id, guild_id, author_id, city_id, city_name, theme, title, body, benefit, status, progress, supports,"
    " forum_id, thread_id, message_id, created_at, updated_at, threshold_notified_at, consent_version,"
    " consent_language"
)
_SUPPORT_STATE = (
    f"SELECT {', '.join('p.' + c.strip() for c in _PROPOSAL_COLUMNS.split(','))}, s.supported_at"
    " FROM proposals p LEFT JOIN proposal_supports s ON s.proposal_id = p.id AND s.user_id = ?"
    " WHERE p.id = ? AND p.guild_id = ?"
)
_STATUS, _SUPPORTS, _NOTIFIED, _HELD_AT = 9, 11, 17, 20
_INSERT_SUPPORT = "INSERT INTO proposal_supports (proposal_id, user_id, supported_at) VALUES (?, ?, ?)"
# COALESCE: the notice time is set once (NULL as the parameter leaves it as it is).
_ADD_SUPPORT = (
    "UPDATE proposals SET supports = supports + 1,"
    " threshold_notified_at = COALESCE(threshold_notified_at, ?) WHERE id = ?"
)
_DELETE_SUPPORT = "DELETE FROM proposal_supports WHERE proposal_id = ? AND user_id = ?"
_REMOVE_SUPPORT = "UPDATE proposals SET supports = supports - 1 WHERE id = ?"


def toggle_support(
    conn: sqlite3.Connection, proposal_id: int, guild_id: int, user_id: int, now: datetime, threshold: int
) -> SupportResult:
    """On the writer's thread, inside the click's transaction: read the proposal and support, apply, write."""
    cursor = conn.cursor()
    # Plain tuples, read by position: on this path, looking columns up by name costs more than the rules.
    cursor.row_factory = None
    row = cursor.execute(_SUPPORT_STATE, (user_id, proposal_id, guild_id)).fetchone()
    if row is None:
        cursor.close()
        return SupportResult(SupportAction.NOT_FOUND, None)
    held = from_db_time(row[_HELD_AT])
    age = None if held is None else (now - held).total_seconds()
    action = support_click(age, row[_STATUS])
    values = list(row[:_HELD_AT])
    reached = False
    if action is SupportAction.SUPPORTED:
        stamp = to_db_time(now)
        # The row was read inside this write transaction, so its count and notice time are exact:
        # the first support at or over the threshold claims the notice, told once.
        reached = row[_NOTIFIED] is None and row[_SUPPORTS] + 1 >= threshold
        cursor.execute(_INSERT_SUPPORT, (proposal_id, user_id, stamp))
        cursor.execute(_ADD_SUPPORT, (stamp if reached else None, proposal_id))
        values[_SUPPORTS] += 1
        if reached:
            values[_NOTIFIED] = stamp
    elif action is SupportAction.WITHDRAWN:
        cursor.execute(_DELETE_SUPPORT, (proposal_id, user_id))
        cursor.execute(_REMOVE_SUPPORT, (proposal_id,))
        values[_SUPPORTS] -= 1
    cursor.close()
    return SupportResult(action, _positional_proposal(values), reached)


def _positional_proposal(values: list[Any]) -> Proposal:
    """A Proposal from its columns in _PROPOSAL_COLUMNS order."""
    return Proposal(
        id=int(values[0]),
        guild_id=int(values[1]),
        author_id=values[2],
        city_id=values[3],
        city_name=values[4],
        theme=values[5],
        title=values[6],
        body=values[7],
        benefit=values[8],
        status=values[9],
        progress=int(values[10]),
        supports=int(values[11]),
        forum_id=values[12],
        thread_id=values[13],
        message_id=values[14],
        created_at=from_db_time(values[15]),
        updated_at=from_db_time(values[16]),
        threshold_notified_at=from_db_time(values[17]),
        consent_version=values[18],
        consent_language=values[19],
    )
