"""Pure CSV export of poll results and, for non-anonymous polls, ballots."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def results_csv(labels: Sequence[str], counts: Sequence[int]) -> str:
    """CSV with header `option,votes` and one row per option in option order."""
    if len(labels) != len(counts):
        raise ValueError("labels and counts differ in length")
    return _csv(RESULTS_HEADER, zip(labels, counts, strict=True))


def ballots_csv(ballots: Iterable[Ballot]) -> str:
    """CSV with header `voter_id,option,voted_at` (ISO-8601 UTC), one row per ballot."""
    return _csv(
        BALLOTS_HEADER,
        (
            (ballot.voter_id, ballot.option, ballot.voted_at.isoformat(timespec="seconds"))
            for ballot in ballots
        ),
    )


def export_files(export: PollExport) -> list[ExportFile]:
    """The files of a poll export: results always, ballots only when the poll is not anonymous."""
    poll = export.results.poll
    files = [ExportFile(f"poll-{poll.id}-results.csv", results_csv(poll.options, export.results.counts))]
    if export.ballots is not None and not poll.anonymous:
        files.append(ExportFile(f"poll-{poll.id}-ballots.csv", ballots_csv(export.ballots)))
    return files
