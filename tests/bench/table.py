"""The one benchmark table: the row every benchmark returns and the printer `python -m tests.bench` uses.

Contract for a benchmark module `tests/bench/bench_<name>.py`:
- it exposes `rows(quick: bool) -> list[Row]`, plain or `async def` (the runner awaits a coroutine);
  `quick=True` uses small sizes and should finish in about 10 s, `quick=False` uses the sizes the
  README quotes;
- the runner imports the module and calls `rows()` in its own fresh subprocess, so a module may start
  processes, emulators and event loops freely, and its peak memory does not mix with another's;
- figures are in milliseconds (`median_ms`, `p99_ms`, `floor_*`), memory in MiB (`peak_mib`); a
  figure that does not apply is None and prints as "–";
- a throughput is given as the time per operation (1000 / rate, in ms) so that every ratio reads the
  same way (ours / floor, lower is better); say the rates themselves in `extra`;
- `floor_*` is the floor measured in the same run (a bare discord.py client, raw sqlite3, a LIKE scan):
  the ratios are the ratio of the two medians and of the two p99s (never a median of per-round ratios);
- `extra` is one short plain-text note (sizes, counts, "every vote counted"); no "|" or newlines;
- progress and details go to stderr; stdout belongs to the table.

Use `Row.from_samples(name, samples_ms, floor_samples_ms)` to get the median and p99 computed the same
way in every benchmark (`percentile` below).
"""

from __future__ import annotations

import math
import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


def percentile(values: Sequence[float], share: float) -> float:
    """Return the `share` (0..1) percentile, linearly interpolated between the closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(ours: float | None, floor: float | None) -> float | None:
    """Return ours / floor, or None when either is missing or the floor is not positive."""
    if ours is None or floor is None or floor <= 0:
        return None
    return ours / floor


@dataclass(frozen=True)
class Row:
    """One line of the table: our figures, the floor's from the same run, peak memory and a note."""

    name: str
    median_ms: float | None
    p99_ms: float | None
    floor_median_ms: float | None = None
    floor_p99_ms: float | None = None
    peak_mib: float | None = None
    extra: str = ""

    @property
    def median_ratio(self) -> float | None:
        """Ratio of our median to the floor's median."""
        return ratio(self.median_ms, self.floor_median_ms)

    @property
    def p99_ratio(self) -> float | None:
        """Ratio of our 99th percentile to the floor's 99th percentile."""
        return ratio(self.p99_ms, self.floor_p99_ms)

    @classmethod
    def from_samples(
        cls,
        name: str,
        samples_ms: Sequence[float],
        floor_samples_ms: Sequence[float] | None = None,
        *,
        peak_mib: float | None = None,
        extra: str = "",
    ) -> Row:
        """Build a row from raw latencies (ms): median and p99 of ours and, if given, of the floor."""
        floor = list(floor_samples_ms or [])
        return cls(
            name=name,
            median_ms=statistics.median(samples_ms),
            p99_ms=percentile(samples_ms, 0.99),
            floor_median_ms=statistics.median(floor) if floor else None,
            floor_p99_ms=percentile(floor, 0.99) if floor else None,
            peak_mib=peak_mib,
            extra=extra,
        )


def fmt_ms(value: float | None) -> str:
    """Format a duration given in ms: µs-precise when small, seconds when large."""
    if value is None:
        return "–"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    return f"{value:.2f} ms"


def fmt_ratio(value: float | None) -> str:
    """Format a ratio as 1.23×."""
    return "–" if value is None else f"{value:.2f}×"


def fmt_mib(value: float | None) -> str:
    """Format a memory figure in MiB."""
    return "–" if value is None else f"{value:.0f} MiB"


HEADER = ("benchmark", "median", "p99", "floor median", "floor p99", "ratio median", "ratio p99", "peak RSS")


def cells(row: Row) -> list[str]:
    """Return the printed cells of one row (the note is the last one)."""
    return [
        row.name,
        fmt_ms(row.median_ms),
        fmt_ms(row.p99_ms),
        fmt_ms(row.floor_median_ms),
        fmt_ms(row.floor_p99_ms),
        fmt_ratio(row.median_ratio),
        fmt_ratio(row.p99_ratio),
        fmt_mib(row.peak_mib),
        row.extra.replace("|", "/").replace("\n", " "),
    ]


def machine_line(*, quick: bool, when: datetime | None = None, command: str = "python -m tests.bench") -> str:
    """Return the line stating when, where and how the table was measured."""
    stamp = (when or datetime.now()).strftime("%Y-%m-%d %H:%M")
    mode = "quick" if quick else "full"
    return f"{stamp}, {os.cpu_count()} cores, Python {platform.python_version()}, mode {mode} (`{command}`)"


def render(
    rows: Sequence[Row], *, quick: bool, when: datetime | None = None, command: str = "python -m tests.bench"
) -> str:
    """Return the Markdown table of `rows` under one line giving the date, cores, Python and mode."""
    lines = [machine_line(quick=quick, when=when, command=command), ""]
    lines.append("| " + " | ".join((*HEADER, "notes")) + " |")
    lines.append("|" + "---|" * (len(HEADER) + 1))
    lines += ["| " + " | ".join(cells(row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"
