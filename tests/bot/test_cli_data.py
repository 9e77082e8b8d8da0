"""`climabot import-cities` and `climabot export`, run as real processes without Discord."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.repositories import open_storage
from storage.testimonials import seed_approved
from tests.bot.test_cli import assert_one_error_line, climabot

GUILD = 4242
STORY = "The new tram line cut my commute from Kalnciema street by twenty minutes."


def env_for(tmp_path: Path) -> dict[str, str]:
    """Settings through the environment: a database in tmp_path and one command guild."""
    return {
        "CLIMABOT_STORAGE__DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "CLIMABOT_DISCORD__COMMAND_GUILD_IDS": f"[{GUILD}]",
    }


def test_import_cities_reports_rejected_rows_on_stderr_and_exits_3(tmp_path: Path) -> None:
    """Rejected rows: the report (with line numbers) on stderr, exit 3, the valid rows imported once."""
    (tmp_path / "cities.csv").write_text("name,country,mission_city\nLyon,FR,yes\nRiga,LV,no\n,XX,maybe\n")
    result = climabot(tmp_path, "import-cities", "cities.csv", env=env_for(tmp_path))
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert "cities added: 2" in result.stderr and "rejected: 1" in result.stderr
    assert "line 4" in result.stderr
    assert "climabot: 1 row rejected (exit code 3)" in result.stderr
    again = climabot(tmp_path, "import-cities", "cities.csv", "--guild", str(GUILD), env=env_for(tmp_path))
    assert "cities added: 0" in again.stderr, "a second import must not duplicate"


def test_import_cities_with_every_row_valid_exits_0(tmp_path: Path) -> None:
    """No rejected row: exit 0, the report on stderr, nothing on stdout."""
    (tmp_path / "cities.csv").write_text("name,country,mission_city\nLyon,FR,yes\n")
    result = climabot(tmp_path, "import-cities", "cities.csv", env=env_for(tmp_path))
    assert (result.returncode, result.stdout) == (0, "")
    assert "cities added: 1" in result.stderr and "rejected: 0" in result.stderr


@pytest.mark.parametrize(
    "encoding, notice",
    [("utf-8", False), ("utf-8-sig", False), ("utf-16", False), ("cp1252", True), ("latin-1", True)],
)
def test_import_cities_reads_the_encodings_spreadsheets_save(
    tmp_path: Path, encoding: str, notice: bool
) -> None:
    """UTF-8 with or without BOM and UTF-16 are read as is; Windows-1252/Latin-1 with a one-line notice."""
    text = "name,country,mission_city\nMünchen,DE,no\nLiège,BE,no\nÅrhus,DK,yes\n"
    (tmp_path / "cities.csv").write_bytes(text.encode(encoding))
    result = climabot(tmp_path, "import-cities", "cities.csv", env=env_for(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "cities added: 3" in result.stderr and "Traceback" not in result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("climabot: note:")]
    assert len(notes) == (1 if notice else 0), result.stderr
    if notice:
        assert "Windows-1252" in notes[0] and "UTF-8" in notes[0]
    names = asyncio.run(_city_names(tmp_path / "bot.sqlite3"))
    assert {"München", "Liège", "Århus"} <= names


async def _city_names(database: Path) -> set[str]:
    """The names of the cities registered for the test server."""
    db, repos = await open_storage(database, default_timezone="UTC")
    try:
        return {city.name for city in await repos.cities.all(GUILD)}
    finally:
        await db.close()


def test_import_cities_needs_a_file_and_a_server(tmp_path: Path) -> None:
    """A missing file, or no --guild while no single server is configured, is one error line."""
    assert "no such file" in assert_one_error_line(
        climabot(tmp_path, "import-cities", "missing.csv", env=env_for(tmp_path))
    )
    (tmp_path / "folder").mkdir()
    assert "folder is a folder" in assert_one_error_line(
        climabot(tmp_path, "import-cities", "folder", env=env_for(tmp_path))
    )
    (tmp_path / "cities.csv").write_text("name,country,mission_city\nLyon,FR,yes\n")
    env = {"CLIMABOT_STORAGE__DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    assert "--guild" in assert_one_error_line(climabot(tmp_path, "import-cities", "cities.csv", env=env))


async def _seed_campaign(database: Path, guild_id: int = GUILD) -> None:
    """Create a campaign with one approved testimonial."""
    db, repos = await open_storage(database, default_timezone="Europe/Brussels")
    try:
        campaign = await repos.testimonials.create_campaign(
            guild_id=guild_id,
            name="Trams",
            prompt="How did the tram change your city?",
            licence="CC-BY-4.0",
            max_photo_bytes=8_000_000,
            created_by=1,
            now=datetime(2026, 11, 1, tzinfo=UTC),
        )
    finally:
        await db.close()
    row = (campaign.id, guild_id, 77, STORY, "Riga", "citizen", "anonymous", "1", "consent text", "CC-BY-4.0")
    seed_approved(database, [(*row, None, "2026-11-02T10:00:00+00:00")], [])


def test_export_writes_the_campaign_as_csv(tmp_path: Path) -> None:
    """export writes a campaign's approved testimonials as CSV with a pseudonym instead of the Discord id."""
    asyncio.run(_seed_campaign(tmp_path / "bot.sqlite3"))
    result = climabot(
        tmp_path,
        "export",
        "testimonials",
        "--campaign",
        "trams",
        "--out",
        "out/trams.csv",
        env=env_for(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "exported 1 testimonial of 'Trams' (csv, 0 photos, " in result.stderr and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "trams.csv").read_text(encoding="utf-8"))))
    assert [r["story"] for r in rows] == [STORY]
    assert rows[0]["licence"] == "CC-BY-4.0" and rows[0]["consent_scope"] == "anonymous"
    assert rows[0]["contributor"].startswith("p-"), "a pseudonym, never the Discord id"


def test_export_errors_are_one_line(tmp_path: Path) -> None:
    """No database, or an unknown campaign, is one error line and writes no file."""
    no_db = climabot(
        tmp_path, "export", "testimonials", "--campaign", "x", "--out", "x.csv", env=env_for(tmp_path)
    )
    assert "no database" in assert_one_error_line(no_db)
    asyncio.run(_seed_campaign(tmp_path / "bot.sqlite3"))
    unknown = climabot(
        tmp_path, "export", "testimonials", "--campaign", "Buses", "--out", "x.csv", env=env_for(tmp_path)
    )
    assert_one_error_line(unknown)
    assert not (tmp_path / "x.csv").exists()


def test_export_to_stdout_writes_only_the_data_there(tmp_path: Path) -> None:
    """--out - writes the export to stdout (no file named -), the summary to stderr."""
    asyncio.run(_seed_campaign(tmp_path / "bot.sqlite3"))
    for fmt in ("csv", "jsonl"):
        result = climabot(
            tmp_path,
            "export",
            "testimonials",
            "--campaign",
            "Trams",
            "--format",
            fmt,
            "--out",
            "-",
            env=env_for(tmp_path),
        )
        assert result.returncode == 0, result.stderr
        assert STORY in result.stdout and "exported" not in result.stdout
        assert "to stdout" in result.stderr
    assert not (tmp_path / "-").exists()
    [row] = csv.DictReader(
        io.StringIO(
            climabot(
                tmp_path, "export", "testimonials", "--campaign", "Trams", "--out", "-", env=env_for(tmp_path)
            ).stdout
        )
    )
    assert row["story"] == STORY


def test_export_help_says_what_guild_does(tmp_path: Path) -> None:
    """export --help does not claim --guild defaults to the configured server: export searches them all."""
    result = climabot(tmp_path, "export", "--help")
    assert "only when several servers have a campaign of that name" in " ".join(result.stdout.split())
    assert "command_guild_ids" not in result.stdout
    assert "- for stdout" in result.stdout


def test_a_campaign_on_several_servers_points_at_guild(tmp_path: Path) -> None:
    """The same campaign name on two servers: one error line telling how to choose with --guild."""
    database = tmp_path / "bot.sqlite3"
    asyncio.run(_seed_campaign(database))
    asyncio.run(_seed_campaign(database, guild_id=GUILD + 1))
    line = assert_one_error_line(
        climabot(
            tmp_path, "export", "testimonials", "--campaign", "Trams", "--out", "x.csv", env=env_for(tmp_path)
        )
    )
    assert "--guild" in line
    chosen = climabot(
        tmp_path,
        "export",
        "testimonials",
        "--campaign",
        "Trams",
        "--out",
        "x.csv",
        "--guild",
        str(GUILD + 1),
        env=env_for(tmp_path),
    )
    assert chosen.returncode == 0, chosen.stderr
