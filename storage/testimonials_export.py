"""The read-only, consistent view of the testimonials that one export streams from.

Synchronous on purpose: an export runs in a worker thread (or in the command line), on its own
read-only connection with one read transaction, so every part of an export sees the same data and
the bot's writer is never blocked. Rows come straight from SQLite's cursor, never as one big list.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.testimonials import (
    SELECT_CAMPAIGN,
    SELECT_TESTIMONIAL,
    Campaign,
    Media,
    Testimonial,
    build_record,
    campaign_from_row,
    campaign_key,
    testimonial_from_row,
)

_MEDIA_COLUMNS = "m.sha256, m.relpath, m.mediatype, m.bytes, m.width, m.height"


@dataclass(frozen=True)
class ConsentText:
    """One distinct consent statement agreed to by items of an export."""

    consent_version: str
    consent_language: str
    consent_scope: str
    licence: str
    text: str


class ExportSnapshot:
    """A read-only, consistent view of the testimonials for streaming one export (synchronous)."""

    def __init__(self, database_path: Path) -> None:
        """Open the database read-only and start the read transaction every query below shares."""
        uri = Path(database_path).resolve().as_uri() + "?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute("PRAGMA busy_timeout=5000")
            self._conn.execute("BEGIN")
            # The snapshot is taken at the first read inside the transaction.
            self._conn.execute("SELECT COUNT(*) FROM testimonial_secret").fetchone()
        except BaseException:
            self._conn.close()
            raise

    def __enter__(self) -> ExportSnapshot:
        """Use the snapshot in a with-block."""
        return self

    def __exit__(self, *exc: object) -> None:
        """End the read transaction and close the connection."""
        self.close()

    def close(self) -> None:
        """End the read transaction and close the connection."""
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")
        self._conn.close()

    def campaigns_named(self, name: str, guild_id: int | None = None) -> list[Campaign]:
        """Campaigns with this name (any case), on one server or on all."""
        sql = SELECT_CAMPAIGN + "WHERE name_key = ?"
        params: list[Any] = [campaign_key(name)]
        if guild_id is not None:
            sql, params = sql + " AND guild_id = ?", [*params, guild_id]
        return [campaign_from_row(r) for r in self._conn.execute(sql + " ORDER BY id", params)]

    def secret(self) -> bytes:
        """The key behind contributor pseudonyms."""
        row = self._conn.execute("SELECT key FROM testimonial_secret WHERE id = 1").fetchone()
        return bytes(row[0])

    def count(self, campaign_id: int) -> int:
        """How many items of the campaign an export holds."""
        row = self._conn.execute(
            "SELECT COUNT(*) FROM testimonials WHERE campaign_id = ? AND status = 'approved'", (campaign_id,)
        ).fetchone()
        return int(row[0])

    def rows(self, campaign_id: int) -> Iterator[Testimonial]:
        """The campaign's approved items in id order, streamed from the cursor."""
        cursor = self._conn.execute(
            SELECT_TESTIMONIAL + "WHERE t.campaign_id = ? AND t.status = 'approved' ORDER BY t.id",
            (campaign_id,),
        )
        for row in cursor:
            yield testimonial_from_row(row)

    def media(self, campaign_id: int) -> Iterator[Media]:
        """The distinct media of the campaign's approved items, in hash order, streamed."""
        cursor = self._conn.execute(
            f"SELECT {_MEDIA_COLUMNS} FROM testimonial_media m WHERE m.sha256 IN"
            " (SELECT media_sha256 FROM testimonials"
            "  WHERE campaign_id = ? AND status = 'approved' AND media_sha256 IS NOT NULL)"
            " ORDER BY m.sha256",
            (campaign_id,),
        )
        for row in cursor:
            yield build_record(Media, row)

    def consent_texts(self, campaign_id: int) -> Iterator[ConsentText]:
        """The distinct statements (by version, language, scope, licence) the campaign's items agreed to."""
        cursor = self._conn.execute(
            "SELECT consent_version, consent_language, consent_scope, licence, MIN(consent_text) AS text"
            " FROM testimonials WHERE campaign_id = ? AND status = 'approved'"
            " GROUP BY consent_version, consent_language, consent_scope, licence ORDER BY 1, 2, 3, 4",
            (campaign_id,),
        )
        for row in cursor:
            yield build_record(ConsentText, row)
