"""The bot's life: start, sync, errors, reconnects, SIGTERM, all against the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.runner import backoff_delays
from bot.settings import Settings
from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town, bot_settings, configure_town, subprocess_bot


async def test_unexpected_error_gets_an_error_id_that_is_in_the_log(
    emulator: Emulator, town: Town, settings: Settings, discord_log, app_log
):
    """A command that crashes answers privately with an error id; the log has that id and the trace."""
    app_log.allow(r"^error [0-9a-f]{8} in /boom")
    harness = BotHarness(emulator, settings, extra_extensions=("tests.e2e.faulty_extension",))
    await harness.start()
    try:
        reply = await (await emulator.slash(town.guild, town.member, "boom")).reply()
    finally:
        await harness.stop()
    assert reply.ephemeral
    match = re.search(r"logged as error `([0-9a-f]{8})`", reply.content)
    assert match, reply.content
    logged = [r for r in app_log.records if match.group(1) in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
    # The same id, the command and the server are fields of their own in JSON logs.
    fields = (logged[0].error_id, logged[0].command, logged[0].guild)  # type: ignore[attr-defined]
    assert fields == (match.group(1), "/boom", town.guild.id)
    assert "flux capacitor" not in reply.content, "internal details must not reach members"


async def test_commands_are_synced_globally_when_no_guild_is_configured(
    emulator: Emulator, town: Town, tmp_path, discord_log, app_log
):
    """Without command_guild_ids the commands are published globally and still answer in a server."""
    harness = BotHarness(emulator, bot_settings(emulator, tmp_path, []))
    await harness.start()
    try:
        assert "setup" in {c["name"] for c in emulator.commands(None)}
        assert emulator.commands(town.guild) == []
        reply = await (await emulator.slash(town.guild, town.admin, "setup show")).reply()
        assert "climabot settings" in reply.text
    finally:
        await harness.stop()


async def test_bot_resumes_after_a_dropped_gateway_and_keeps_answering(
    emulator: Emulator, town: Town, harness: BotHarness
):
    """After the websocket drops, the bot resumes its session and answers the next command."""
    await emulator.drop_gateway()
    await emulator.wait_for_gateway(identifies=1, resumes=1)
    reply = await (await emulator.slash(town.guild, town.admin, "setup show")).reply()
    assert reply.ephemeral and "climabot settings" in reply.text


async def test_stopping_closes_the_database_cleanly(
    emulator: Emulator, harness: BotHarness, settings: Settings
):
    """Stopping the bot closes every database connection, so SQLite folds the WAL back into the file."""
    await harness.stop()
    wal = settings.storage.database_path.with_name(settings.storage.database_path.name + "-wal")
    # SQLite removes the write-ahead log when the last connection closes cleanly.
    assert settings.storage.database_path.exists() and not wal.exists()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
async def test_climabot_run_serves_commands_and_stops_cleanly(
    emulator: Emulator, town: Town, settings: Settings, stop_signal: signal.Signals
):
    """`climabot run` answers /setup, then exits 0 on SIGTERM or Ctrl-C without printing the token."""
    async with subprocess_bot(emulator, settings) as proc:
        reply = await (
            await emulator.slash(town.guild, town.admin, "setup show", override_permissions=False)
        ).reply(timeout=10)
        assert "climabot settings" in reply.text
        proc.send_signal(stop_signal)
        code = await asyncio.wait_for(proc.wait(), 15)
        assert proc.stdout is not None
        output = (await proc.stdout.read()).decode()
    assert code == 0, output
    assert emulator.token not in output
    assert "Traceback" not in output
    wal = settings.storage.database_path.with_name(settings.storage.database_path.name + "-wal")
    assert not wal.exists()


def run_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """The environment `climabot run` gets in these tests: the bot's settings, then the overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIMABOT_")}
    env.update(
        CLIMABOT_DISCORD__TOKEN=str(
            settings.discord.token.get_secret_value() if settings.discord.token else ""
        ),
        CLIMABOT_DISCORD__API_BASE_URL=settings.discord.api_base_url,
        CLIMABOT_DISCORD__GATEWAY_URL=settings.discord.gateway_url,
        CLIMABOT_DISCORD__COMMAND_GUILD_IDS=str(settings.discord.command_guild_ids),
        CLIMABOT_STORAGE__DATABASE_PATH=str(settings.storage.database_path),
        CLIMABOT_STORAGE__MEDIA_DIR=str(settings.storage.media_dir),
    )
    env.update(overrides)
    return env


async def start_run(settings: Settings, **overrides: str) -> asyncio.subprocess.Process:
    """Start `python -m bot run` with stdout and stderr apart, so a test can count the stderr lines."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=run_env(settings, **overrides),
        cwd=settings.storage.database_path.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def finish(proc: asyncio.subprocess.Process, timeout: float = 20) -> tuple[int, str]:
    """Wait for the process to end (killing it if it does not); return its exit code and stderr."""
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def stderr_line_matching(proc: asyncio.subprocess.Process, pattern: str, timeout: float = 20) -> str:
    """Read stderr lines until one matches; return it."""
    assert proc.stderr is not None
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), timeout)).decode()
        assert line, f"stderr ended before a line matching {pattern!r}"
        if re.search(pattern, line):
            return line


def closed_port() -> int:
    """A local TCP port nobody listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_one_line(err: str) -> str:
    """Check stderr is exactly one `climabot: ` line, without a traceback; return it."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("climabot: "), err
    return lines[0]


async def test_climabot_run_with_an_unusable_database_exits_2_before_contacting_discord(
    emulator: Emulator, town: Town, tmp_path: Path
):
    """A database path that cannot be opened: one line naming the setting, exit 2, no request to Discord."""
    settings = bot_settings(emulator, tmp_path, [town.guild.id])
    settings.storage.database_path.mkdir()
    code, err = await finish(await start_run(settings))
    line = assert_one_line(err)
    assert code == 2
    assert "cannot open database" in line and "storage.database_path" in line
    assert emulator.requests == [] and emulator.identify_count == 0


async def test_a_refused_token_exits_2_at_once_in_one_line(emulator: Emulator, town: Town, tmp_path: Path):
    """Discord answers 401: no retry, exit 2, one line that names discord.token and never shows the token."""
    settings = bot_settings(emulator, tmp_path, [town.guild.id])
    wrong = "MTIz.wrong.token-that-discord-refuses"
    started = asyncio.get_running_loop().time()
    code, err = await finish(await start_run(settings, CLIMABOT_DISCORD__TOKEN=wrong))
    assert code == 2
    assert "refused the token (discord.token)" in assert_one_line(err)
    assert wrong not in err
    assert emulator.count_requests("GET", r"^/users/@me$", 401) == 1
    assert asyncio.get_running_loop().time() - started < 15


async def test_an_unreachable_discord_is_retried_with_growing_waits_until_stopped(
    emulator: Emulator, town: Town, tmp_path: Path
):
    """Connection refused: one log line per attempt, waits 1 s then 2 s; SIGTERM while waiting exits 0."""
    settings = bot_settings(emulator, tmp_path, [town.guild.id])
    api = f"http://127.0.0.1:{closed_port()}/api/v10"
    proc = await start_run(settings, CLIMABOT_DISCORD__API_BASE_URL=api)
    first = await stderr_line_matching(proc, r"cannot reach Discord")
    second = await stderr_line_matching(proc, r"cannot reach Discord")
    assert "(attempt 1)" in first and first.rstrip().endswith("trying again in 1 s")
    assert "(attempt 2)" in second and second.rstrip().endswith("trying again in 2 s")
    assert api in first and "Traceback" not in first
    proc.send_signal(signal.SIGTERM)
    code, rest = await finish(proc, 10)
    assert code == 0, rest
    assert "Traceback" not in rest


async def test_the_bot_starts_once_discord_becomes_reachable(emulator: Emulator, town: Town, tmp_path: Path):
    """Discord unreachable at first, then back: the bot keeps trying, connects and answers a command."""
    settings = bot_settings(emulator, tmp_path, [town.guild.id])
    await configure_town(settings, town)
    port = closed_port()
    target = urlsplit(emulator.api_base_url)
    proc = await start_run(settings, CLIMABOT_DISCORD__API_BASE_URL=f"http://127.0.0.1:{port}/api/v10")
    try:
        await stderr_line_matching(proc, r"cannot reach Discord .*\(attempt 1\)")

        async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            """Pass one connection through to the emulator, both ways."""
            up_reader, up_writer = await asyncio.open_connection(target.hostname, target.port)

            async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
                """Copy bytes until the source closes."""
                with contextlib.suppress(ConnectionError):
                    while data := await source.read(65536):
                        sink.write(data)
                        await sink.drain()
                sink.close()

            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

        # Discord "comes back": the refused port now leads to the emulator.
        server = await asyncio.start_server(forward, "127.0.0.1", port)
        async with server:
            await emulator.wait_for_gateway(identifies=1, timeout=20)
            reply = await (
                await emulator.slash(town.guild, town.admin, "setup show", override_permissions=False)
            ).reply(timeout=10)
            assert "climabot settings" in reply.text
            proc.send_signal(signal.SIGTERM)
            code, err = await finish(proc, 15)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert code == 0, err
    assert "Traceback" not in err


def test_backoff_doubles_and_is_capped() -> None:
    """The waits between attempts double from 1 s and stop growing at one minute."""
    delays = backoff_delays()
    assert [next(delays) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
