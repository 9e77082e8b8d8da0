"""Testimonial campaigns, submitted stories with their consent, photos and moderation decisions.

The async repository serves the bot; storage/testimonials_export.py holds the read-only snapshot an
export streams from.
"""

from __future__ import annotations

import functools
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.testimonial_member_data import TestimonialMemberData
from storage.times import from_db_time, to_db_time

# Testimonial times are stored to the second.
STORED = "seconds"

CONSENT_SCOPES = ("named", "anonymous", "research")


class TestimonialStoreError(Exception):
    """Base of the repository's refusals; the message is fit to show a member."""

    __test__ = False  # not a pytest test class, despite the name


class CampaignExistsError(TestimonialStoreError):
    """A campaign with that name already exists on the server."""


class UnknownCampaignError(TestimonialStoreError):
    """No campaign with that name on the server."""


class CampaignClosedError(TestimonialStoreError):
    """The campaign no longer takes submissions."""


class UnknownTestimonialError(TestimonialStoreError):
    """No such testimonial (or not one the member may act on)."""


class AlreadyDecidedError(TestimonialStoreError):
    """A moderator already decided on this testimonial."""

    def __init__(self, testimonial: Testimonial) -> None:
        """Keep the testimonial as it stands, so the caller can say who decided and when."""
        super().__init__(f"Testimonial #{testimonial.id} was already {testimonial.status}.")
        self.testimonial = testimonial


def campaign_key(name: str) -> str:
    """The form of a campaign name used to find it: normalised, case-folded, trimmed."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


@dataclass(frozen=True)
class Campaign:
    """A call for testimonials on one server."""

    id: int
    guild_id: int
    name: str
    prompt: str
    licence: str
    max_photo_bytes: int
    created_by: int
    created_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None

    def accepts_submissions(self, now: datetime) -> bool:
        """Whether a submission at `now` is taken: not closed by hand and its closing time not reached."""
        return self.closed_at is None and (self.closes_at is None or now < self.closes_at)


@dataclass(frozen=True)
class CampaignSummary:
    """A campaign with how many of its testimonials are in each state."""

    campaign: Campaign
    pending: int
    approved: int
    rejected: int


@dataclass(frozen=True)
class Media:
    """A stored photo, named by the sha256 of its (cleaned) bytes; relpath is under the media folder."""

    sha256: str
    relpath: str
    mediatype: str
    bytes: int
    width: int
    height: int


@dataclass(frozen=True)
class NewTestimonial:
    """What a member submitted, with the consent they gave; validated by the caller."""

    guild_id: int
    campaign_name: str
    author_id: int
    author_name: str
    story: str
    city: str
    target_group: str
    consent_scope: str
    consent_version: str
    consent_text: str
    consented_at: datetime


@dataclass(frozen=True)
class Testimonial(NewTestimonial):
    """A stored testimonial: what was submitted and consented to, and where it stands."""

    __test__ = False  # not a pytest test class, despite the name

    id: int
    campaign_id: int
    licence: str
    media: Media | None
    submitted_at: datetime
    status: str
    moderation_channel_id: int | None
    moderation_message_id: int | None
    showcase_channel_id: int | None
    showcase_message_id: int | None
    decided_by: int | None
    decided_at: datetime | None
    reject_reason: str | None


@dataclass(frozen=True)
class Decision:
    """One moderator's decision on a testimonial."""

    decision: str
    moderator_id: int
    decided_at: datetime
    reason: str | None


@dataclass(frozen=True)
class Removal:
    """A deleted testimonial and the media files no other testimonial uses any more."""

    testimonial: Testimonial
    orphaned_media: tuple[Media, ...]


SELECT_CAMPAIGN = "SELECT c.* FROM testimonial_campaigns c "
SELECT_TESTIMONIAL = (
    "SELECT t.*, c.name AS campaign_name, m.relpath, m.mediatype, m.bytes, m.width, m.height "
    "FROM testimonials t JOIN testimonial_campaigns c ON c.id = t.campaign_id "
    "LEFT JOIN testimonial_media m ON m.sha256 = t.media_sha256 "
)
_TIME_FIELDS = frozenset(
    {"created_at", "closes_at", "closed_at", "consented_at", "submitted_at", "decided_at"}
)
_T = TypeVar("_T")


@functools.cache
def _field_names(cls: type) -> tuple[tuple[str, bool], ...]:
    """A record class's field names, each with whether it holds a stored time."""
    return tuple((f.name, f.name in _TIME_FIELDS) for f in fields(cls))


def build_record(cls: type[_T], row: Any, **given: Any) -> _T:
    """Build a record dataclass from a row's same-named columns (times parsed), plus given values."""
    values = {
        name: from_db_time(row[name]) if is_time else row[name]
        for name, is_time in _field_names(cls)  # type: ignore[arg-type]
        if name not in given
    }
    return cls(**values, **given)


def _media(row: Any) -> Media | None:
    """The media of a row that joined testimonial_media (media_sha256, relpath, ...), or None."""
    if row["media_sha256"] is None:
        return None
    return build_record(Media, row, sha256=row["media_sha256"])


def campaign_from_row(row: Any) -> Campaign:
    """Build a Campaign from a testimonial_campaigns row."""
    return build_record(Campaign, row)


def testimonial_from_row(row: Any) -> Testimonial:
    """Build a Testimonial from a row selected with SELECT_TESTIMONIAL."""
    return build_record(Testimonial, row, media=_media(row))


def _params(record: Any, **extra: Any) -> dict[str, Any]:
    """A record's fields (times as stored text) plus extra values, as named SQL parameters."""
    values = {} if record is None else {f.name: getattr(record, f.name) for f in fields(record)}
    values.update(extra)
    return {k: to_db_time(v, timespec=STORED) if isinstance(v, datetime) else v for k, v in values.items()}


async def _one(conn: aiosqlite.Connection, sql: str, params: Iterable[Any]) -> aiosqlite.Row | None:
    """Run a query on a transaction's connection and return its first row."""
    async with conn.execute(sql, tuple(params)) as cursor:
        return await cursor.fetchone()


async def _campaign_in(conn: aiosqlite.Connection, guild_id: int, name: str) -> Campaign:
    """The server's campaign with this name (any case) inside a transaction, or UnknownCampaignError."""
    row = await _one(
        conn, SELECT_CAMPAIGN + "WHERE guild_id = ? AND name_key = ?", (guild_id, campaign_key(name))
    )
    if row is None:
        raise UnknownCampaignError(f"There is no campaign named {name!r}.")
    return campaign_from_row(row)


async def _item_in(conn: aiosqlite.Connection, testimonial_id: int) -> Testimonial | None:
    """One testimonial read inside a transaction, or None."""
    row = await _one(conn, SELECT_TESTIMONIAL + "WHERE t.id = ?", [testimonial_id])
    return None if row is None else testimonial_from_row(row)


class TestimonialsRepository(TestimonialMemberData):
    """Campaigns, testimonials, their media records and the moderators' decisions."""

    __test__ = False  # not a pytest test class, despite the name

    @property
    def database_path(self) -> Path:
        """The database file, for opening an export snapshot (storage.testimonials_export)."""
        return self._db.path

    # --- campaigns -------------------------------------------------------------

    async def create_campaign(
        self,
        *,
        guild_id: int,
        name: str,
        prompt: str,
        licence: str,
        max_photo_bytes: int,
        created_by: int,
        now: datetime,
        closes_at: datetime | None = None,
    ) -> Campaign:
        """Create an open campaign; CampaignExistsError if the name (any case) is taken on the server."""
        values = _params(
            None, guild_id=guild_id, name=name, prompt=prompt, licence=licence,
            max_photo_bytes=max_photo_bytes, created_by=created_by, created_at=now, closes_at=closes_at,
            name_key=campaign_key(name),
        )  # fmt: skip
        async with self._db.transaction() as conn:
            try:
                cursor = await conn.execute(
                    "INSERT INTO testimonial_campaigns (guild_id, name, name_key, prompt, licence,"
                    " max_photo_bytes, created_by, created_at, closes_at) VALUES (:guild_id, :name,"
                    " :name_key, :prompt, :licence, :max_photo_bytes, :created_by, :created_at, :closes_at)",
                    values,
                )
            except sqlite3.IntegrityError as problem:
                if "UNIQUE" in str(problem):
                    raise CampaignExistsError(f"A campaign named {name!r} already exists.") from None
                raise
            row = await _one(conn, SELECT_CAMPAIGN + "WHERE id = ?", [cursor.lastrowid])
        return campaign_from_row(row)

    async def get_campaign(self, guild_id: int, name: str) -> Campaign | None:
        """The server's campaign with this name (any case), or None."""
        row = await self._db.fetchone(
            SELECT_CAMPAIGN + "WHERE guild_id = ? AND name_key = ?", (guild_id, campaign_key(name))
        )
        return None if row is None else campaign_from_row(row)

    async def list_campaigns(self, guild_id: int) -> list[CampaignSummary]:
        """All of the server's campaigns, newest first, with their counts per state."""
        rows = await self._db.fetchall(
            "SELECT c.*, SUM(t.status = 'pending') AS pending, SUM(t.status = 'approved') AS approved,"
            " SUM(t.status = 'rejected') AS rejected "
            "FROM testimonial_campaigns c LEFT JOIN testimonials t ON t.campaign_id = c.id "
            "WHERE c.guild_id = ? GROUP BY c.id ORDER BY c.id DESC",
            (guild_id,),
        )
        return [
            CampaignSummary(
                campaign_from_row(r), int(r["pending"] or 0), int(r["approved"] or 0), int(r["rejected"] or 0)
            )
            for r in rows
        ]

    async def campaign_names(
        self, guild_id: int, text: str, *, now: datetime, open_only: bool, limit: int = 25
    ) -> list[str]:
        """Names of the server's campaigns containing text (any case), newest first, for autocomplete."""
        pattern = "%" + campaign_key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        condition = " AND closed_at IS NULL AND (closes_at IS NULL OR closes_at > ?)" if open_only else ""
        params: list[Any] = [
            guild_id,
            pattern,
            *([to_db_time(now, timespec=STORED)] if open_only else []),
            limit,
        ]
        rows = await self._db.fetchall(
            "SELECT name FROM testimonial_campaigns WHERE guild_id = ? AND name_key LIKE ? ESCAPE '\\'"
            f"{condition} ORDER BY id DESC LIMIT ?",
            params,
        )
        return [str(r[0]) for r in rows]

    async def close_campaign(self, guild_id: int, name: str, *, closed_by: int, now: datetime) -> Campaign:
        """Close the campaign now; UnknownCampaignError if there is none, CampaignClosedError if closed."""
        async with self._db.transaction() as conn:
            campaign = await _campaign_in(conn, guild_id, name)
            if campaign.closed_at is not None:
                raise CampaignClosedError(f"Campaign {campaign.name!r} is already closed.")
            await conn.execute(
                "UPDATE testimonial_campaigns SET closed_at = ?, closed_by = ? WHERE id = ?",
                (to_db_time(now, timespec=STORED), closed_by, campaign.id),
            )
        return replace(campaign, closed_at=from_db_time(to_db_time(now, timespec=STORED)))

    # --- testimonials ------------------------------------------------------------

    async def submit(self, new: NewTestimonial, media: Media | None, *, now: datetime) -> Testimonial:
        """Store a consented submission (and its media record) if the campaign still takes it."""
        async with self._db.transaction() as conn:
            campaign = await _campaign_in(conn, new.guild_id, new.campaign_name)
            if not campaign.accepts_submissions(now):
                raise CampaignClosedError(f"Campaign {campaign.name!r} is closed and takes no more stories.")
            if media is not None:
                await conn.execute(
                    "INSERT OR IGNORE INTO testimonial_media (sha256, relpath, mediatype, bytes, width,"
                    " height, stored_at)"
                    " VALUES (:sha256, :relpath, :mediatype, :bytes, :width, :height, :stored_at)",
                    _params(media, stored_at=now),
                )
            values = _params(
                new, campaign_id=campaign.id, licence=campaign.licence, submitted_at=now,
                media_sha256=None if media is None else media.sha256,
            )  # fmt: skip
            cursor = await conn.execute(
                "INSERT INTO testimonials (campaign_id, guild_id, author_id, author_name, story, city,"
                " target_group, consent_scope, consent_version, consent_text, consented_at, licence,"
                " media_sha256, submitted_at) VALUES (:campaign_id, :guild_id, :author_id, :author_name,"
                " :story, :city, :target_group, :consent_scope, :consent_version, :consent_text,"
                " :consented_at, :licence, :media_sha256, :submitted_at)",
                values,
            )
            stored = await _item_in(conn, cursor.lastrowid or 0)
        assert stored is not None
        return stored

    async def get(self, testimonial_id: int) -> Testimonial | None:
        """One testimonial, or None."""
        row = await self._db.fetchone(SELECT_TESTIMONIAL + "WHERE t.id = ?", (testimonial_id,))
        return None if row is None else testimonial_from_row(row)

    async def list_by_author(self, guild_id: int, author_id: int, *, limit: int = 50) -> list[Testimonial]:
        """The member's testimonials on the server, newest first."""
        rows = await self._db.fetchall(
            SELECT_TESTIMONIAL + "WHERE t.guild_id = ? AND t.author_id = ? ORDER BY t.id DESC LIMIT ?",
            (guild_id, author_id, limit),
        )
        return [testimonial_from_row(r) for r in rows]

    async def set_moderation_message(self, testimonial_id: int, channel_id: int, message_id: int) -> bool:
        """Remember where the item waits for moderation; False if it no longer exists."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE testimonials SET moderation_channel_id = ?, moderation_message_id = ? WHERE id = ?",
                (channel_id, message_id, testimonial_id),
            )
            return cursor.rowcount == 1

    async def decide(
        self,
        testimonial_id: int,
        *,
        approve: bool,
        moderator_id: int,
        now: datetime,
        reason: str | None = None,
    ) -> Testimonial:
        """Approve or reject a pending item and record who and when, in one transaction."""
        decision = "approved" if approve else "rejected"
        async with self._db.transaction() as conn:
            current = await _item_in(conn, testimonial_id)
            if current is None:
                raise UnknownTestimonialError(f"Testimonial #{testimonial_id} no longer exists.")
            if current.status != "pending":
                raise AlreadyDecidedError(current)
            at = to_db_time(now, timespec=STORED)
            await conn.execute(
                "UPDATE testimonials SET status = ?, decided_by = ?, decided_at = ?, reject_reason = ?"
                " WHERE id = ?",
                (decision, moderator_id, at, reason, testimonial_id),
            )
            await conn.execute(
                "INSERT INTO testimonial_decisions"
                " (testimonial_id, decision, moderator_id, decided_at, reason) VALUES (?, ?, ?, ?, ?)",
                (testimonial_id, decision, moderator_id, at, reason),
            )
            decided = await _item_in(conn, testimonial_id)
        assert decided is not None
        return decided

    async def decisions(self, testimonial_id: int) -> list[Decision]:
        """Every decision on an item, oldest first."""
        rows = await self._db.fetchall(
            "SELECT decision, moderator_id, decided_at, reason FROM testimonial_decisions"
            " WHERE testimonial_id = ? ORDER BY id",
            (testimonial_id,),
        )
        return [build_record(Decision, r) for r in rows]

    async def set_showcase_message(self, testimonial_id: int, channel_id: int, message_id: int) -> bool:
        """Remember the published message; False if the item was withdrawn meanwhile."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE testimonials SET showcase_channel_id = ?, showcase_message_id = ?"
                " WHERE id = ? AND status = 'approved' AND consent_scope <> 'research'",
                (channel_id, message_id, testimonial_id),
            )
            return cursor.rowcount == 1

    async def withdraw(self, testimonial_id: int, *, author_id: int) -> Removal:
        """Delete the member's own item; UnknownTestimonialError if it is not theirs or does not exist."""
        return await self._remove(testimonial_id, author_id)

    async def remove(self, testimonial_id: int) -> Removal:
        """Delete an item whatever its author (used when it never reached the moderators)."""
        return await self._remove(testimonial_id, None)

    async def remove_all_by_author(self, author_id: int, *, guild_id: int | None = None) -> list[Removal]:
        """Delete every testimonial of a member on one server, or on every server (erasure of their data)."""
        rows = await self._db.fetchall(
            "SELECT id FROM testimonials WHERE author_id = ? AND (? IS NULL OR guild_id = ?)",
            (author_id, guild_id, guild_id),
        )
        removals = []
        for row in rows:
            try:
                removals.append(await self._remove(int(row[0]), author_id))
            except UnknownTestimonialError:
                continue
        return removals

    async def _remove(self, testimonial_id: int, author_id: int | None) -> Removal:
        """Delete an item and its decisions; report media files no longer used by any item."""
        async with self._db.transaction() as conn:
            item = await _item_in(conn, testimonial_id)
            if item is None or (author_id is not None and item.author_id != author_id):
                raise UnknownTestimonialError(f"You have no testimonial #{testimonial_id}.")
            await conn.execute("DELETE FROM testimonials WHERE id = ?", (testimonial_id,))
            orphaned: tuple[Media, ...] = ()
            if item.media is not None:
                users = await _one(
                    conn, "SELECT COUNT(*) FROM testimonials WHERE media_sha256 = ?", [item.media.sha256]
                )
                if users is not None and users[0] == 0:
                    await conn.execute("DELETE FROM testimonial_media WHERE sha256 = ?", (item.media.sha256,))
                    orphaned = (item.media,)
        return Removal(item, orphaned)


def seed_approved(database_path: Path, rows: Iterable[tuple[Any, ...]], media: Iterable[Media]) -> None:
    """Bulk-insert approved testimonials and media records (benchmarks and tests only).

    Each row is (campaign_id, guild_id, author_id, story, city, target_group, consent_scope,
    consent_version, consent_text, licence, media_sha256, time).
    """
    conn = sqlite3.connect(database_path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO testimonial_media (sha256, relpath, mediatype, bytes, width, height, stored_at)"
            " VALUES (?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00+00:00')",
            ((m.sha256, m.relpath, m.mediatype, m.bytes, m.width, m.height) for m in media),
        )
        conn.executemany(
            "INSERT INTO testimonials (campaign_id, guild_id, author_id, author_name, story, city,"
            " target_group, consent_scope, consent_version, consent_text, consented_at, licence,"
            " media_sha256, submitted_at, status, decided_by, decided_at)"
            " VALUES (?1, ?2, ?3, 'member', ?4, ?5, ?6, ?7, ?8, ?9, ?12, ?10, ?11, ?12, 'approved', 1, ?12)",
            rows,
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
