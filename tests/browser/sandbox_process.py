"""`climabot sandbox` run as a person runs it: its own process, a free port, a data folder; stopped with
SIGINT (what Ctrl-C sends) or SIGTERM (what a service manager sends) and started again on the same folder."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

# The first start builds the demo server and runs /setup; on 2 busy cores that can take a while.
START_TIMEOUT = 90.0
STOP_TIMEOUT = 20.0
READY_LINE = "climabot sandbox: "


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SandboxProcess:
    """One `python -m bot sandbox --port P --data DIR` process; start(), stop(), restart()."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        """Remember where the sandbox keeps its state and where its output goes."""
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: asyncio.subprocess.Process | None = None
        self.drain: asyncio.Task[None] | None = None
        self.starts = 0

    async def start(self) -> str:
        """Start the sandbox and wait for the line that prints its URL; fail with its output if it dies."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLIMABOT_")}
        log = self.log_path.open("a", encoding="utf-8")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "sandbox", "--port", str(self.port), "--data", str(self.data_dir),
            stdout=asyncio.subprocess.PIPE, stderr=log, env=env,
        )  # fmt: skip
        log.close()
        self.starts += 1
        assert self.process.stdout is not None
        try:
            line = await asyncio.wait_for(self._ready_line(self.process.stdout), START_TIMEOUT)
        except TimeoutError:
            await self.stop(expect_clean=False)
            pytest.fail(f"climabot sandbox printed no URL within {START_TIMEOUT:g} s:\n{self.output()}")
        if line is None:
            code = await self.process.wait()
            pytest.fail(f"climabot sandbox exited with {code} before it was ready:\n{self.output()}")
        assert self.url in line, line
        # Keep reading what it prints, so a full pipe never blocks it.
        self.drain = asyncio.create_task(self._copy_rest(self.process.stdout))
        return self.url

    async def _ready_line(self, stdout: asyncio.StreamReader) -> str | None:
        """Read stdout until the URL line (kept in the log too); None at end of output."""
        while raw := await stdout.readline():
            line = raw.decode("utf-8", "replace")
            with self.log_path.open("a", encoding="utf-8") as log:
                log.write(line)
            if line.startswith(READY_LINE):
                return line
        return None

    async def _copy_rest(self, stdout: asyncio.StreamReader) -> None:
        """Copy the rest of stdout into the log until it ends."""
        while raw := await stdout.readline():
            with self.log_path.open("a", encoding="utf-8") as log:
                log.write(raw.decode("utf-8", "replace"))

    async def stop(self, *, expect_clean: bool = True, sig: signal.Signals = signal.SIGINT) -> None:
        """Stop it with sig (SIGINT, as Ctrl-C); it must exit 0 in time, or the test fails."""
        process, self.process = self.process, None
        drain, self.drain = self.drain, None
        if drain is not None:
            drain.cancel()
        if process is None or process.returncode is not None:
            return
        process.send_signal(sig)
        try:
            code = await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            if expect_clean:
                pytest.fail(f"climabot sandbox did not stop within {STOP_TIMEOUT:g} s:\n{self.output()}")
            return
        if expect_clean and code != 0:
            pytest.fail(f"climabot sandbox exited with {code} on {sig.name}:\n{self.output()}")

    async def restart(self, sig: signal.Signals = signal.SIGINT) -> str:
        """Stop the sandbox with sig and start it again on the same data folder and port."""
        await self.stop(sig=sig)
        return await self.start()

    def output(self, lines: int = 40) -> str:
        """The last lines the sandbox printed (stdout and stderr)."""
        try:
            text = self.log_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return "(no output)"
        return "\n".join(text.splitlines()[-lines:]) or "(no output)"
