"""Testimonial campaigns, submitted stories with their consent, photos and moderation decisions.

The async repository serves the bot; the records it returns and their row mappers are in
storage/testimonial_records.py; storage/testimonials_export.py holds the read-only snapshot an
export streams from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from storage.testimonial_member_data import TestimonialMemberData
from storage.testimonial_records import (
    CONSENT_SCOPES,
    SELECT_CAMPAIGN,
    SELECT_TESTIMONIAL,
    STORED,
    AlreadyDecidedError,
    Campaign,
    CampaignClosedError,
    CampaignExistsError,
    CampaignSummary,
    DailyLimitError,
    Decision,
    Media,
    NewTestimonial,
    Removal,
    Testimonial,
    TestimonialStoreError,
    UnknownCampaignError,
    UnknownTestimonialError,
    build_record,
    campaign_from_row,
    campaign_key,
    params_of,
    testimonial_from_row,
)
from storage.times import from_db_time, to_db_time

__all__ = [
    "CONSENT_SCOPES",
    "AlreadyDecidedError",
    "Campaign",
    "CampaignClosedError",
    "CampaignExistsError",
    "CampaignSummary",
    "DailyLimitError",
    "Decision",
    "Media",
    "NewTestimonial",
    "Removal",
    "Testimonial",
    "TestimonialStoreError",
    "TestimonialsRepository",
    "UnknownCampaignError",
    "UnknownTestimonialError",
    "seed_approved",
]

# "Per day" for the submission limit is the last 24 hours, the same for members in every zone.
DAY = timedelta(days=1)


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
        values = params_of(
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

    async def submit(
        self, new: NewTestimonial, media: Media | None, *, now: datetime, daily_limit: int | None = None
    ) -> Testimonial:
        """Store a consented submission (and its media record) if the campaign still takes it.

        With daily_limit, DailyLimitError if the author already sent that many stories to the campaign in
        the last 24 hours (counted in the same transaction, so two forms sent at once cannot both pass).
        """
        async with self._db.transaction() as conn:
            campaign = await _campaign_in(conn, new.guild_id, new.campaign_name)
            if not campaign.accepts_submissions(now):
                raise CampaignClosedError(f"Campaign {campaign.name!r} is closed and takes no more stories.")
            if daily_limit is not None:
                sent = await _one(conn, _SENT_SINCE, (campaign.id, new.author_id, _since(now)))
                if sent is not None and int(sent[0]) >= daily_limit:
                    raise DailyLimitError(daily_limit)
            if media is not None:
                await conn.execute(
                    "INSERT OR IGNORE INTO testimonial_media (sha256, relpath, mediatype, bytes, width,"
                    " height, stored_at)"
                    " VALUES (:sha256, :relpath, :mediatype, :bytes, :width, :height, :stored_at)",
                    params_of(media, stored_at=now),
                )
            values = params_of(
                new, campaign_id=campaign.id, licence=campaign.licence, submitted_at=now,
                media_sha256=None if media is None else media.sha256,
            )  # fmt: skip
            cursor = await conn.execute(
                "INSERT INTO testimonials (campaign_id, guild_id, author_id, author_name, story, city,"
                " target_group, consent_scope, consent_version, consent_language, consent_text,"
                " consented_at, licence, media_sha256, submitted_at) VALUES (:campaign_id, :guild_id,"
                " :author_id, :author_name, :story, :city, :target_group, :consent_scope, :consent_version,"
                " :consent_language, :consent_text, :consented_at, :licence, :media_sha256, :submitted_at)",
                values,
            )
            stored = await _item_in(conn, cursor.lastrowid or 0)
        assert stored is not None
        return stored

    async def sent_today(self, guild_id: int, campaign_name: str, author_id: int, *, now: datetime) -> int:
        """How many stories the member sent to the campaign in the 24 hours before now."""
        campaign = await self.get_campaign(guild_id, campaign_name)
        if campaign is None:
            return 0
        row = await self._db.fetchone(_SENT_SINCE, (campaign.id, author_id, _since(now)))
        return 0 if row is None else int(row[0])

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
            orphaned = () if item.media is None else await _drop_if_unused(conn, item.media)
        return Removal(item, orphaned)

    async def drop_rejected_photos(self, *, decided_before: datetime, now: datetime) -> list[Removal]:
        """Unlink the photo of every item rejected before the cut-off, recording when; report unused files."""
        cut, at = to_db_time(decided_before, timespec=STORED), to_db_time(now, timespec=STORED)
        dropped = []
        async with self._db.transaction() as conn:
            async with conn.execute(
                SELECT_TESTIMONIAL + "WHERE t.status = 'rejected' AND t.media_sha256 IS NOT NULL"
                " AND t.decided_at < ? ORDER BY t.id",
                (cut,),
            ) as cursor:
                items = [testimonial_from_row(row) for row in await cursor.fetchall()]
            for item in items:
                await conn.execute(
                    "UPDATE testimonials SET media_sha256 = NULL, photo_removed_at = ? WHERE id = ?",
                    (at, item.id),
                )
                assert item.media is not None
                orphaned = await _drop_if_unused(conn, item.media)
                unlinked = replace(item, media=None, photo_removed_at=from_db_time(at))
                dropped.append(Removal(unlinked, orphaned))
        return dropped


_SENT_SINCE = "SELECT COUNT(*) FROM testimonials WHERE campaign_id = ? AND author_id = ? AND submitted_at > ?"


def _since(now: datetime) -> str:
    """The stored form of the start of the 24 hours before now."""
    return to_db_time(now - DAY, timespec=STORED)


async def _drop_if_unused(conn: aiosqlite.Connection, media: Media) -> tuple[Media, ...]:
    """Delete a media record no testimonial uses any more; return it (its file can go) or nothing."""
    users = await _one(conn, "SELECT COUNT(*) FROM testimonials WHERE media_sha256 = ?", [media.sha256])
    if users is not None and users[0] == 0:
        await conn.execute("DELETE FROM testimonial_media WHERE sha256 = ?", (media.sha256,))
        return (media,)
    return ()


def seed_approved(database_path: Path, rows: Iterable[tuple[Any, ...]], media: Iterable[Media]) -> None:
    """Bulk-insert approved testimonials and media records (benchmarks and tests only).

    Each row is (campaign_id, guild_id, author_id, story, city, target_group, consent_scope,
    consent_version, consent_text, licence, media_sha256, time); consent_language is 'en'.
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
