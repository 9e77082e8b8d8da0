"""The climabot command line, run as a real process in an empty folder with a clean environment."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path

import pytest

from bot import __version__, cli
from bot.cli import main

TOKEN = "MTIzNDU2Nzg5.cli-test.secret_token_value"
COMMANDS = ("run", "check-config", "migrate", "backup", "import-cities", "export", "health")
TIMEOUT = 60


def climabot(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` in cwd with only the given CLIMABOT_* variables set."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "LC_ALL": "C.UTF-8"}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def assert_one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """Check the process failed with exit code 2 and exactly one `climabot: ` line on stderr."""
    assert result.returncode == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("climabot: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_version(tmp_path: Path) -> None:
    """--version prints the package version and exits 0."""
    result = climabot(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"climabot {__version__}"


def test_help_lists_the_commands(tmp_path: Path) -> None:
    """--help names every command and the --config option."""
    result = climabot(tmp_path, "--help")
    assert result.returncode == 0
    for command in (*COMMANDS, "--config"):
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Every command answers --help with its own usage line and exit code 0."""
    # In-process: argparse prints help and main() returns its exit code instead of exiting.
    assert main([command, "--help"]) == 0
    assert capsys.readouterr().out.startswith(f"usage: climabot {command} ")


def test_console_script_is_the_same_program_as_python_m_bot() -> None:
    """The installed `climabot` script calls the same main() that `python -m bot` runs."""
    [script] = [e for e in entry_points(group="console_scripts") if e.name == "climabot"]
    assert script.value == "bot.cli:main"
    spec = find_spec("bot.__main__")
    assert spec is not None and spec.origin is not None
    assert "from bot.cli import main" in Path(spec.origin).read_text(encoding="utf-8")


def test_no_command_is_a_one_line_usage_error(tmp_path: Path) -> None:
    """No command at all is one error line pointing at --help."""
    line = assert_one_error_line(climabot(tmp_path))
    assert "--help" in line


def test_unknown_command_is_a_one_line_usage_error(tmp_path: Path) -> None:
    """An unknown command is one error line naming it."""
    assert "frobnicate" in assert_one_error_line(climabot(tmp_path, "frobnicate"))


def test_check_config_without_token(tmp_path: Path) -> None:
    """check-config without a token prints one line saying how to set it, exit 2, nothing on stdout."""
    result = climabot(tmp_path, "check-config")
    line = assert_one_error_line(result)
    assert "discord.token is missing" in line
    assert "CLIMABOT_DISCORD__TOKEN" in line
    assert result.stdout == ""


def test_run_without_token_does_not_connect(tmp_path: Path) -> None:
    """run without a token stops before connecting, with the same one-line error."""
    assert "discord.token is missing" in assert_one_error_line(climabot(tmp_path, "run"))


def test_check_config_with_token_masks_it(tmp_path: Path) -> None:
    """check-config prints the effective settings with the token masked."""
    result = climabot(tmp_path, "check-config", env={"CLIMABOT_DISCORD__TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout + result.stderr
    assert 'token = "********"' in result.stdout
    assert 'timezone = "Europe/Brussels"' in result.stdout


def test_check_config_bad_zone(tmp_path: Path) -> None:
    """An unknown time zone in config.toml is one line naming the key and the value."""
    (tmp_path / "config.toml").write_text('[defaults]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    result = climabot(tmp_path, "check-config", env={"CLIMABOT_DISCORD__TOKEN": TOKEN})
    line = assert_one_error_line(result)
    assert "defaults.timezone" in line
    assert "Mars/Olympus" in line


def test_config_option_before_or_after_the_command(tmp_path: Path) -> None:
    """--config works both before and after the command name."""
    path = tmp_path / "custom.toml"
    path.write_text('[defaults]\ntimezone = "Asia/Tokyo"\n', encoding="utf-8")
    env = {"CLIMABOT_DISCORD__TOKEN": TOKEN}
    for args in (("--config", str(path), "check-config"), ("check-config", "--config", str(path))):
        result = climabot(tmp_path, *args, env=env)
        assert result.returncode == 0, result.stderr
        assert 'timezone = "Asia/Tokyo"' in result.stdout


def test_missing_explicit_config(tmp_path: Path) -> None:
    """A --config file that does not exist is one line naming it."""
    line = assert_one_error_line(climabot(tmp_path, "migrate", "--config", "missing.toml"))
    assert "missing.toml" in line


def test_invalid_toml(tmp_path: Path) -> None:
    """A config.toml that is not TOML is one line saying so."""
    (tmp_path / "config.toml").write_text("[storage\n", encoding="utf-8")
    assert "invalid TOML" in assert_one_error_line(climabot(tmp_path, "migrate"))


def test_migrate_then_backup(tmp_path: Path) -> None:
    """migrate creates and versions the database, a second run applies nothing, backup copies it intact."""
    env = {"CLIMABOT_STORAGE__DATABASE_PATH": "data/x.sqlite3"}
    first = climabot(tmp_path, "migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("database data/x.sqlite3 at version ")
    assert (tmp_path / "data" / "x.sqlite3").is_file()

    again = climabot(tmp_path, "migrate", env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().endswith("(applied: none)")

    backup = climabot(tmp_path, "backup", "copies/x.sqlite3", env=env)
    assert backup.returncode == 0, backup.stderr
    assert "copies/x.sqlite3" in backup.stdout
    copy = tmp_path / "copies" / "x.sqlite3"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] >= 1


def test_backup_of_missing_database(tmp_path: Path) -> None:
    """Backing up a database that does not exist is one line and writes no copy."""
    result = climabot(tmp_path, "backup", "copy.sqlite3", env={"CLIMABOT_STORAGE__DATABASE_PATH": "none.db"})
    assert "none.db" in assert_one_error_line(result)
    assert not (tmp_path / "copy.sqlite3").exists()


def test_migrate_into_unwritable_place(tmp_path: Path) -> None:
    """A database path below a plain file is one line naming the obstacle."""
    (tmp_path / "blocker").write_text("a file, not a folder", encoding="utf-8")
    result = climabot(tmp_path, "migrate", env={"CLIMABOT_STORAGE__DATABASE_PATH": "blocker/db.sqlite3"})
    assert "blocker" in assert_one_error_line(result)


def test_ctrl_c_exits_130_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C during a command exits 130 without printing anything."""

    def interrupted(settings: object, args: object) -> int:
        """Behave like a command the operator stopped with Ctrl-C."""
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(cli._COMMANDS, "migrate", (False, interrupted))
    assert main(["migrate"]) == 130
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_migrate_onto_a_folder(tmp_path: Path) -> None:
    """A database path that is a folder is one line saying the database cannot be opened."""
    (tmp_path / "data").mkdir()
    result = climabot(tmp_path, "migrate", env={"CLIMABOT_STORAGE__DATABASE_PATH": "data"})
    assert "cannot open database data" in assert_one_error_line(result)


def test_health_without_a_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """No database yet: not healthy, exit 1, one line, and no database is created by asking."""
    result = climabot(tmp_path, "health", env={"CLIMABOT_STORAGE__DATABASE_PATH": "data/x.sqlite3"})
    assert result.returncode == 1, result
    assert result.stdout == "not healthy: no database at data/x.sqlite3\n" and result.stderr == ""
    assert not (tmp_path / "data").exists()


def test_health_on_a_migrated_database_no_bot_has_run_on(tmp_path: Path) -> None:
    """A database no bot has run on: not healthy, exit 1, saying so."""
    env = {"CLIMABOT_STORAGE__DATABASE_PATH": "x.sqlite3"}
    assert climabot(tmp_path, "migrate", env=env).returncode == 0
    result = climabot(tmp_path, "health", env=env)
    assert (result.returncode, result.stdout) == (1, "not healthy: no bot has run on this database yet\n")


def test_health_max_age_must_be_positive_seconds(tmp_path: Path) -> None:
    """--max-age takes whole seconds, at least 1; anything else is a usage error (exit 2)."""
    for bad in ("0", "ten"):
        assert "--max-age" in assert_one_error_line(climabot(tmp_path, "health", "--max-age", bad))


def test_backup_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    """An existing backup file is kept unless --force is given; then it is replaced by a good copy."""
    env = {"CLIMABOT_STORAGE__DATABASE_PATH": "x.sqlite3"}
    assert climabot(tmp_path, "migrate", env=env).returncode == 0
    old = tmp_path / "old.sqlite3"
    old.write_bytes(b"last month's backup")
    line = assert_one_error_line(climabot(tmp_path, "backup", "old.sqlite3", env=env))
    assert "already exists" in line and "--force" in line
    assert old.read_bytes() == b"last month's backup"
    forced = climabot(tmp_path, "backup", "old.sqlite3", "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    with sqlite3.connect(old) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("pasted", [f"Bot {TOKEN}", f"bot {TOKEN}", "MTIz.abc def.ghi"])
def test_a_token_pasted_with_bot_or_spaces_inside_is_refused(tmp_path: Path, pasted: str) -> None:
    """'Bot abc.def' or a token broken by a space: one line naming discord.token, never the token."""
    result = climabot(tmp_path, "check-config", env={"CLIMABOT_DISCORD__TOKEN": pasted})
    line = assert_one_error_line(result)
    assert "discord.token" in line and "CLIMABOT_DISCORD__TOKEN" in line
    assert TOKEN not in line and "abc def" not in line


def test_a_token_with_whitespace_around_it_is_stripped_with_a_note(tmp_path: Path) -> None:
    """A trailing newline or spaces around the token are ignored, and check-config says so."""
    result = climabot(tmp_path, "check-config", env={"CLIMABOT_DISCORD__TOKEN": f"  {TOKEN}\n"})
    assert result.returncode == 0, result.stderr
    assert (
        result.stderr
        == "climabot: note: discord.token has spaces or line breaks around it; they are ignored\n"
    )
    assert TOKEN not in result.stdout


def test_lowercase_time_zone_is_normalised(tmp_path: Path) -> None:
    """europe/brussels in the config is accepted and shown as Europe/Brussels."""
    (tmp_path / "config.toml").write_text('[defaults]\ntimezone = "europe/lisbon"\n', encoding="utf-8")
    result = climabot(tmp_path, "check-config", env={"CLIMABOT_DISCORD__TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert 'timezone = "Europe/Lisbon"' in result.stdout


def test_check_config_no_token_validates_everything_else(tmp_path: Path) -> None:
    """--no-token: a config without the secret passes (as in CI); a bad key still fails."""
    (tmp_path / "config.toml").write_text('[defaults]\ntimezone = "Europe/Riga"\n', encoding="utf-8")
    result = climabot(tmp_path, "check-config", "--no-token")
    assert result.returncode == 0, result.stderr
    assert 'timezone = "Europe/Riga"' in result.stdout and "(not set)" in result.stdout
    (tmp_path / "config.toml").write_text('[defaults]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    assert "defaults.timezone" in assert_one_error_line(climabot(tmp_path, "check-config", "--no-token"))


def test_gitignore_covers_the_readme_backup_folder() -> None:
    """The README's backup example writes into backups/, which git ignores."""
    root = Path(__file__).resolve().parents[2]
    assert "climabot backup backups/" in (root / "README.md").read_text(encoding="utf-8")
    assert "/backups/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
