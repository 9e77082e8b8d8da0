"""Open data of citizen proposals: CSV, JSON Lines, or a Frictionless data package (zip).

Authors appear as pseudonyms (HMAC-SHA256 of their id under the server's export key), never as
Discord ids; moderators' ids are not exported. Support is broken down by target group and home city
from members' profiles, with counts under 3 shown as "<3" so no member is singled out. CSV cells
pass through bot.spreadsheet.safe_row. Column names and JSON keys are the data schema (English).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.i18n import Lang
from bot.spreadsheet import safe_row
from cogs.proposals.consent import LICENCE
from storage.proposal_records import Proposal, ProposalEvent, SupportCell, masked_count

FORMATS = ("csv", "jsonl", "datapackage")
PROPOSAL_FIELDS = (
    "id", "submitted_at", "city", "theme", "title", "proposal", "expected_benefit", "status", "progress",
    "supports", "author", "consent_version", "consent_language",
)  # fmt: skip
HISTORY_FIELDS = ("proposal_id", "at", "kind", "status", "progress", "note")
SUPPORT_FIELDS = ("proposal_id", "target_group", "city", "supports")
PSEUDONYM_HEX = 20


@dataclass(frozen=True)
class ExportData:
    """What one export holds: proposals, their history rows and their supports by group and city."""

    proposals: Sequence[Proposal]
    events: Sequence[ProposalEvent]
    support: Sequence[SupportCell]
    secret: bytes


def pseudonym(secret: bytes, author_id: int | None) -> str:
    """A stable author id that cannot be linked to the Discord id without the server's key ('' if erased)."""
    if author_id is None:
        return ""
    return "p-" + hmac.new(secret, str(author_id).encode("ascii"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def iso_z(moment: datetime) -> str:
    """A UTC time as `YYYY-MM-DDTHH:MM:SSZ`, the Table Schema default datetime format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def proposal_row(p: Proposal, secret: bytes) -> dict[str, Any]:
    """The exported fields of one proposal."""
    return {
        "id": p.id,
        "submitted_at": iso_z(p.created_at),
        "city": p.city_name or "",
        "theme": p.theme,
        # An erased proposal keeps its number, history and counts; its texts are empty.
        "title": "" if p.erased else p.title,
        "proposal": "" if p.erased else p.body,
        "expected_benefit": "" if p.erased else p.benefit,
        "status": p.status,
        "progress": p.progress,
        "supports": p.supports,
        "author": pseudonym(secret, p.author_id),
        "consent_version": p.consent_version,
        "consent_language": p.consent_language,
    }


def history_row(e: ProposalEvent) -> dict[str, Any]:
    """The exported fields of one history row (who answered is not exported)."""
    return {
        "proposal_id": e.proposal_id,
        "at": iso_z(e.created_at),
        "kind": e.kind,
        "status": e.status,
        "progress": "" if e.progress is None else e.progress,
        "note": e.note,
    }


def support_row(cell: SupportCell) -> dict[str, Any]:
    """The exported fields of one support cell, its count masked under 3."""
    return {
        "proposal_id": cell.proposal_id,
        "target_group": cell.target_group or "",
        "city": cell.city or "",
        "supports": masked_count(cell.supports),
    }


def csv_bytes(fields: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    """A CSV file (UTF-8, header first) whose cells a spreadsheet will not run as formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow(safe_row(row[f] for f in fields))
    return out.getvalue().encode("utf-8")


def jsonl_bytes(data: ExportData) -> bytes:
    """One JSON object per proposal, with its history and support breakdown."""
    lines = []
    for p in data.proposals:
        item = proposal_row(p, data.secret)
        item["history"] = [history_row(e) for e in data.events if e.proposal_id == p.id]
        item["support_by_group_and_city"] = [support_row(c) for c in data.support if c.proposal_id == p.id]
        lines.append(json.dumps(item, ensure_ascii=False))
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


def _field(name: str, kind: str, description: str, **extra: Any) -> dict[str, Any]:
    """One Table Schema field."""
    return {"name": name, "type": kind, "description": description, **extra}


def descriptor(t: Lang, name: str) -> dict[str, Any]:
    """The datapackage.json of an export, its descriptions in the exporting moderator's language."""
    proposals = [
        _field("id", "integer", t._("The proposal's number in the server."), constraints={"required": True}),
        _field("submitted_at", "datetime", t._("When it was submitted (UTC).")),
        _field("city", "string", t._("The city it is for, as named when submitted.")),
        _field("theme", "string", t._("The mission theme (a stable key).")),
        _field("title", "string", t._("Its title, as the author wrote it.")),
        _field("proposal", "string", t._("The proposal, as the author wrote it.")),
        _field("expected_benefit", "string", t._("The expected benefit for the city's climate goal.")),
        _field("status", "string", t._("open, under-review, accepted, rejected, implemented or withdrawn.")),
        _field("progress", "integer", t._("Progress of an accepted proposal, in percent.")),
        _field("supports", "integer", t._("How many members support it.")),
        _field("author", "string", t._("A pseudonym of the author; empty if they erased their data.")),
        _field(
            "consent_version",
            "string",
            t._("The version of the licence consent the author agreed to; 0 before consent was asked."),
        ),
        _field("consent_language", "string", t._("The language code of that consent text.")),
    ]
    history = [
        _field("proposal_id", "integer", t._("The proposal.")),
        _field("at", "datetime", t._("When it happened (UTC).")),
        _field("kind", "string", t._("submitted, status, progress or withdrawn.")),
        _field("status", "string", t._("The status after this step.")),
        _field("progress", "integer", t._("Progress in percent, for progress updates.")),
        _field("note", "string", t._("The reason or note moderators gave.")),
    ]
    support = [
        _field("proposal_id", "integer", t._("The proposal.")),
        _field("target_group", "string", t._("The supporters' target group; empty if not given.")),
        _field("city", "string", t._("The supporters' home city; empty if not given.")),
        _field("supports", "string", t._('How many supporters; "<3" for fewer than three.')),
    ]
    fk = {"fields": "proposal_id", "reference": {"resource": "proposals", "fields": "id"}}
    return {
        "name": name,
        "title": t._("Citizen proposals"),
        "description": t._(
            "Proposals members made for their cities, their answers and progress, and who supports them "
            "by target group and city. Authors are pseudonymous."
        ),
        "created": iso_z(datetime.now(UTC)),
        # Proposals are published under the licence their authors agree to in the form.
        "licenses": [{"name": LICENCE.id, "path": LICENCE.url, "title": LICENCE.title}],
        "resources": [
            _resource("proposals", proposals, primary_key="id"),
            _resource("history", history, foreign_keys=[fk]),
            _resource("support", support, foreign_keys=[fk]),
        ],
    }


def _resource(
    name: str, fields: list[dict[str, Any]], *, primary_key: str | None = None, foreign_keys: Any = None
) -> dict[str, Any]:
    """One tabular resource of the package."""
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = primary_key
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return {
        "name": name,
        "path": f"data/{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def export_file(t: Lang, data: ExportData, fmt: str, name: str) -> tuple[str, bytes]:
    """The file name and bytes of an export in one of FORMATS."""
    proposals = [proposal_row(p, data.secret) for p in data.proposals]
    if fmt == "csv":
        return f"{name}.csv", csv_bytes(PROPOSAL_FIELDS, proposals)
    if fmt == "jsonl":
        return f"{name}.jsonl", jsonl_bytes(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor(t, name), ensure_ascii=False, indent=2))
        archive.writestr("data/proposals.csv", csv_bytes(PROPOSAL_FIELDS, proposals))
        archive.writestr("data/history.csv", csv_bytes(HISTORY_FIELDS, (history_row(e) for e in data.events)))
        archive.writestr(
            "data/support.csv", csv_bytes(SUPPORT_FIELDS, (support_row(c) for c in data.support))
        )
    return f"{name}.zip", buffer.getvalue()
