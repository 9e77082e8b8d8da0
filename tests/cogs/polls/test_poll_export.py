"""CSV export of results and ballots."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

from cogs.polls.export import ballots_csv, export_files, fit_uploads, results_csv
from storage.polls import Ballot, Poll, PollExport, PollResults

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def rows(text: str) -> list[list[str]]:
    """Parse CSV text back into rows."""
    return list(csv.reader(io.StringIO(text, newline="")))


def make_export(*, anonymous: bool) -> PollExport:
    """An export of a three-option poll with two ballots (none if anonymous)."""
    poll = Poll(
        id=7,
        guild_id=1,
        channel_id=2,
        message_id=3,
        question="Which?",
        options=("Energy", 'Say "hi", then leave', "Multi\nline"),
        multiple=False,
        anonymous=anonymous,
        hide_results=False,
        created_by=4,
        created_at=T0,
        closes_at=None,
        closed_at=None,
    )
    ballots = (
        Ballot(voter_id=123456789012345678, option_index=1, option=poll.options[1], voted_at=T0),
        Ballot(voter_id=5, option_index=0, option="Energy", voted_at=T0.replace(minute=5)),
    )
    return PollExport(PollResults(poll, (1, 1, 0), 2), None if anonymous else ballots)


def test_results_csv() -> None:
    """Header `option,votes`, one row per option, awkward characters quoted."""
    text = results_csv(["a,b", 'q"x', "plain"], [2, 0, 5])
    assert text.startswith("option,votes\r\n")
    assert rows(text) == [["option", "votes"], ["a,b", "2"], ['q"x', "0"], ["plain", "5"]]


def test_ballots_csv() -> None:
    """Header `voter_id,option,voted_at` with full member ids and ISO-8601 UTC times."""
    export = make_export(anonymous=False)
    assert export.ballots is not None
    assert rows(ballots_csv(export.ballots)) == [
        ["voter_id", "option", "voted_at"],
        ["123456789012345678", 'Say "hi", then leave', "2026-03-01T09:00:00+00:00"],
        ["5", "Energy", "2026-03-01T09:05:00+00:00"],
    ]


def test_export_files_non_anonymous() -> None:
    """Two files: results and ballots."""
    files = export_files(make_export(anonymous=False))
    assert [f.filename for f in files] == ["poll-7-results.csv", "poll-7-ballots.csv"]
    assert rows(files[0].text)[1:] == [["Energy", "1"], ['Say "hi", then leave', "1"], ["Multi\nline", "0"]]
    assert files[1].data().decode("utf-8") == files[1].text


def test_export_files_anonymous() -> None:
    """Anonymous polls export results only."""
    files = export_files(make_export(anonymous=True))
    assert [f.filename for f in files] == ["poll-7-results.csv"]


def test_files_within_the_upload_limit_are_sent_as_they_are() -> None:
    """Below the limit nothing is zipped or left out."""
    files = export_files(make_export(anonymous=False))
    uploads, left_out = fit_uploads(files, limit=10_000)
    assert [(u.filename, u.data) for u in uploads] == [(f.filename, f.data()) for f in files]
    assert left_out == []


def test_a_file_over_the_upload_limit_is_zipped_or_left_out() -> None:
    """A large ballots file is zipped (and unzips to the same CSV); one that still does not fit is named."""
    ballots = tuple(
        Ballot(voter_id=10**17 + n, option_index=n % 3, option="Energy", voted_at=T0) for n in range(5000)
    )
    export = PollExport(make_export(anonymous=False).results, ballots)
    results, ballots_file = export_files(export)
    limit = len(ballots_file.data()) // 3
    uploads, left_out = fit_uploads([results, ballots_file], limit)
    assert [u.filename for u in uploads] == ["poll-7-results.csv", "poll-7-ballots.csv.zip"] and not left_out
    assert len(uploads[1].data) <= limit
    with zipfile.ZipFile(io.BytesIO(uploads[1].data)) as archive:
        assert archive.read("poll-7-ballots.csv") == ballots_file.data()
    uploads, left_out = fit_uploads([results, ballots_file], limit=len(results.data()))
    assert [u.filename for u in uploads] == ["poll-7-results.csv"] and left_out == ["poll-7-ballots.csv"]


def test_cells_a_spreadsheet_would_run_are_neutralised() -> None:
    """Options starting with =, +, -, @, tab or CR get a leading apostrophe; numbers stay numbers."""
    labels = ('=HYPERLINK("http://x")', "+1", "-5 °C", "@SUM(A1)", "\tTab", "\rCR", "Plain = fine")
    assert rows(results_csv(labels, (1, 0, 2, 0, 0, 0, 3))) == [
        ["option", "votes"],
        ['\'=HYPERLINK("http://x")', "1"],
        ["'+1", "0"],
        ["'-5 °C", "2"],
        ["'@SUM(A1)", "0"],
        ["'\tTab", "0"],
        ["'\rCR", "0"],
        ["Plain = fine", "3"],
    ]
    ballot = Ballot(voter_id=5, option_index=0, option="=cmd|' /C calc'!A0", voted_at=T0)
    assert rows(ballots_csv([ballot]))[1] == ["5", "'=cmd|' /C calc'!A0", "2026-03-01T09:00:00+00:00"]
