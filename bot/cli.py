"""The `climabot` command line: run, check-config, migrate, backup, import-cities, export, health, sandbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

from bot import __version__
from bot.health import DEFAULT_MAX_AGE, judge
from bot.logs import setup_logging
from bot.settings import ConfigError, Settings, find_config_file, load_settings, masked_dump, require_token
from bot.text_files import decode_text
from storage.backup import BackupError, backup_database
from storage.database import Database, DatabaseOpenError
from storage.heartbeat import HeartbeatUnavailable, read_heartbeat
from storage.migrate import MigrationError, apply_migrations, current_version

log = logging.getLogger("climabot.cli")

EXIT_OK = 0
EXIT_UNHEALTHY = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """The command line itself is wrong; the message is one line."""


class CommandError(Exception):
    """A command could not do its work for a reason the operator can fix; the message is one line."""

    def __init__(self, message: str, code: int = 2) -> None:
        """Keep the one-line message and the documented exit code (2 unless said otherwise)."""
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports mistakes in one line instead of usage plus message."""

    def error(self, message: str) -> NoReturn:
        """Raise the mistake for main() to print, pointing at --help."""
        raise UsageError(f"{message}; see '{self.prog} --help'")


GUILD_HELP = "server id (default: the only one in discord.command_guild_ids)"
EXPORT_GUILD_HELP = "server id, needed only when several servers have a campaign of that name (default: any)"
EXIT_REJECTED = 3
SANDBOX_PORT = 8765
SANDBOX_DATA = Path("data/sandbox")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """Say '1 testimonial', '2 testimonials' (or the plural form given)."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def _build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = _Parser(
        prog="climabot",
        description="The community bot of the Climate Neutral and Smart Cities mission.",
    )
    parser.add_argument("--version", action="version", version=f"climabot {__version__}")
    config_help = "TOML config file (default: $CLIMABOT_CONFIG, else ./config.toml if present)"
    parser.add_argument("--config", type=Path, metavar="PATH", default=None, help=config_help)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        """Add a subcommand that also accepts --config after its name."""
        sub = commands.add_parser(name, help=help_text, description=help_text)
        # SUPPRESS keeps an absent sub-level --config from overwriting one given before the command.
        sub.add_argument("--config", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=config_help)
        return sub

    add("run", "connect to Discord and run the bot until stopped")
    check = add("check-config", "validate the configuration and print it with secrets masked")
    check.add_argument(
        "--no-token",
        action="store_true",
        help="check everything but the token (e.g. in CI, without the secret)",
    )
    add("migrate", "create the database or bring it up to date")
    backup = add("backup", "write a consistent copy of the database to PATH")
    backup.add_argument("path", type=Path, metavar="PATH", help="where to write the copy")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    cities = add("import-cities", "register the cities listed in a CSV file for one server")
    cities.add_argument(
        "file", type=Path, metavar="FILE", help="CSV: name,country,mission_city (UTF-8, or Windows-1252)"
    )
    cities.add_argument("--guild", type=int, metavar="ID", help=GUILD_HELP)
    export = add("export", "write approved, consented testimonials of a campaign as open data")
    export.add_argument("what", choices=["testimonials"], help="what to export")
    export.add_argument("--campaign", required=True, metavar="NAME", help="campaign name")
    export.add_argument(
        "--format", default="csv", choices=["csv", "jsonl", "datapackage"], help="file format"
    )
    export.add_argument("--out", required=True, type=Path, metavar="PATH", help="file to write; - for stdout")
    export.add_argument("--guild", type=int, metavar="ID", help=EXPORT_GUILD_HELP)
    health = add("health", "exit 0 if a bot on this database is connected and its scheduler alive, else 1")
    health.add_argument(
        "--max-age",
        type=_positive_seconds,
        default=int(DEFAULT_MAX_AGE.total_seconds()),
        metavar="SECONDS",
        help="oldest heartbeat still taken as alive (default: %(default)s; the bot beats every 30 s)",
    )
    sandbox = commands.add_parser(
        "sandbox",
        help="try climabot in a browser: a local Discord with a demo server (no token, no network)",
        description="Run climabot against its built-in local Discord with a demo server, and serve a "
        "page at http://127.0.0.1:PORT/ to use it as the server's members. No token, no network, no "
        "config file; state is kept in DIR across restarts (delete DIR to start afresh).",
    )
    sandbox.add_argument(
        "--port", type=_port, default=SANDBOX_PORT, metavar="PORT", help="page port (default: %(default)s)"
    )
    sandbox.add_argument(
        "--data", type=Path, default=SANDBOX_DATA, metavar="DIR", help="data folder (default: %(default)s)"
    )
    return parser


def _port(text: str) -> int:
    """Parse a TCP port number, 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1 to 65535)")
    return port


def _positive_seconds(text: str) -> int:
    """Parse a whole number of seconds, at least 1."""
    try:
        seconds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if seconds < 1:
        raise argparse.ArgumentTypeError("must be at least 1 second")
    return seconds


def _command_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the bot."""
    # Imported here so the other commands work without discord.py's client machinery loaded.
    from bot.runner import RunFailure, run_bot

    try:
        return run_bot(settings)
    except RunFailure as failure:
        raise CommandError(str(failure), failure.code) from failure


def _command_check_config(settings: Settings, args: argparse.Namespace) -> int:
    """Print the effective configuration with the token masked."""
    source = find_config_file(args.config)
    print(f"# configuration from {source if source is not None else 'defaults'} and CLIMABOT_* variables")
    print(masked_dump(settings))
    return EXIT_OK


def _command_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Apply pending migrations and report the database version."""
    path = settings.storage.database_path
    version, applied = asyncio.run(_migrate(path))
    done = ", ".join(str(v) for v in applied) if applied else "none"
    print(f"database {path} at version {version} (applied: {done})")
    return EXIT_OK


async def _migrate(path: Path) -> tuple[int, list[int]]:
    """Open the database, apply pending migrations and return (version, versions applied)."""
    db = Database(path)
    await db.open()
    try:
        applied = await apply_migrations(db)
        return await current_version(db), applied
    finally:
        await db.close()


def _command_backup(settings: Settings, args: argparse.Namespace) -> int:
    """Copy the database to the given path."""
    backup_database(settings.storage.database_path, args.path, overwrite=args.force)
    print(f"backup of {settings.storage.database_path} written to {args.path}")
    return EXIT_OK


def _guild_id(settings: Settings, given: int | None) -> int:
    """Return the server a command acts on: the one given, or the only configured one."""
    if given is not None:
        return given
    configured = settings.discord.command_guild_ids
    if len(configured) != 1:
        raise UsageError("name the server with --guild ID (discord.command_guild_ids has not exactly one)")
    return configured[0]


def _command_import_cities(settings: Settings, args: argparse.Namespace) -> int:
    """Register the cities listed in a CSV file, reporting added, updated and rejected rows."""
    from bot.city_import import import_cities_text

    guild_id = _guild_id(settings, args.guild)
    if args.file.is_dir():
        raise CommandError(f"{args.file} is a folder; name the CSV file inside it")
    if not args.file.is_file():
        raise CommandError(f"{args.file}: no such file")
    decoded = decode_text(args.file.read_bytes())
    if decoded.notice:
        print(f"climabot: note: {args.file}: {decoded.notice}", file=sys.stderr)
    report = asyncio.run(import_cities_text(settings.storage.database_path, guild_id, decoded.text))
    # The report goes to stderr: it is about the run, and stdout stays free for data.
    print("\n".join(report.lines()), file=sys.stderr)
    if report.rejected:
        print(
            f"climabot: {plural(len(report.rejected), 'row')} rejected (exit code {EXIT_REJECTED}); "
            "the valid rows were imported",
            file=sys.stderr,
        )
        return EXIT_REJECTED
    return EXIT_OK


def _command_export(settings: Settings, args: argparse.Namespace) -> int:
    """Export a campaign's approved testimonials without connecting to Discord."""
    from bot.testimonial_export import ExportError, export_campaign

    if not settings.storage.database_path.is_file():
        raise CommandError(f"no database at {settings.storage.database_path} (storage.database_path)")
    to_stdout = str(args.out) == "-"
    try:
        with tempfile.TemporaryDirectory(prefix="climabot-export-") as folder:
            out = Path(folder) / f"export.{args.format}" if to_stdout else args.out
            result = export_campaign(
                settings.storage.database_path,
                settings.storage.media_dir,
                args.campaign,
                args.format,
                out,
                guild_id=args.guild,
            )
            if to_stdout:
                with out.open("rb") as written:
                    shutil.copyfileobj(written, sys.stdout.buffer)
                sys.stdout.flush()
    except ExportError as problem:
        text = str(problem)
        if text.endswith("name the server"):
            text += " with --guild ID"
        raise CommandError(text) from problem
    where = "stdout" if to_stdout else str(result.path)
    # The summary goes to stderr so that `--out -` leaves stdout to the data.
    print(
        f"exported {plural(result.items, 'testimonial')} of {result.campaign!r} ({result.format}, "
        f"{plural(result.media_files, 'photo')}, {plural(result.bytes, 'byte')}) to {where}",
        file=sys.stderr,
    )
    if result.missing_media:
        missing = plural(result.missing_media, "photo file")
        verb = "was" if result.missing_media == 1 else "were"
        print(f"warning: {missing} {verb} missing from {settings.storage.media_dir}", file=sys.stderr)
    return EXIT_OK


def _command_sandbox(args: argparse.Namespace) -> int:
    """Run the sandbox; its settings are built inside, never read from a config file or the environment."""
    # Imported here so the other commands start without the emulator and discord.py's client machinery.
    from bot.sandbox_run import SandboxFailure, run

    try:
        return run(args.port, args.data)
    except SandboxFailure as failure:
        return _fail(str(failure), failure.code)
    except OSError as problem:
        return _fail(_one_line(problem))


def _command_health(settings: Settings, args: argparse.Namespace) -> int:
    """Say in one line whether the bot on this database is connected and its scheduler alive."""
    try:
        heartbeat = read_heartbeat(settings.storage.database_path)
    except HeartbeatUnavailable as problem:
        print(f"not healthy: {problem}")
        return EXIT_UNHEALTHY
    verdict = judge(heartbeat, datetime.now(UTC), timedelta(seconds=args.max_age))
    print(verdict.line)
    return EXIT_OK if verdict.healthy else EXIT_UNHEALTHY


_COMMANDS: dict[str, tuple[bool, Callable[[Settings, argparse.Namespace], int]]] = {
    # name: (needs the token, handler)
    "run": (True, _command_run),
    "check-config": (True, _command_check_config),
    "migrate": (False, _command_migrate),
    "backup": (False, _command_backup),
    "import-cities": (False, _command_import_cities),
    "export": (False, _command_export),
    "health": (False, _command_health),
}


# The exception types that mean "the operator must fix something", not a bug.
_EXPECTED_ERRORS = (
    ConfigError,
    UsageError,
    CommandError,
    OSError,
    DatabaseOpenError,
    MigrationError,
    BackupError,
)


def _one_line(problem: BaseException) -> str:
    """Describe an expected error in one line."""
    if isinstance(problem, OSError) and problem.strerror:
        where = f"{problem.filename}: " if problem.filename else ""
        text = f"{where}{problem.strerror}"
    else:
        text = str(problem) or type(problem).__name__
    return " ".join(text.split())


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    """Print one error line to stderr and return the exit code."""
    print(f"climabot: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run the chosen command and return the process exit code."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    """Do the work of main(), turning every expected error into one stderr line and exit code 2."""
    try:
        args = _build_parser().parse_args(argv)
    except UsageError as problem:
        return _fail(str(problem))
    except SystemExit as leaving:
        # --help and --version print and exit through argparse.
        return leaving.code if isinstance(leaving.code, int) else EXIT_OK
    if args.command == "sandbox":
        # No settings are loaded: a ./config.toml or CLIMABOT_* variable (a real token) must not get in.
        return _command_sandbox(args)
    needs_token, handler = _COMMANDS[args.command]
    secrets: list[str] = []
    try:
        settings = load_settings(args.config)
        if settings.discord.token is not None:
            secrets.append(settings.discord.token.get_secret_value())
        if needs_token and not getattr(args, "no_token", False):
            _token_notice(settings)
            require_token(settings)
        setup_logging(settings.logging.level, secrets=secrets, fmt=settings.logging.format)
        return handler(settings, args)
    except _EXPECTED_ERRORS as problem:
        log.debug("%s failed", args.command, exc_info=True)
        code = problem.code if isinstance(problem, CommandError) else EXIT_ERROR
        return _fail(_redact(_one_line(problem), secrets), code)


def _token_notice(settings: Settings) -> None:
    """Say so when the token has spaces or line breaks around it, which are ignored."""
    token = settings.discord.token.get_secret_value() if settings.discord.token else ""
    if token and token != token.strip():
        print(
            "climabot: note: discord.token has spaces or line breaks around it; they are ignored",
            file=sys.stderr,
        )


def _redact(text: str, secrets: list[str]) -> str:
    """Hide secrets in text meant for the terminal."""
    for secret in secrets:
        if secret.strip():
            text = text.replace(secret, "********")
    return text
