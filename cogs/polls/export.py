"""Pure CSV export of poll results and, for non-anonymous polls, ballots.

Every row goes through bot.spreadsheet.safe_row: an option a moderator typed as `=...` (or `+`, `-`,
`@`, tab, carriage return) is written as `'=...`, so a spreadsheet shows it instead of running it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.spreadsheet import safe_row
from storage.polls import Ballot, PollExport

RESULTS_HEADER = ("option", "votes")
BALLOTS_HEADER = ("voter_id", "option", "voted_at")


@dataclass(frozen=True)
class ExportFile:
    """One file of an export: its name and its UTF-8 text."""

    filename: str
    text: str

    def data(self) -> bytes:
        """The file's bytes as sent to Discord (UTF-8, no byte-order mark)."""
        return self.text.encode("utf-8")


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Render a header and rows as RFC 4180 CSV (CRLF line ends, quoting only where needed)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return buffer.getvalue()


def results_csv(labels: Sequence[str], counts: Sequence[int]) -> str:
    """CSV with header `option,votes` and one row per option in option order."""
    if len(labels) != len(counts):
        raise ValueError("labels and counts differ in length")
    return _csv(RESULTS_HEADER, zip(labels, counts, strict=True))


def ballots_csv(ballots: Iterable[Ballot]) -> str:
    """CSV `voter_id,option,voted_at` (UTC), one row per ballot; an erased member's id is a pseudonym."""
    return _csv(
        BALLOTS_HEADER,
        ((ballot.voter, ballot.option, ballot.voted_at.isoformat(timespec="seconds")) for ballot in ballots),
    )


def export_files(export: PollExport) -> list[ExportFile]:
    """The files of a poll export: results always, ballots only when the poll is not anonymous."""
    poll = export.results.poll
    files = [ExportFile(f"poll-{poll.id}-results.csv", results_csv(poll.options, export.results.counts))]
    if export.ballots is not None and not poll.anonymous:
        files.append(ExportFile(f"poll-{poll.id}-ballots.csv", ballots_csv(export.ballots)))
    return files


@dataclass(frozen=True)
class Upload:
    """A file as it is uploaded: its name and bytes."""

    filename: str
    data: bytes


def zipped(file: ExportFile) -> Upload:
    """The file inside a deflate-compressed zip archive named `<filename>.zip`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(file.filename, file.data())
    return Upload(f"{file.filename}.zip", buffer.getvalue())


def fit_uploads(files: Sequence[ExportFile], limit: int) -> tuple[list[Upload], list[str]]:
    """Uploads of at most `limit` bytes each: a larger file is zipped, left out (named) if still larger."""
    uploads: list[Upload] = []
    left_out: list[str] = []
    for file in files:
        upload = Upload(file.filename, file.data())
        if len(upload.data) > limit:
            upload = zipped(file)
        if len(upload.data) > limit:
            left_out.append(file.filename)
        else:
            uploads.append(upload)
    return uploads, left_out
