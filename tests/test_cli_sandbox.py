"""`climabot sandbox` as a person runs it: a process that prints its URL, serves the page, stops on Ctrl-C
and finds everything again on the next start."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import sandbox_run
from bot.cli import main
from sandbox import persist
from sandbox.demo import GUILD_NAME, PEOPLE, find_demo
from sandbox.emulator import Emulator
from sandbox.server import Violation
from storage.repositories import open_storage

START_TIMEOUT = 60.0


def _free_port() -> int:
    """Return a port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sandbox:
    """A `python -m bot sandbox` process, its output read line by line."""

    def __init__(self, cwd: Path, port: int, data: Path) -> None:
        """Start the process in cwd with an environment that would leak a real token if it were read."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLIMABOT_")}
        env.update(
            CLIMABOT_DISCORD__TOKEN="a-real-token-that-must-not-be-used",
            CLIMABOT_STORAGE__DATABASE_PATH=str(cwd / "elsewhere.sqlite3"),
            PYTHONUNBUFFERED="1",
        )
        command = [sys.executable, "-m", "bot", "sandbox", "--port", str(port), "--data", str(data)]
        self.proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.err.extend(self.proc.stderr or []), daemon=True).start()

    def _read(self) -> None:
        """Forward stdout lines to the queue."""
        for line in self.proc.stdout or []:
            self.lines.put(line)

    def url(self) -> str:
        """Wait for the one line with the URL and return the URL."""
        try:
            line = self.lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            self.proc.kill()
            raise AssertionError(
                f"no URL line within {START_TIMEOUT}s; stderr: {''.join(self.err)}"
            ) from None
        assert line.startswith("climabot sandbox: http://127.0.0.1:"), (line, self.err)
        assert line.rstrip().endswith("; Ctrl-C stops)"), line
        return line.split()[2]

    def interrupt(self, sig: int = signal.SIGINT) -> int:
        """Press Ctrl-C (or send another signal) and return the exit code."""
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)

    def kill(self) -> None:
        """Make sure the process is gone."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def sandboxes() -> Iterator[list[Sandbox]]:
    """Processes started by a test, killed at the end if still running."""
    started: list[Sandbox] = []
    yield started
    for box in started:
        box.kill()


def _get(url: str) -> tuple[int, bytes]:
    """GET a URL on the sandbox."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST JSON to the sandbox's API and return the JSON answer."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def _buttons(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return every button with a custom_id in a message's component tree."""
    found: list[dict[str, Any]] = []
    for comp in components:
        if comp.get("type") == 2 and "custom_id" in comp:
            found.append(comp)
        found += _buttons(comp.get("components", []))
    return found


def _message(url: str, message_id: str, viewer: str) -> dict[str, Any]:
    """Return one message as the page's API shows it to a viewer."""
    return dict(json.loads(_get(f"{url}api/messages/{message_id}?as={viewer}")[1])["message"])


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Poll check() until it is true (the tally is repainted at most once a second by design)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"no {what} after {timeout}s"
        time.sleep(0.1)


def _saved(data: Path) -> Emulator:
    """Load the state the sandbox saved, as a stopped emulator."""
    emu = Emulator()
    assert persist.load(emu, data)
    return emu


async def _guild_settings(data: Path, guild_id: int) -> Any:
    """Read the bot's settings of a server from its database in the data folder."""
    db, repos = await open_storage(data / "climabot.sqlite3", default_timezone="Europe/Brussels")
    try:
        return await repos.guild_settings.get(guild_id)
    finally:
        await db.close()


def test_sandbox_starts_stops_on_ctrl_c_and_finds_everything_again(
    tmp_path: Path, sandboxes: list[Sandbox]
) -> None:
    """First start builds and configures the demo server; Ctrl-C exits 0; the next start has it all."""
    # A config file the sandbox must ignore (it would be an error if read).
    (tmp_path / "config.toml").write_text('[nonsense]\ntoken = "x"\n', encoding="utf-8")
    data, port = tmp_path / "demo", _free_port()
    first = Sandbox(tmp_path, port, data)
    sandboxes.append(first)
    url = first.url()
    assert url == f"http://127.0.0.1:{port}/"
    status, page = _get(url)
    assert status == 200 and b"<html" in page.lower()
    assert json.loads(_get(f"{url}api/guild")[1])["name"] == GUILD_NAME

    members = {m["username"]: m["id"] for m in json.loads(_get(f"{url}api/members")[1])["members"]}
    niamh, marco = members["niamh"], members["marco"]
    channels = json.loads(_get(f"{url}api/channels?as={niamh}")[1])["channels"]
    general = next(c["id"] for c in channels if c["name"] == "general")
    said = _post(f"{url}api/channels/{general}/messages?as={niamh}", {"content": "still here?"})
    poll = {"channel_id": general, "command": "poll create", "options": {"question": "Car-free Sunday?"}}
    poll["options"]["options"] = "yes; no"
    assert _post(f"{url}api/commands/run?as={marco}&wait=1", poll)["interaction"]["status"] == "message"

    assert first.interrupt() == 0, first.err
    assert not [line for line in first.err if "ERROR" in line or "Traceback" in line], first.err
    saved = _saved(data)
    demo = find_demo(saved)
    assert set(demo.people) == {p.username for p in PEOPLE}
    roles = {r.name for r in demo.guild.roles.values()}
    assert {p.city for p in PEOPLE} <= roles, "each /profile set joined a city, which made its role"
    settings = asyncio.run(_guild_settings(data, demo.guild.id))
    assert (settings.announcements_channel_id, settings.proposals_forum_id) == (
        demo.announcements.id,
        demo.proposals.id,
    )
    assert settings.moderator_role_id == demo.moderator_role.id
    assert not (tmp_path / "elsewhere.sqlite3").exists(), "CLIMABOT_* variables must not reach the sandbox"
    before = persist.dump_world(saved)

    second = Sandbox(tmp_path, port, data)
    sandboxes.append(second)
    url = second.url()
    listed = json.loads(_get(f"{url}api/channels/{general}/messages?as={niamh}")[1])["messages"]
    assert said["message"]["id"] in [m["id"] for m in listed]
    # The bot's poll, posted before the restart, still takes a vote.
    [posted] = [m for m in listed if m["embeds"] and m["embeds"][0].get("title") == "Poll #1"]
    vote = next(
        b["custom_id"] for b in _buttons(posted["components"]) if b["custom_id"].startswith("polls:vote:")
    )
    clicked = _post(f"{url}api/messages/{posted['id']}/click?as={niamh}&wait=1", {"custom_id": vote})
    assert clicked["interaction"]["status"] in ("message", "updated"), clicked
    _wait_for(lambda: "1 (100%)" in json.dumps(_message(url, posted["id"], niamh)["embeds"]), "the new tally")
    assert second.interrupt(signal.SIGTERM) == 0, second.err  # as systemd or docker stop would
    after = persist.dump_world(_saved(data))
    # Same server, channels, roles and messages; the set-up commands did not run a second time.
    for section in ("guilds", "channels", "users", "files"):
        assert after[section] == before[section], section
    unchanged = [m for m in before["messages"] if m["id"] != int(posted["id"])]
    assert [m for m in after["messages"] if m["id"] != int(posted["id"])] == unchanged
    [tally] = [m for m in after["messages"] if m["id"] == int(posted["id"])]
    assert "1 (100%)" in tally["embeds"][0]["description"], "the vote after the restart counted"


async def test_a_request_discord_would_reject_is_one_warning_line(caplog: pytest.LogCaptureFixture) -> None:
    """The sandbox goes on after a rejected request, and says what Discord would have refused."""
    emu = Emulator()
    watch = asyncio.create_task(sandbox_run.log_rejections(emu))
    try:
        emu.violations.append(Violation("POST", "/channels/1/messages", ["content: longer than 2000"]))
        emu.unknown_routes.append(("PUT", "/guilds/1/bans/2"))
        await asyncio.sleep(sandbox_run.WATCH_INTERVAL * 2.5)
    finally:
        watch.cancel()
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.sandbox_run"]
    assert lines == [
        "Discord would reject POST /channels/1/messages: content: longer than 2000",
        "the sandbox's Discord does not know PUT /guilds/1/bans/2",
    ]


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Someone else on the port: one line naming it and the fix, exit code 2, no process or folder left."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "bot", "sandbox", "--port", str(port), "--data", str(tmp_path / "d")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr == (
        f"climabot: cannot serve the page on 127.0.0.1:{port}: the port is already in use; "
        "choose another with --port\n"
    )
    assert done.stdout == ""
    assert not (tmp_path / "d").exists(), "a refused start left its data folder behind"


def test_a_second_sandbox_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    """Two sandboxes writing one folder would overwrite each other's state: the second says so and exits 2."""
    data = tmp_path / "demo"
    data.mkdir()
    with (data / ".lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running sandbox holds it
        done = subprocess.run(
            [sys.executable, "-m", "bot", "sandbox", "--port", str(_free_port()), "--data", str(data)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    refusal = f"another climabot sandbox is using {data}; stop it, or choose another folder with --data"
    assert done.stderr == f"climabot: {refusal}\n"
    assert not (data / persist.STATE_FILE).exists()


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_port_that_is_no_port_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--port takes 1 to 65535."""
    assert main(["sandbox", "--port", port]) == 2
    err = capsys.readouterr().err
    assert err.startswith("climabot: argument --port: ") and err.count("\n") == 1
