"""Open-data exports of a campaign's approved testimonials: CSV, JSON Lines, or a Frictionless
data package (zip) with the media files. Everything is streamed: rows come from SQLite's cursor
and go straight to the file (or into the zip entry), so memory stays flat however many items there
are. Only approved items are exported (withdrawn ones no longer exist); research-only items are
included, since research is what their authors consented to, and are marked by consent_scope.

Every item carries consent_language beside consent_version; data/consent.csv holds the exact text
of each (version, language, scope, licence). The data package's descriptions and README.md are in
the language of whoever exports (the moderator's in Discord; English from the command line).

The standalone CSV neutralises cells a spreadsheet would run as formulas; JSON Lines and the data
package keep the exact text (see write_csv).

Synchronous on purpose: the bot runs it in a worker thread and the command line calls it directly.
"""

from __future__ import annotations

import csv
import functools
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
from bot.i18n import ENGLISH, N_, Lang
from bot.spreadsheet import safe_row
from bot.target_groups import TARGET_GROUPS
from storage.testimonials import CONSENT_SCOPES, Campaign, Media, Testimonial
from storage.testimonials_export import ExportSnapshot

log = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl", "datapackage")
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "datapackage": "zip"}
CSV_FIELDS = (
    "id", "campaign", "submitted_at", "city", "target_group", "story", "consent_scope", "licence",
    "consent_version", "consent_language", "consented_at", "contributor", "media_sha256", "media_path",
)  # fmt: skip
MEDIA_FIELDS = ("sha256", "path", "mediatype", "bytes", "width", "height")
CONSENT_FIELDS = ("consent_version", "consent_language", "consent_scope", "licence", "text")
# The part of a consent row that names one statement (the data package's foreign key).
CONSENT_KEY = CONSENT_FIELDS[:4]
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
        "consent_language": item.consent_language,
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
    snapshot: ExportSnapshot,
    campaign: Campaign,
    media_root: Path,
    out: IO[bytes],
    *,
    created: datetime,
    t: Lang = ENGLISH,
) -> tuple[int, int, int]:
    """Write the zipped data package (descriptions and README in language t); return (items, media
    files, media files missing on disk)."""
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
        rows = ([c.consent_version, c.consent_language, c.consent_scope, c.licence, c.text] for c in consents)
        stats["consent"] = _zip_csv(zf, "data/consent.csv", CONSENT_FIELDS, rows)
        descriptor = descriptor_for(campaign, stats, created=created, t=t)
        zf.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        zf.writestr("README.md", readme_for(campaign, counts["items"], counts["media"], created=created, t=t))
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


# What the data package says about its files and columns (English msgids; column names never change).
COLUMN_TEXTS = {
    "id": N_("Testimonial number, unique on the server."),
    "campaign": N_("Campaign name."),
    "submitted_at": N_("When it was submitted (UTC)."),
    "city": N_("City the contributor names."),
    "target_group": N_("Who the contributor is."),
    "story": N_("The story, as submitted (cleaned of invisible characters)."),
    # Translators: named, anonymous and research are values of the column; keep them as they are.
    "consent_scope": N_(
        "named: publish with the name; anonymous: without it; research: research only, never published."
    ),
    "licence": N_("SPDX id of the licence granted."),
    "consent_version": N_(
        "Version of the consent wording agreed to, derived from its exact text in consent_language "
        "(see consent.csv)."
    ),
    "consent_language": N_(
        "Language code (ISO 639-1) of the consent text the contributor was shown and agreed to."
    ),
    "consented_at": N_("When consent was given (UTC)."),
    "contributor": N_("Pseudonymous contributor id, stable within the campaign."),
    "media_sha256": N_("SHA-256 of the photo (see media.csv); empty if none."),
    "media_path": N_("Path of the photo inside the package; empty without photo."),
    "sha256": N_("SHA-256 of the file."),
    "path": N_("Path of the file inside the package."),
    "mediatype": N_("IANA media type."),
    "bytes": N_("File size in bytes."),
    "width": N_("Width in pixels."),
    "height": N_("Height in pixels."),
    "text": N_("The exact consent statement agreed to, in consent_language."),
}
RESOURCE_TITLES = {
    "testimonials": N_("Approved testimonials with their consent"),
    "media": N_("Photos, stored under media/ in this package"),
    "consent": N_("The consent statements agreed to, by version, language, scope and licence"),
}
LANGUAGE_PATTERN = "^[a-z]{2,3}$"


def _describe(name: str, t: Lang) -> str:
    """A column's description in language t."""
    return t._(COLUMN_TEXTS[name])


def testimonials_schema(t: Lang = ENGLISH) -> dict[str, Any]:
    """The Table Schema of data/testimonials.csv, described in language t."""
    sha, d = SHA_PATTERN, functools.partial(_describe, t=t)
    return {
        "fields": [
            {"name": "id", "type": "integer", "description": d("id"),
             "constraints": {"required": True, "unique": True, "minimum": 1}},
            _string("campaign", d("campaign"), required=True),
            {"name": "submitted_at", "type": "datetime", "description": d("submitted_at"),
             "constraints": {"required": True}},
            _string("city", d("city"), required=True),
            _string("target_group", d("target_group"), required=True, enum=list(TARGET_GROUPS)),
            _string("story", d("story"), required=True),
            _string("consent_scope", d("consent_scope"), required=True, enum=list(CONSENT_SCOPES)),
            _string("licence", d("licence"), required=True, enum=list(LICENCES)),
            _string("consent_version", d("consent_version"), required=True),
            _string("consent_language", d("consent_language"), required=True, pattern=LANGUAGE_PATTERN),
            {"name": "consented_at", "type": "datetime", "description": d("consented_at"),
             "constraints": {"required": True}},
            _string("contributor", d("contributor"), required=True, pattern="^p-[0-9a-f]{20}$"),
            _string("media_sha256", d("media_sha256"), pattern=sha),
            _string("media_path", d("media_path")),
        ],
        "primaryKey": ["id"],
        "foreignKeys": [
            {"fields": ["media_sha256"], "reference": {"resource": "media", "fields": ["sha256"]}},
            {"fields": list(CONSENT_KEY), "reference": {"resource": "consent", "fields": list(CONSENT_KEY)}},
        ],
        "missingValues": [""],
    }  # fmt: skip


def consent_schema(t: Lang = ENGLISH) -> dict[str, Any]:
    """The Table Schema of data/consent.csv, described in language t."""
    d = functools.partial(_describe, t=t)
    return {
        "fields": [
            _string("consent_version", d("consent_version"), required=True),
            _string("consent_language", d("consent_language"), required=True, pattern=LANGUAGE_PATTERN),
            _string("consent_scope", d("consent_scope"), required=True, enum=list(CONSENT_SCOPES)),
            _string("licence", d("licence"), required=True, enum=list(LICENCES)),
            _string("text", d("text"), required=True),
        ],
        "primaryKey": list(CONSENT_KEY),
    }


def descriptor_for(
    campaign: Campaign, stats: dict[str, dict[str, Any]], *, created: datetime, t: Lang = ENGLISH
) -> dict[str, Any]:
    """The datapackage.json of a campaign export (descriptions in language t), given each CSV's size
    and hash."""
    licence = LICENCES[campaign.licence]
    d = functools.partial(_describe, t=t)

    def resource(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        """A tabular CSV resource under data/."""
        return {
            "name": name, "path": f"data/{name}.csv", "title": t._(RESOURCE_TITLES[name]),
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "schema": schema, **stats[name],
        }  # fmt: skip

    media_schema = {
        "fields": [
            _string("sha256", d("sha256"), required=True, unique=True, pattern=SHA_PATTERN),
            _string("path", d("path"), required=True),
            _string("mediatype", d("mediatype"), required=True),
            {"name": "bytes", "type": "integer", "description": d("bytes")},
            {"name": "width", "type": "integer", "description": d("width")},
            {"name": "height", "type": "integer", "description": d("height")},
        ],
        "primaryKey": ["sha256"],
    }
    return {
        "profile": "tabular-data-package",
        "name": f"climabot-testimonials-{slug(campaign.name)}",
        "title": t._("Testimonials of the campaign {campaign}", campaign=campaign.name),
        "description": campaign.prompt,
        "created": iso_z(created),
        "licenses": [{"name": licence.id, "title": licence.title, "path": licence.url}],
        "resources": [
            resource("testimonials", testimonials_schema(t)),
            resource("media", media_schema),
            resource("consent", consent_schema(t)),
        ],
    }


def readme_for(campaign: Campaign, items: int, photos: int, *, created: datetime, t: Lang = ENGLISH) -> str:
    """The README.md of a data package, in language t: what the files hold and how consent is recorded."""
    licence = LICENCES[campaign.licence]
    lines = [
        "# " + t._("Testimonials of the campaign {campaign}", campaign=campaign.name),
        "",
        t._("The question contributors answered:"),
        "",
        "> " + campaign.prompt.replace("\n", "\n> "),
        "",
        t._("Exported on {date}.", date=t.date(created, "long")),
        t.ngettext(
            "{count} approved testimonial.", "{count} approved testimonials.", items, count=t.number(items)
        ),
        t.ngettext("{count} photo.", "{count} photos.", photos, count=t.number(photos)),
        "",
        t._("Files:"),
        "- `datapackage.json`: " + t._("the data package descriptor, with every column described."),
        "- `data/testimonials.csv`: " + t._(RESOURCE_TITLES["testimonials"]),
        "- `data/media.csv`, `media/`: " + t._(RESOURCE_TITLES["media"]),
        "- `data/consent.csv`: " + t._(RESOURCE_TITLES["consent"]),
        "",
        t._(
            "Each testimonial names the consent its contributor agreed to by `consent_version` and "
            "`consent_language`: the exact text they were shown, in that language, is in "
            "`data/consent.csv`. Research-only testimonials (`consent_scope` research) may be used for "
            "research but never published."
        ),
        t._(
            "Contributors are pseudonymous: `contributor` is stable within this campaign and cannot be "
            "traced back to a Discord account without the bot's secret key."
        ),
        t._("Licence: {licence} ({url}).", licence=licence.title, url=licence.url),
        "",
    ]
    return "\n".join(lines)


def export_campaign(
    database_path: Path,
    media_root: Path,
    campaign_name: str,
    fmt: str,
    out: Path,
    *,
    guild_id: int | None = None,
    now: datetime | None = None,
    t: Lang = ENGLISH,
) -> ExportResult:
    """Export a campaign to out (written to a temporary file first, then moved in place); a data
    package's descriptions and README are in language t (the exporting moderator's)."""
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
                        snapshot, campaign, media_root, raw, created=created, t=t
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
