"""Reading a CSV or JSON file of calls into validated rows and a per-row report.

Columns (CSV header or JSON keys; case-insensitive; only `identifier`, `title` and `deadline` are
required): identifier, title, programme, deadline, opens, link, summary, tags, timezone.
Dates: `YYYY-MM-DD` (a deadline then means 17:00, an opening date 00:00), `YYYY-MM-DD HH:MM`, or ISO
8601 with an offset (`2026-09-17T17:00:00+02:00`, `...Z`). Times without an offset are read in the row's
`timezone`, else the server's zone. Tags are separated by `;` or `,`. JSON is a list of objects, or
an object with a `calls` list. A file is at most MAX_FILE_BYTES and MAX_ROWS rows.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import ValidationError
from bot.i18n import N_, Lang, Msg
from bot.replies import quote_input
from bot.spreadsheet import safe_row
from bot.timeparse import localize
from bot.timezones import zone_names
from cogs.calls.programmes import accepted_programmes, find_programme, infer_programme
from cogs.calls.rules import check_link, check_summary, check_title, normalize_identifier, parse_tags
from storage.calls import CallInput

MAX_FILE_BYTES = 1_000_000
MAX_ROWS = 2000
COLUMNS = ("identifier", "title", "programme", "deadline", "opens", "link", "summary", "tags", "timezone")
_ALIASES = {
    "id": "identifier",
    "call": "identifier",
    "call_id": "identifier",
    "name": "title",
    "program": "programme",
    "deadline_at": "deadline",
    "opens_at": "opens",
    "opening": "opens",
    "opening_date": "opens",
    "url": "link",
    "description": "summary",
    "tz": "timezone",
}
_BARE_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
DATE_RULE = N_("use YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601 with an offset")


@dataclass(frozen=True)
class Rejected:
    """A row that was not imported, and why (both texts translated when the report is shown)."""

    where: Msg  # "row 3" (CSV, as a spreadsheet numbers it) or "item 2" (JSON)
    identifier: str | None
    reason: Msg


@dataclass
class ParsedFile:
    """The valid rows of a file (with where they came from) and the rejected ones."""

    rows: list[tuple[Msg, CallInput]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def parse_file_time(text: str, tz: ZoneInfo, *, bare_date_time: str) -> datetime:
    """Parse a date or date-time from a file into UTC; a bare date gets `bare_date_time` (HH:MM)."""
    cleaned = text.strip()
    if _BARE_DATE.fullmatch(cleaned):
        cleaned = f"{cleaned} {bare_date_time}"
    elif not _DATE_TIME.fullmatch(cleaned):
        raise ValueError
    parsed = datetime.fromisoformat(cleaned)
    if parsed.tzinfo is None:
        return localize(parsed, tz)
    return parsed.astimezone(zoneinfo.ZoneInfo("UTC"))


@functools.cache
def _zones_by_lowercase() -> dict[str, str]:
    """Map every known zone name, lowercased, to its proper spelling."""
    return {name.lower(): name for name in zone_names()}


def file_zone(name: str) -> ZoneInfo:
    """Return the IANA zone a row names (any case), or raise ValidationError (never a file-system error)."""
    found = _zones_by_lowercase().get(name.strip().lower())
    if found is None:
        raise ValidationError(
            "unknown time zone {zone}; use an IANA name such as Europe/Brussels", zone=quote_input(name)
        )
    return ZoneInfo(found)


def decode(data: bytes) -> str:
    """Decode a file as UTF-8 (with or without a byte-order mark), or raise ValidationError."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text; save it as UTF-8 CSV or JSON.") from None


def _records(text: str, filename: str) -> Iterator[tuple[Msg, Mapping[str, Any]]]:
    """Yield (where, record) pairs from CSV or JSON text."""
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or (not filename.lower().endswith(".csv") and stripped[:1] in "[{"):
        yield from _json_records(stripped)
    else:
        yield from _csv_records(text)


def _json_records(text: str) -> Iterator[tuple[Msg, Mapping[str, Any]]]:
    """Yield the objects of a JSON list (or of an object's `calls` list)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as problem:
        raise ValidationError(
            # Translators: {error} is the JSON parser's own explanation, in English.
            "The file is not valid JSON (line {line}, column {column}: {error}).",
            line=problem.lineno,
            column=problem.colno,
            error=problem.msg,
        ) from None
    except RecursionError:
        raise ValidationError("The JSON file is nested too deeply; use a flat list of calls.") from None
    if isinstance(document, dict):
        document = document.get("calls")
    if not isinstance(document, list):
        raise ValidationError("The JSON file must hold a list of calls, or an object with a `calls` list.")
    for index, item in enumerate(document, start=1):
        # Translators: where a rejected call stands in an imported JSON file: its position in the list.
        where = Msg("item {n}", n=index)
        yield where, item if isinstance(item, dict) else {"__invalid__": True}


def _csv_records(text: str) -> Iterator[tuple[Msg, Mapping[str, Any]]]:
    """Yield the rows of a CSV file with a header; comma, semicolon or tab separated."""
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = reader.fieldnames or []
    except csv.Error as problem:
        # Translators: {error} is the CSV reader's own explanation, in English.
        raise ValidationError("The CSV file cannot be read: {error}.", error=str(problem)) from None
    columns = {_column(name) for name in header}
    if "identifier" not in columns:
        raise ValidationError(
            "The CSV file needs a header row with at least `identifier`, `title` and `deadline` columns "
            "(known columns: {columns}).",
            columns=", ".join(COLUMNS),
        )
    try:
        for index, row in enumerate(reader, start=2):
            # Translators: where a rejected call stands in an imported CSV file: its row number.
            yield Msg("row {n}", n=index), row
    except csv.Error as problem:
        raise ValidationError(
            "The CSV file cannot be read after row {row}: {error}.", row=reader.line_num, error=str(problem)
        ) from None


def _column(name: Any) -> str:
    """Map a header or key to its column name."""
    key = str(name or "").strip().lower().replace(" ", "_")
    return _ALIASES.get(key, key)


def _text(value: Any) -> str:
    """Turn a CSV or JSON value into text (lists become `;`-joined, null becomes empty)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    return str(value)


def parse_calls_file(data: bytes, filename: str, *, default_tz: ZoneInfo, now: datetime) -> ParsedFile:
    """Validate every row of a calls file; raise ValidationError only when the whole file is unusable."""
    if len(data) > MAX_FILE_BYTES:
        raise too_large(len(data))
    parsed = ParsedFile()
    first_seen: dict[str, Msg] = {}
    count = 0
    for where, record in _records(decode(data), filename):
        count += 1
        if count > MAX_ROWS:
            raise ValidationError(
                "The file has more than {limit} calls; split it into smaller files.", limit=MAX_ROWS
            )
        fields = {_column(k): _text(v).strip() for k, v in record.items() if k is not None}
        identifier = fields.get("identifier", "").upper() or None
        try:
            if "__invalid__" in fields:
                # Translators: why an item of an imported JSON list was rejected.
                raise ValidationError("not an object with call fields")
            call = _row_to_call(fields, default_tz, now)
        except ValidationError as problem:
            parsed.rejected.append(Rejected(where, identifier, problem.text))
            continue
        if call.identifier in first_seen:
            parsed.rejected.append(
                Rejected(
                    where,
                    call.identifier,
                    # Translators: {where} is "row 2" or "item 2".
                    Msg("duplicate in file: same identifier as {where}", where=first_seen[call.identifier]),
                )
            )
            continue
        first_seen[call.identifier] = where
        parsed.rows.append((where, call))
    if count == 0:
        raise ValidationError("The file holds no calls.")
    return parsed


def _row_to_call(fields: Mapping[str, str], default_tz: ZoneInfo, now: datetime) -> CallInput:
    """Validate one row's fields into a CallInput, or raise ValidationError with the reason."""
    identifier = normalize_identifier(fields.get("identifier", ""))
    title = check_title(fields.get("title", ""))
    tz = default_tz
    if fields.get("timezone"):
        tz = file_zone(fields["timezone"])
    deadline_text = fields.get("deadline", "")
    if not deadline_text:
        raise ValidationError("missing deadline")
    try:
        deadline = parse_file_time(deadline_text, tz, bare_date_time="17:00")
    except ValueError:
        raise ValidationError(
            "bad date {typed} in deadline; {rule}", typed=quote_input(deadline_text), rule=Msg(DATE_RULE)
        ) from None
    if deadline <= now:
        raise ValidationError("deadline {typed} has passed", typed=quote_input(deadline_text))
    opens = None
    if fields.get("opens"):
        try:
            opens = parse_file_time(fields["opens"], tz, bare_date_time="00:00")
        except ValueError:
            raise ValidationError(
                "bad date {typed} in opens; {rule}", typed=quote_input(fields["opens"]), rule=Msg(DATE_RULE)
            ) from None
        if opens >= deadline:
            raise ValidationError("the opening date is not before the deadline")
    programme_text = fields.get("programme", "")
    found = find_programme(programme_text) if programme_text else infer_programme(identifier)
    if found is None:
        raise ValidationError(
            "unknown programme {typed}; use one of {accepted}",
            typed=quote_input(programme_text),
            accepted=accepted_programmes(),
        )
    return CallInput(
        identifier=identifier,
        title=title,
        programme=found.code,
        deadline_at=deadline,
        timezone=tz.key,
        link=check_link(fields.get("link", "")),
        summary=check_summary(fields.get("summary", "")),
        tags=parse_tags(fields.get("tags", "")),
        opens_at=opens,
    )


def too_large(size: int) -> ValidationError:
    """The refusal of a file over MAX_FILE_BYTES."""
    return ValidationError(
        "The file is {size} bytes; at most {limit} bytes are accepted.",
        size=size,
        limit=MAX_FILE_BYTES,
    )


@dataclass
class ImportReport:
    """What an import did, by identifier, and what it rejected."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def headline(self, t: Lang) -> str:
        """One line with the counts."""
        return t._(
            # Translators: each placeholder is a number of calls; reorder freely ("added: {added}, …").
            "Import finished: {added} added, {updated} updated, {unchanged} unchanged, {rejected} rejected.",
            added=len(self.added),
            updated=len(self.updated),
            unchanged=len(self.unchanged),
            rejected=len(self.rejected),
        )

    def summary(self, t: Lang, limit: int) -> tuple[str, bool]:
        """Render the report within `limit` characters; True if rows were left out (attach full_csv)."""
        lines = [self.headline(t)]
        if self.rejected:
            lines.append(t._("Rejected:"))
        complete = True
        for item in self.rejected:
            named = f" ({quote_input(item.identifier, 40)})" if item.identifier else ""
            line = f"- {t.render(item.where)}{named}: {t.render(item.reason)}"
            if len("\n".join([*lines, line])) > limit - 80:
                complete = False
                break
            lines.append(line)
        if not complete:
            lines.append(t._("The full report is attached."))
        return "\n".join(lines), not complete

    def full_csv(self, t: Lang) -> str:
        """Render every row's outcome as CSV (where, identifier, outcome, reason), safe in a spreadsheet.

        Column names and outcome codes are the file's schema and stay English; where and reason are
        written in language t.
        """
        out = io.StringIO()
        # RFC 4180 line ends: the writer then quotes a cell holding a lone carriage return too.
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["where", "identifier", "outcome", "reason"])
        for outcome, identifiers in (
            ("added", self.added),
            ("updated", self.updated),
            ("unchanged", self.unchanged),
        ):
            for identifier in identifiers:
                writer.writerow(safe_row(["", identifier, outcome, ""]))
        for item in self.rejected:
            # Identifiers and reasons echo the file's text, which may start like a formula.
            row = [t.render(item.where), item.identifier or "", "rejected", t.render(item.reason)]
            writer.writerow(safe_row(row))
        return out.getvalue()
