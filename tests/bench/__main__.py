"""Run every benchmark and print one table: `python -m tests.bench [--quick] [--only a,b] [--output FILE]`.

Each benchmark module (tests/bench/bench_<name>.py) runs in a fresh subprocess of its own, so its peak
memory and its event loops do not mix with another's; it hands back its rows (tests/bench/table.py) as
JSON in a temporary file. Progress goes to stderr, the table to stdout (and to --output). `--quick` uses
small sizes (about a minute in all); the full mode, with the sizes the README quotes, is run by hand.
A module without `rows()` yet, or one that fails, is named under the table and the exit status is 1.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import inspect
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from tests.bench.table import Row, render

# The order of the table: the vote path first, then writes, scheduling, commands, search, exports, memory.
MODULES = ("polls", "proposals", "writes", "calls", "commands", "exchange", "testimonials", "memory")


def child(name: str, quick: bool, out: Path) -> int:
    """In the subprocess: run one module's rows() and write them as JSON; 3 when it has no rows()."""
    module = importlib.import_module(f"tests.bench.bench_{name}")
    rows_of = getattr(module, "rows", None)
    if rows_of is None:
        return 3
    result = rows_of(quick)
    if inspect.isawaitable(result):
        result = asyncio.run(result)  # type: ignore[arg-type]
    out.write_text(json.dumps([dataclasses.asdict(row) for row in result]))
    return 0


def run_module(name: str, quick: bool) -> tuple[list[Row], str | None]:
    """Run one module in a fresh subprocess; return its rows and, if it did not give any, why."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "rows.json"
        command = [sys.executable, "-m", "tests.bench", "--child", name, "--out", str(out)]
        began = time.perf_counter()
        # The child's own prints go to stderr: stdout belongs to the table.
        done = subprocess.run([*command, *(["--quick"] if quick else [])], check=False, stdout=sys.stderr)
        took = time.perf_counter() - began
        print(f"[bench] {name}: exit {done.returncode} after {took:.0f} s", file=sys.stderr)
        if done.returncode == 3:
            return [], f"{name} (no rows() yet)"
        if done.returncode != 0 or not out.exists():
            return [], f"{name} (failed, exit {done.returncode})"
        return [Row(**item) for item in json.loads(out.read_text())], None


def main(argv: list[str]) -> int:
    """Run the chosen benchmarks one after another and print the table; 1 if any gave no rows."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, about a minute in all")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(MODULES)}")
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.quick, args.out)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(MODULES)
    unknown = sorted(set(chosen) - set(MODULES))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    started, began = datetime.now(), time.perf_counter()
    rows: list[Row] = []
    missing: list[str] = []
    for name in chosen:
        got, why = run_module(name, args.quick)
        rows += got
        if why:
            missing.append(why)
    command = " ".join(["python -m tests.bench", *argv])
    text = render(rows, quick=args.quick, when=started, command=command)
    text += f"\nWall time {time.perf_counter() - began:.0f} s."
    if missing:
        text += f" Not measured: {', '.join(missing)}."
    text += "\n"
    print(text)
    if args.output:
        args.output.write_text(text)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
