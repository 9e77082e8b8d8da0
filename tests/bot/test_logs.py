"""Logging setup: one-line records on stderr and secrets that never reach the output."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.logs import REDACTED, RedactSecrets, setup_logging

SECRET = "MTIzNDU2.Gx-secret.token_value"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Put the root and discord loggers back as they were, so other tests are unaffected."""
    root = logging.getLogger()
    discord_logger = logging.getLogger("discord")
    saved = (list(root.handlers), root.level, discord_logger.level)
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    discord_logger.setLevel(saved[2])
    logging.captureWarnings(False)


def test_format_is_one_line_with_time_level_and_logger(capsys: pytest.CaptureFixture[str]) -> None:
    """A record is one stderr line: date, time, level, logger name and message."""
    setup_logging("INFO")
    logging.getLogger("climabot.cog").info("hello %s", "world")
    err = capsys.readouterr().err
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO climabot\.cog: hello world\n", err)


def test_level_is_applied(capsys: pytest.CaptureFixture[str]) -> None:
    """Records below the configured level (given in any case) are dropped."""
    setup_logging("warning")
    logging.getLogger("climabot.x").info("quiet")
    logging.getLogger("climabot.x").warning("loud")
    err = capsys.readouterr().err
    assert "quiet" not in err
    assert "loud" in err


def test_secret_in_message_and_args_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    """A secret in the message, in %-arguments or inside a repr is replaced."""
    setup_logging("DEBUG", secrets=[SECRET])
    log = logging.getLogger("some.library")
    log.info("token is " + SECRET)
    log.info("token is %s", SECRET)
    log.info("headers %r", {"Authorization": f"Bot {SECRET}"})
    err = capsys.readouterr().err
    assert SECRET not in err
    assert err.count(REDACTED) == 3


def test_secret_in_traceback_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    """A secret inside an exception's text is replaced in the printed traceback."""
    setup_logging("INFO", secrets=[SECRET])
    try:
        raise RuntimeError(f"login failed with {SECRET}")
    except RuntimeError:
        logging.getLogger("discord.client").exception("failed")
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "RuntimeError: login failed with ********" in err
    assert SECRET not in err


def test_secret_in_malformed_call_is_redacted() -> None:
    """A logging call whose arguments do not fit its format still has its secret replaced."""
    # Called on the filter directly: pytest's own log handler fails a test on a malformed call.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "two %s %s", (SECRET,), None)
    RedactSecrets([SECRET]).filter(record)
    assert SECRET not in record.getMessage()
    assert REDACTED in record.getMessage()


def test_setup_twice_keeps_one_handler(capsys: pytest.CaptureFixture[str]) -> None:
    """Calling setup_logging again replaces its handler instead of printing twice."""
    setup_logging("INFO")
    setup_logging("INFO", secrets=[SECRET])
    logging.getLogger("x").info("once %s", SECRET)
    err = capsys.readouterr().err
    assert err.count("once") == 1
    assert SECRET not in err


def test_discord_logger_is_quiet_unless_debugging() -> None:
    """discord.py logs at WARNING or above unless the level is DEBUG."""
    setup_logging("INFO")
    assert logging.getLogger("discord").getEffectiveLevel() == logging.WARNING
    setup_logging("ERROR")
    assert logging.getLogger("discord").getEffectiveLevel() == logging.ERROR
    setup_logging("DEBUG")
    assert logging.getLogger("discord").getEffectiveLevel() == logging.DEBUG


def test_blank_secrets_do_not_redact_everything() -> None:
    """Empty or blank secrets are ignored rather than matching every position."""
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("text",), None)
    assert RedactSecrets(["", "  "]).filter(record)
    assert record.getMessage() == "plain text"


def test_unknown_level_is_refused() -> None:
    """An unknown level name is a ValueError."""
    with pytest.raises(ValueError):
        setup_logging("LOUD")


def test_token_pasted_with_whitespace_is_redacted_in_its_stripped_form() -> None:
    """A token configured with a trailing newline is used stripped; that form is redacted too."""
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Authorization: Bot %s", (SECRET,), None)
    RedactSecrets([f"  {SECRET}\n"]).filter(record)
    assert SECRET not in record.getMessage()
    assert REDACTED in record.getMessage()


def _json_lines(text: str) -> list[dict[str, object]]:
    """Parse stderr output that must be one JSON object per line."""
    return [json.loads(line) for line in text.splitlines()]


def test_json_format_is_one_object_a_line_with_time_level_logger_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """logging.format json: each record is one JSON object with the four fields, nothing else by default."""
    setup_logging("INFO", fmt="json")
    logging.getLogger("cogs.polls").warning("poll %s closed early", 7)
    [entry] = _json_lines(capsys.readouterr().err)
    assert set(entry) == {"time", "level", "logger", "message"}
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "WARNING",
        "cogs.polls",
        "poll 7 closed early",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", str(entry["time"]))


def test_json_carries_guild_command_and_error_id_and_a_trace_on_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Context passed with extra= becomes fields; a trace is a field too, and the record stays one line."""
    setup_logging("INFO", fmt="json", secrets=[SECRET])
    try:
        raise RuntimeError(f"boom with {SECRET}")
    except RuntimeError:
        logging.getLogger("bot.error_handler").error(
            "error %s in %s",
            "ab12cd34",
            "/poll create",
            exc_info=True,
            extra={"guild": 42, "command": "/poll create", "error_id": "ab12cd34"},
        )
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    [entry] = _json_lines(err)
    assert (entry["guild"], entry["command"], entry["error_id"]) == (42, "/poll create", "ab12cd34")
    assert "RuntimeError" in str(entry["exception"]) and "Traceback" in str(entry["exception"])
    assert SECRET not in err and REDACTED in str(entry["exception"])


def test_text_stays_the_default_and_an_unknown_format_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """Without fmt the records are text lines; a format other than text or json is a programming error."""
    setup_logging("INFO")
    logging.getLogger("bot").info("hello")
    assert not capsys.readouterr().err.startswith("{")
    with pytest.raises(ValueError, match="logging format"):
        setup_logging("INFO", fmt="xml")


def test_logging_format_setting_reaches_the_cli(tmp_path: Path) -> None:
    """CLIMABOT_LOGGING__FORMAT=json makes `climabot run` log JSON lines; a bad value is one config error."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "CLIMABOT_DISCORD__TOKEN": "MTIz.abc.def",
        "CLIMABOT_DISCORD__API_BASE_URL": "http://127.0.0.1:9/api/v10",
        "CLIMABOT_STORAGE__DATABASE_PATH": str(tmp_path / "x.sqlite3"),
        "CLIMABOT_LOGGING__FORMAT": "JSON",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    entry = json.loads(line)
    assert entry["logger"] == "bot.runner" and "cannot reach Discord" in str(entry["message"])
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", "--no-token"],
        cwd=tmp_path,
        env={**env, "CLIMABOT_LOGGING__FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "logging.format" in bad.stderr and bad.stderr.count("\n") == 1


async def test_apscheduler_logs_no_line_per_job_unless_debugging(capsys: pytest.CaptureFixture[str]) -> None:
    """A start with many pending jobs logs no APScheduler line per job at INFO; DEBUG still shows them."""
    apscheduler_logger = logging.getLogger("apscheduler")
    saved = apscheduler_logger.level
    try:
        for level, per_job_lines in (("INFO", False), ("DEBUG", True)):
            setup_logging(level)
            assert (apscheduler_logger.getEffectiveLevel() == logging.WARNING) is not per_job_lines
            scheduler = AsyncIOScheduler(timezone="UTC")
            later = datetime.now(UTC) + timedelta(days=1)
            for job in range(200):
                scheduler.add_job(print, "date", run_date=later, id=f"job-{job}")
            scheduler.start()
            scheduler.shutdown(wait=False)
            err = capsys.readouterr().err
            assert ("Adding job tentatively" in err) is per_job_lines
            assert (err.count("apscheduler") >= 200) is per_job_lines
    finally:
        apscheduler_logger.setLevel(saved)
