"""`climabot import-cities` and `climabot export`, run as real processes without Discord."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

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


def test_import_cities_reports_added_and_rejected_rows(tmp_path: Path) -> None:
    """import-cities reports added and rejected rows with line numbers, and a rerun adds nothing."""
    (tmp_path / "cities.csv").write_text("name,country,mission_city\nLyon,FR,yes\nRiga,LV,no\n,XX,maybe\n")
    result = climabot(tmp_path, "import-cities", "cities.csv", env=env_for(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "cities added: 2" in result.stdout and "rejected: 1" in result.stdout
    assert "line 4" in result.stdout
    again = climabot(tmp_path, "import-cities", "cities.csv", "--guild", str(GUILD), env=env_for(tmp_path))
    assert "cities added: 0" in again.stdout, "a second import must not duplicate"


def test_import_cities_needs_a_file_and_a_server(tmp_path: Path) -> None:
    """A missing file, or no --guild while no single server is configured, is one error line."""
    assert "no such file" in assert_one_error_line(
        climabot(tmp_path, "import-cities", "missing.csv", env=env_for(tmp_path))
    )
    (tmp_path / "cities.csv").write_text("name,country,mission_city\nLyon,FR,yes\n")
    env = {"CLIMABOT_STORAGE__DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    assert "--guild" in assert_one_error_line(climabot(tmp_path, "import-cities", "cities.csv", env=env))


async def _seed_campaign(database: Path) -> None:
    """Create a campaign with one approved testimonial."""
    db, repos = await open_storage(database, default_timezone="Europe/Brussels")
    try:
        campaign = await repos.testimonials.create_campaign(
            guild_id=GUILD,
            name="Trams",
            prompt="How did the tram change your city?",
            licence="CC-BY-4.0",
            max_photo_bytes=8_000_000,
            created_by=1,
            now=datetime(2026, 11, 1, tzinfo=UTC),
        )
    finally:
        await db.close()
    row = (campaign.id, GUILD, 77, STORY, "Riga", "citizen", "anonymous", "1", "consent text", "CC-BY-4.0")
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
    assert "exported 1 testimonials" in result.stdout
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
