"""The sandbox page's pure logic (markdown, timestamps, slash-command parsing) under `node --test`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def test_page_logic_in_node() -> None:
    """Run the page's JavaScript logic tests; every one of them must pass."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; install nodejs (.ci/run does it with apt-get)", pytrace=False)
    files = sorted(str(p) for p in HERE.glob("*.test.mjs"))
    assert files, "no JavaScript test files found"
    done = subprocess.run(
        [node, "--test", *files], capture_output=True, text=True, timeout=120, env={"TZ": "UTC", "PATH": ""}
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout
