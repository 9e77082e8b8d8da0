"""Open-data exports of a campaign's approved testimonials: CSV, JSON Lines, or a Frictionless
data package (zip) with the media files. Everything is streamed: rows come from SQLite's cursor
and go straight to the file (or into the zip entry), so memory stays flat however many items there
are. Only approved items are exported (withdrawn ones no longer exist); research-only items are
included, since research is what their authors consented to, and are marked by consent_scope.

The standalone CSV neutralises cells a spreadsheet would run as formulas; JSON Lines and the data
package keep the exact text (see write_csv).

Synchronous on purpose: the bot runs it in a worker thread and the command line calls it directly.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from bot.consent import LICENCES
from bot.spreadsheet import safe_row
from bot.target_groups import TARGET_GROUPS
from storage.testimonials import CONSENT_SCOPES, Campaign, Media, Testimonial
from storage.testimonials_export import ExportSnapshot

log = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl", "datapackage")
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "datapackage": "zip"}
CSV_FIELDS = (
    "id", "campaign", "submitted_at", "city", "target_group", "story", "consent_scope", "licence",
    "consent_version", "consented_at", "contributor", "media_sha256", "media_path",
)  # fmt: skip
MEDIA_FIELDS = ("sha256", "path", "mediatype", "bytes", "width", "height")
CONSENT_FIELDS = ("consent_version", "consent_scope", "licence", "text")
PSEUDONYM_HEX = 20
SHA_PATTERN = "^[0-9a-f]{64}$"


class ExportError(Exception):
    """The export cannot be made as asked; the message says why in one line."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    path: Path
    format: str
    campaign: str
    items: int
    media_files: int
    bytes: int
    missing_media: int = 0


def pseudonym(secret: bytes, campaign_id: int, author_id: int) -> str:
    """A contributor id stable within a campaign, unlinkable to the Discord id without the secret."""
    digest = hmac.new(secret, f"{campaign_id}:{author_id}".encode("ascii"), hashlib.sha256).hexdigest()
    return "p-" + digest[:PSEUDONYM_HEX]


def iso_z(moment: datetime) -> str:
    """A UTC time as `YYYY-MM-DDTHH:MM:SSZ`, the Table Schema default datetime format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def media_path(media: Media) -> str:
    """Where a media file sits inside a data package, relative to its root."""
    # String functions, not pathlib: pathlib interns every path part, and the interpreter's table of
    # interned strings grows with each distinct file name and never shrinks.
    return f"media/{media.sha256}{os.path.splitext(media.relpath)[1]}"


def record(item: Testimonial, secret: bytes) -> dict[str, Any]:
    """The exported fields of one item (media as a list of file descriptions)."""
    files = []
    if item.media is not None:
        m = item.media
        files.append({"sha256": m.sha256, "path": media_path(m), "mediatype": m.mediatype, "bytes": m.bytes})
    return {
        "id": item.id,
        "campaign": item.campaign_name,
        "submitted_at": iso_z(item.submitted_at),
        "city": item.city,
        "target_group": item.target_group,
        "story": item.story,
        "consent_scope": item.consent_scope,
        "licence": item.licence,
        "consent_version": item.consent_version,
        "consented_at": iso_z(item.consented_at),
        "contributor": pseudonym(secret, item.campaign_id, item.author_id),
        "media": files,
    }


def csv_row(item: Testimonial, secret: bytes) -> list[Any]:
    """The CSV cells of one item, in CSV_FIELDS order."""
    fields = record(item, secret)
    media = fields.pop("media")
    return [*fields.values(), media[0]["sha256"] if media else "", media[0]["path"] if media else ""]


class _Sink:
    """A text writer that encodes to UTF-8 and counts and hashes the bytes it passes on."""

    def __init__(self, raw: IO[bytes]) -> None:
        """Write to the binary stream raw."""
        self.raw = raw
        self.hash = hashlib.sha256()
        self.bytes = 0

    def write(self, text: str) -> int:
        """Encode, count, hash and pass on text."""
        data = text.encode("utf-8")
        self.hash.update(data)
        self.bytes += len(data)
        self.raw.write(data)
        return len(text)


def write_csv(items: Iterable[Testimonial], secret: bytes, out: Any) -> int:
    """Write the header and one row per item, safe to open in a spreadsheet; return the number of items.

    A cell a spreadsheet would read as a formula gets a leading apostrophe (bot.spreadsheet). The data
    package's CSVs do not: they are described by their Table Schema for data tools, and keep the exact
    text, as JSON Lines does (docs/testimonials.md).
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    count = 0
    for item in items:
        writer.writerow(safe_row(csv_row(item, secret)))
        count += 1
    return count


def write_jsonl(items: Iterable[Testimonial], secret: bytes, out: Any) -> int:
    """Write one JSON object per line per item; return the number of items."""
    count = 0
    for item in items:
        out.write(json.dumps(record(item, secret), ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def _write_csv_to(out: IO[bytes], header: Iterable[str], rows: Iterable[Iterable[Any]]) -> dict[str, Any]:
    """Stream a CSV into a binary stream and return its size and hash for the descriptor."""
    sink = _Sink(out)
    writer = csv.writer(sink, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return {"bytes": sink.bytes, "hash": f"sha256:{sink.hash.hexdigest()}"}


def _zip_csv(
    zf: zipfile.ZipFile, name: str, header: Iterable[str], rows: Iterable[Iterable[Any]]
) -> dict[str, Any]:
    """Stream a CSV file into a new zip entry."""
    with zf.open(name, "w", force_zip64=True) as raw:
        return _write_csv_to(raw, header, rows)


def write_datapackage(
    snapshot: ExportSnapshot, campaign: Campaign, media_root: Path, out: IO[bytes], *, created: datetime
) -> tuple[int, int, int]:
    """Write the zipped data package; return (items, media files, media files missing on disk)."""
    secret = snapshot.secret()
    counts = {"items": 0, "media": 0, "missing": 0}

    def item_rows() -> Iterator[list[Any]]:
        """The testimonial rows, counted as they go."""
        for item in snapshot.rows(campaign.id):
            counts["items"] += 1
            yield csv_row(item, secret)

    def media_rows(zf: zipfile.ZipFile) -> Iterator[list[Any]]:
        """The media index rows; each file is copied into the zip as its row is produced."""
        for m in snapshot.media(campaign.id):
            source = os.path.join(media_root, m.relpath)  # not pathlib: see media_path
            if os.path.isfile(source):
                zf.write(source, media_path(m), compress_type=zipfile.ZIP_STORED)
                counts["media"] += 1
            else:
                counts["missing"] += 1
                log.warning("export of campaign %s: media file %s is missing", campaign.id, source)
            yield [m.sha256, media_path(m), m.mediatype, m.bytes, m.width, m.height]

    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        stats = {"testimonials": _zip_csv(zf, "data/testimonials.csv", CSV_FIELDS, item_rows())}
        # A zip takes one entry at a time, so the media index goes to a temporary file while the
        # media files go into the zip, and is copied in afterwards.
        with tempfile.TemporaryFile() as index:
            stats["media"] = _write_csv_to(index, MEDIA_FIELDS, media_rows(zf))
            index.seek(0)
            with zf.open("data/media.csv", "w", force_zip64=True) as raw:
                while chunk := index.read(1 << 16):
                    raw.write(chunk)
        consents = snapshot.consent_texts(campaign.id)
        rows = ([c.consent_version, c.consent_scope, c.licence, c.text] for c in consents)
        stats["consent"] = _zip_csv(zf, "data/consent.csv", CONSENT_FIELDS, rows)
        descriptor = descriptor_for(campaign, stats, created=created)
        zf.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
    return counts["items"], counts["media"], counts["missing"]


def slug(name: str) -> str:
    """A lower-case package name made of letters, digits and dashes."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "campaign"


def _string(name: str, description: str, **constraints: Any) -> dict[str, Any]:
    """A Table Schema string field."""
    field: dict[str, Any] = {"name": name, "type": "string", "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


def testimonials_schema() -> dict[str, Any]:
    """The Table Schema of data/testimonials.csv."""
    sha = SHA_PATTERN
    return {
        "fields": [
            {"name": "id", "type": "integer", "description": "Testimonial number, unique on the server.",
             "constraints": {"required": True, "unique": True, "minimum": 1}},
            _string("campaign", "Campaign name.", required=True),
            {"name": "submitted_at", "type": "datetime", "description": "When it was submitted (UTC).",
             "constraints": {"required": True}},
            _string("city", "City the contributor names.", required=True),
            _string("target_group", "Who the contributor is.", required=True, enum=list(TARGET_GROUPS)),
            _string("story", "The story, as submitted (cleaned of invisible characters).", required=True),
            _string("consent_scope", "named: publish with the name; anonymous: without it; "
                    "research: research only, never published.", required=True, enum=list(CONSENT_SCOPES)),
            _string("licence", "SPDX id of the licence granted.", required=True, enum=list(LICENCES)),
            _string("consent_version", "Version of the consent wording agreed to (see consent.csv).",
                    required=True),
            {"name": "consented_at", "type": "datetime", "description": "When consent was given (UTC).",
             "constraints": {"required": True}},
            _string("contributor", "Pseudonymous contributor id, stable within the campaign.",
                    required=True, pattern="^p-[0-9a-f]{20}$"),
            _string("media_sha256", "SHA-256 of the photo (see media.csv); empty if none.", pattern=sha),
            _string("media_path", "Path of the photo inside the package; empty without photo."),
        ],
        "primaryKey": ["id"],
        "foreignKeys": [
            {"fields": ["media_sha256"], "reference": {"resource": "media", "fields": ["sha256"]}},
            {"fields": ["consent_version", "consent_scope", "licence"],
             "reference": {"resource": "consent", "fields": ["consent_version", "consent_scope", "licence"]}},
        ],
        "missingValues": [""],
    }  # fmt: skip


def descriptor_for(
    campaign: Campaign, stats: dict[str, dict[str, Any]], *, created: datetime
) -> dict[str, Any]:
    """The datapackage.json of a campaign export, given each CSV's size and hash."""
    licence = LICENCES[campaign.licence]

    def resource(name: str, title: str, schema: dict[str, Any]) -> dict[str, Any]:
        """A tabular CSV resource under data/."""
        return {
            "name": name, "path": f"data/{name}.csv", "title": title, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": schema, **stats[name],
        }  # fmt: skip

    media_schema = {
        "fields": [
            _string("sha256", "SHA-256 of the file.", required=True, unique=True, pattern=SHA_PATTERN),
            _string("path", "Path of the file inside the package.", required=True),
            _string("mediatype", "IANA media type.", required=True),
            {"name": "bytes", "type": "integer", "description": "File size in bytes."},
            {"name": "width", "type": "integer", "description": "Width in pixels."},
            {"name": "height", "type": "integer", "description": "Height in pixels."},
        ],
        "primaryKey": ["sha256"],
    }  # fmt: skip
    consent_schema = {
        "fields": [_string(name, name.replace("_", " "), required=True) for name in CONSENT_FIELDS],
        "primaryKey": list(CONSENT_FIELDS[:3]),
    }
    return {
        "profile": "tabular-data-package",
        "name": f"climabot-testimonials-{slug(campaign.name)}",
        "title": f"Testimonials of the campaign {campaign.name}",
        "description": campaign.prompt,
        "created": iso_z(created),
        "licenses": [{"name": licence.id, "title": licence.title, "path": licence.url}],
        "resources": [
            resource("testimonials", "Approved testimonials with their consent", testimonials_schema()),
            resource("media", "Photos, stored under media/ in this package", media_schema),
            resource(
                "consent", "The consent statements agreed to, by version, scope and licence", consent_schema
            ),
        ],
    }


def export_campaign(
    database_path: Path,
    media_root: Path,
    campaign_name: str,
    fmt: str,
    out: Path,
    *,
    guild_id: int | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Export a campaign to out (written to a temporary file first, then moved in place)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    out = Path(out)
    with ExportSnapshot(database_path) as snapshot:
        campaign = _one_campaign(snapshot.campaigns_named(campaign_name, guild_id), campaign_name)
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
        media = missing = 0
        try:
            with os.fdopen(handle, "wb") as raw:
                if fmt == "datapackage":
                    created = now or datetime.now(UTC)
                    items, media, missing = write_datapackage(
                        snapshot, campaign, media_root, raw, created=created
                    )
                else:
                    sink = _Sink(raw)
                    writer = write_csv if fmt == "csv" else write_jsonl
                    items = writer(snapshot.rows(campaign.id), snapshot.secret(), sink)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return ExportResult(out, fmt, campaign.name, items, media, out.stat().st_size, missing)


def _one_campaign(found: list[Campaign], name: str) -> Campaign:
    """The only campaign found, or an ExportError saying none or several matched."""
    if not found:
        raise ExportError(f"there is no campaign named {name!r}")
    if len(found) > 1:
        servers = ", ".join(str(c.guild_id) for c in found)
        raise ExportError(f"campaign {name!r} exists on several servers ({servers}); name the server")
    return found[0]
