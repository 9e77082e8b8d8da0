"""Bulk registration of cities from CSV."""

from __future__ import annotations

from pathlib import Path

from bot.city_import import EXAMPLE_FILE, import_cities_file, parse_city_file
from storage.repositories import open_storage


def test_parse_accepts_good_rows_and_explains_bad_ones() -> None:
    text = (
        "# comment\n"
        "Name,Country,Mission_City\n"
        "Valencia,ES,yes\n"
        "Lyon,France,no\n"
        "Atlantis,Atlantis,yes\n"
        "\n"
        "lyon,FR,yes\n"
        '"Lyon, Paris",FR,yes\n'
        "Riga,LV,maybe\n"
        "Oslo,NO\n"
    )
    parsed = parse_city_file(text)
    assert parsed.rows == [("Valencia", "ES", True), ("Lyon", "FR", False), ("Oslo", "NO", False)]
    reasons = dict(parsed.rejected)
    assert set(reasons) == {5, 7, 8, 9}
    assert "not a country" in reasons[5] and "twice" in reasons[7]
    assert "cannot contain" in reasons[8] and "yes or no" in reasons[9]


def test_parse_needs_a_header() -> None:
    assert parse_city_file("").rejected
    assert parse_city_file("city,land\nLyon,FR\n").rejected[0][0] == 1


def test_example_file_is_valid_and_marked_as_example() -> None:
    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    assert "EXAMPLE" in text.splitlines()[0]
    parsed = parse_city_file(text)
    assert parsed.rejected == [] and len(parsed.rows) >= 5


async def test_import_writes_the_rows_for_one_server(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    report = await import_cities_file(path, 42, EXAMPLE_FILE)
    assert report.counts.added == len(parse_city_file(EXAMPLE_FILE.read_text(encoding="utf-8")).rows)
    again = await import_cities_file(path, 42, EXAMPLE_FILE)
    assert again.counts.added == 0 and again.counts.unchanged == report.counts.added
    assert "cities added: 0" in again.lines()[0]
    db, repos = await open_storage(path, default_timezone="UTC")
    try:
        assert await repos.cities.find(42, "valencia") is not None
        assert await repos.cities.all(43) == []
    finally:
        await db.close()
