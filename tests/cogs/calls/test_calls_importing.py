"""Reading CSV and JSON files of calls: valid rows, per-row reasons, whole-file errors, the report."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ValidationError
from bot.i18n import ENGLISH, Msg
from cogs.calls.importing import MAX_FILE_BYTES, MAX_ROWS, ImportReport, Rejected, parse_calls_file

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
HEADER = "identifier,title,programme,deadline,opens,link,summary,tags,timezone\n"


def parse(text: str, filename: str = "calls.csv"):  # type: ignore[no-untyped-def]
    """Parse text as an uploaded file."""
    return parse_calls_file(text.encode(), filename, default_tz=BRUSSELS, now=NOW)


@pytest.mark.parametrize("name", ["calls.csv", "calls.json"])
def test_example_files_import_cleanly(name: str) -> None:
    """The shipped examples are valid and equal to each other."""
    parsed = parse_calls_file((EXAMPLES / name).read_bytes(), name, default_tz=BRUSSELS, now=NOW)
    assert parsed.rejected == []
    assert len(parsed.rows) == 8
    calls = {c.identifier: c for _, c in parsed.rows}
    first = calls["HORIZON-MISS-2027-CIT-01-01"]
    assert first.deadline_at == datetime(2027, 9, 16, 15, 0, tzinfo=UTC)  # 17:00 CEST
    assert first.opens_at == datetime(2027, 5, 3, 22, 0, tzinfo=UTC)  # 00:00 CEST
    assert first.programme == "horizon-europe"
    assert first.tags == ("public space", "buildings")
    assert calls["HORIZON-MISS-2027-CIT-01-03"].deadline_at == first.deadline_at  # explicit +02:00 offset
    assert calls["EUI-IA-05"].programme == "eui"


def test_both_examples_describe_the_same_calls() -> None:
    """The JSON example is the CSV example in another format."""
    from_csv = parse_calls_file(
        (EXAMPLES / "calls.csv").read_bytes(), "calls.csv", default_tz=BRUSSELS, now=NOW
    )
    from_json = parse_calls_file(
        (EXAMPLES / "calls.json").read_bytes(), "calls.json", default_tz=BRUSSELS, now=NOW
    )
    assert [c for _, c in from_csv.rows] == [c for _, c in from_json.rows]


def test_each_bad_row_is_rejected_with_its_reason() -> None:
    """Bad date, missing identifier, bad URL, duplicate, past deadline, unknown programme, bad zone."""
    text = HEADER + (
        "CALL-OK-1,Good call,LIFE,2027-01-10,,https://a.eu,,,\n"
        "CALL-BAD-DATE,Bad date,LIFE,10/01/2027,,,,,\n"
        ",No identifier,LIFE,2027-01-10,,,,,\n"
        "CALL-BAD-URL,Bad url,LIFE,2027-01-10,,ftp://a.eu,,,\n"
        "call-ok-1,Duplicate of the first,LIFE,2027-01-11,,,,,\n"
        "CALL-PAST,Past,LIFE,2026-10-01,,,,,\n"
        "CALL-PROG,Unknown programme,Erasmus,2027-01-10,,,,,\n"
        "CALL-TZ,Bad zone,LIFE,2027-01-10,,,,,Mars/Olympus\n"
        "CALL-NO-TITLE,,LIFE,2027-01-10,,,,,\n"
        "CALL-OPENS,Opens after deadline,LIFE,2027-01-10,2027-02-01,,,,\n"
        "CALL-NO-DEADLINE,No deadline,LIFE,,,,,,\n"
    )
    parsed = parse(text)
    assert [c.identifier for _, c in parsed.rows] == ["CALL-OK-1"]
    reasons = {str(r.where): str(r.reason) for r in parsed.rejected}
    assert "bad date" in reasons["row 3"]
    assert "identifier is missing" in reasons["row 4"]
    assert "not a web address" in reasons["row 5"]
    assert reasons["row 6"] == "duplicate in file: same identifier as row 2"
    assert "has passed" in reasons["row 7"]
    assert "unknown programme" in reasons["row 8"]
    assert "unknown time zone" in reasons["row 9"]
    assert "title is missing" in reasons["row 10"]
    assert "opening date" in reasons["row 11"]
    assert "missing deadline" in reasons["row 12"]
    assert {r.identifier for r in parsed.rejected if str(r.where) == "row 6"} == {"CALL-OK-1"}


def test_semicolon_separated_csv_with_bom_and_aliases() -> None:
    """Spreadsheets in Europe export with `;` and a byte-order mark; header aliases are understood."""
    text = "\ufeffID;Name;Program;Deadline_at;URL;Description\nDUT-2027;DUT call;dut;2027-11-18 12:00;https://d.eu;Text\n"
    parsed = parse(text)
    assert parsed.rejected == []
    ((_, call),) = parsed.rows
    assert (call.identifier, call.title, call.programme, call.link, call.summary) == (
        "DUT-2027",
        "DUT call",
        "dut",
        "https://d.eu",
        "Text",
    )
    assert call.deadline_at == datetime(2027, 11, 18, 11, 0, tzinfo=UTC)


def test_missing_programme_is_inferred_from_identifier() -> None:
    """HORIZON-MISS-... without a programme column is a Cities Mission call."""
    ((_, call),) = parse("identifier,title,deadline\nHORIZON-MISS-2027-X,T,2027-03-01\n").rows
    assert call.programme == "horizon-europe"


def test_json_list_with_non_objects_and_typed_values() -> None:
    """A JSON list may hold junk items (rejected) and non-string values (read as text)."""
    document = [
        {"identifier": "LIFE-1", "title": "Life", "deadline": "2027-02-01T10:00:00Z", "tags": ["a", "b"]},
        "not an object",
        {"identifier": 12345, "title": "Numeric id", "deadline": "2027-02-01"},
    ]
    parsed = parse(json.dumps(document), "calls.json")
    assert [c.identifier for _, c in parsed.rows] == ["LIFE-1", "12345"]
    assert parsed.rows[0][1].deadline_at == datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    assert parsed.rows[0][1].tags == ("a", "b")
    assert [str(r.where) for r in parsed.rejected] == ["item 2"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xff\xfe\x00bad", "calls.csv", "UTF-8"),
        (b"{not json", "calls.json", "not valid JSON"),
        (b'{"other": []}', "calls.json", "list of calls"),
        (b"title,deadline\nT,2027-01-01\n", "calls.csv", "header row"),
        (b"identifier,title,deadline\n", "calls.csv", "no calls"),
        (b"x" * (MAX_FILE_BYTES + 1), "calls.csv", "at most"),
    ],
)
def test_unusable_files_are_refused_whole(content: bytes, name: str, message: str) -> None:
    """A file that cannot be read at all is one clear error."""
    with pytest.raises(ValidationError, match=message):
        parse_calls_file(content, name, default_tz=BRUSSELS, now=NOW)


def test_too_many_rows_is_refused() -> None:
    """More than MAX_ROWS rows: split the file."""
    rows = "".join(f"C-{i:05d},T,2027-01-01\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(ValidationError, match="split"):
        parse("identifier,title,deadline\n" + rows)


def test_report_fits_the_limit_and_offers_the_full_file() -> None:
    """A long list of rejections is cut to fit a message; the CSV report has every row."""
    report = ImportReport(
        added=["A-1"],
        updated=["B-1"],
        unchanged=["C-1"],
        rejected=[Rejected(Msg("row {n}", n=i), f"X-{i}", Msg("missing deadline")) for i in range(200)],
    )
    text, truncated = report.summary(ENGLISH, 2000)
    assert len(text) <= 2000
    assert truncated
    assert text.startswith("Import finished: 1 added, 1 updated, 1 unchanged, 200 rejected.")
    assert "full report is attached" in text
    rows = list(csv.reader(io.StringIO(report.full_csv(ENGLISH))))
    assert rows[0] == ["where", "identifier", "outcome", "reason"]
    assert len(rows) == 1 + 3 + 200
    rejected = [Rejected(Msg("row {n}", n=2), None, Msg("missing deadline"))]
    short, cut = ImportReport(added=["A"], rejected=rejected).summary(ENGLISH, 2000)
    assert not cut
    assert "- row 2: missing deadline" in short


def test_zone_names_are_checked_without_touching_the_file_system() -> None:
    """`Europe` is a folder of the zone database, not a zone: a row reason, not a crash; case is forgiven."""
    text = HEADER + (
        "CALL-DIR,Folder zone,LIFE,2027-01-10,,,,,Europe\n"
        "CALL-PATH,Path zone,LIFE,2027-01-10,,,,,../../etc/passwd\n"
        "CALL-CASE,Lowercase zone,LIFE,2027-01-10 12:00,,,,,europe/lisbon\n"
    )
    parsed = parse(text)
    assert [c.identifier for _, c in parsed.rows] == ["CALL-CASE"]
    assert parsed.rows[0][1].timezone == "Europe/Lisbon"
    assert parsed.rows[0][1].deadline_at == datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
    assert [str(r.where) for r in parsed.rejected] == ["row 2", "row 3"]
    assert all("unknown time zone" in str(r.reason) for r in parsed.rejected)


def test_deeply_nested_json_is_one_clear_error() -> None:
    """A JSON bomb of nested lists is refused as a whole file, not an unexpected error."""
    with pytest.raises(ValidationError, match="nested too deeply"):
        parse("[" * 100_000, "calls.json")


def test_report_quotes_what_rows_called_themselves() -> None:
    """A rejected row's identifier is echoed inert: no mention markup, no broken Markdown."""
    parsed = parse(HEADER + "<@&123>,Ping,LIFE,2027-01-10,,,,,\n`@everyone`,Tick,LIFE,2027-01-10,,,,,\n")
    text, _ = ImportReport(rejected=parsed.rejected).summary(ENGLISH, 2000)
    assert "<@&" not in text
    assert "@everyone" not in text.replace("@\u200beveryone", "")
    assert "(`<@\u200b&123>`)" in text


def test_full_report_cells_cannot_run_as_spreadsheet_formulas() -> None:
    """File text starting with = + - @, tab or CR is prefixed with a quote in the CSV report (safe_row)."""
    report = ImportReport(
        added=["+A"],
        rejected=[
            Rejected(Msg("row {n}", n=2), "=HYPERLINK(1)", Msg("bad")),
            Rejected(Msg("row {n}", n=3), "OK-1", Msg("{typed}", typed="-x")),
            Rejected(Msg("row {n}", n=4), "\tTAB", Msg("{typed}", typed="@SUM(1)")),
            Rejected(Msg("row {n}", n=5), "\rCR", Msg("fine")),
        ],
    )
    rows = list(csv.reader(io.StringIO(report.full_csv(ENGLISH), newline="")))
    assert rows[1][1] == "'+A"
    assert rows[2][1] == "'=HYPERLINK(1)" and rows[3][1] == "OK-1" and rows[3][3] == "'-x"
    assert rows[4][1] == "'\tTAB" and rows[4][3] == "'@SUM(1)" and rows[5][1] == "'\rCR"
