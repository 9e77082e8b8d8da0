"""The benchmark table: ratios of medians (not medians of ratios), the printed table, and the runner."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.bench.table import Row, fmt_ms, percentile, render

ROOT = Path(__file__).resolve().parents[2]


def test_ratio_is_the_ratio_of_the_two_medians_not_a_median_of_per_round_ratios() -> None:
    """Per-round ratios 2.0, 1.0, 2.5 (median 2.0), medians 3 and 3: the printed ratio is 1.00×."""
    ours, floor = [2.0, 3.0, 10.0], [1.0, 3.0, 4.0]
    row = Row.from_samples("vote", ours, floor)
    assert row.median_ms == 3.0 and row.floor_median_ms == 3.0
    assert row.median_ratio == pytest.approx(1.0)
    assert "| 1.00× |" in render([row], quick=True)
    assert row.p99_ratio == pytest.approx(row.p99_ms / row.floor_p99_ms)  # type: ignore[operator]


def test_percentile_interpolates_and_p99_of_100_values_sits_between_the_two_largest() -> None:
    """The 99th percentile of 1..100 is 99.01; of one value, that value; of none, an error."""
    assert percentile(list(range(1, 101)), 0.99) == pytest.approx(99.01)
    assert percentile([5.0], 0.99) == 5.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_missing_figures_give_no_ratio_and_print_as_a_dash() -> None:
    """Without a floor, or with a zero floor, there is no ratio."""
    assert Row("x", 1.0, 2.0).median_ratio is None
    assert Row("x", 1.0, 2.0, floor_median_ms=0.0).median_ratio is None
    assert Row("x", None, None, floor_median_ms=1.0).median_ratio is None


def test_render_prints_one_markdown_table_under_the_date_cores_python_and_mode() -> None:
    """The header line, the columns, both absolute figures beside each ratio, and units that read."""
    rows = [
        Row("vote click", 3.4, 25.0, 2.3, 15.4, peak_mib=88.4, extra="every vote | counted"),
        Row("export", 3800.0, None, extra="100k"),
    ]
    text = render(rows, quick=True, when=datetime(2026, 12, 7, 9, 5), command="python -m tests.bench --quick")
    lines = text.splitlines()
    assert lines[0].startswith("2026-12-07 09:05, ") and " cores, Python 3." in lines[0]
    assert lines[0].endswith("mode quick (`python -m tests.bench --quick`)")
    assert lines[2].startswith("| benchmark | median | p99 | floor median | floor p99 | ratio median |")
    assert lines[3] == "|---|---|---|---|---|---|---|---|---|"
    assert lines[4] == (
        "| vote click | 3.40 ms | 25.0 ms | 2.30 ms | 15.4 ms | 1.48× | 1.62× | 88 MiB"
        " | every vote / counted |"
    )
    assert lines[5] == "| export | 3.80 s | – | – | – | – | – | – | 100k |"
    assert len(lines) == 6
    assert "mode full" in render(rows, quick=False)


def test_durations_print_in_units_that_read() -> None:
    """Small figures keep two decimals, large ones become seconds."""
    assert [fmt_ms(v) for v in (0.123, 12.34, 123.4, 1234.0, None)] == [
        "0.12 ms",
        "12.3 ms",
        "123 ms",
        "1.23 s",
        "–",
    ]


def test_the_runner_runs_a_benchmark_in_quick_mode_and_prints_its_rows_in_one_table() -> None:
    """`python -m tests.bench --quick --only exchange` exits 0 and prints the table with its row."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--quick", "--only", "exchange"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert "mode quick (`python -m tests.bench --quick --only exchange`)" in lines[0]
    (row,) = [
        line for line in lines if line.startswith("| lessons search in storage (FTS5), 2,000 lessons |")
    ]
    assert row.count("|") == 10 and " ms |" in row
    assert any(line.startswith("Wall time ") for line in lines)


def test_the_runner_refuses_an_unknown_benchmark_in_one_line() -> None:
    """A typo in --only is an operator error, not a crash."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--only", "nosuch"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown benchmark nosuch" in done.stderr
