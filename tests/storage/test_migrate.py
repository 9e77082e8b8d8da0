"""Migrations: discovery, ordering, atomicity and re-runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import (
    MIGRATIONS_DIR,
    MigrationError,
    apply_migrations,
    current_version,
    discover_migrations,
    split_statements,
)


def _write(folder: Path, files: dict[str, str]) -> Path:
    """Create a migrations folder holding the given files."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


async def _tables(db: Database) -> set[str]:
    """Names of the user tables in the database."""
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {r["name"] for r in rows}


async def test_fresh_database_is_version_zero(db: Database) -> None:
    """An empty database has no migrations applied."""
    assert await current_version(db) == 0


async def test_fresh_database_gets_every_real_migration(db: Database) -> None:
    """All shipped migrations apply in order and the version reaches the newest file."""
    expected = [m.version for m in discover_migrations()]
    assert expected and expected[0] == 1
    assert await apply_migrations(db) == expected
    assert await current_version(db) == expected[-1]
    assert {"schema_migrations", "guild_settings"} <= await _tables(db)
    rows = await db.fetchall("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
    assert [r["version"] for r in rows] == expected
    assert rows[0]["name"] == "guild_settings"
    assert rows[0]["applied_at"].endswith("+00:00")


async def test_rerun_applies_nothing(migrated_db: Database) -> None:
    """Running migrations again on an up-to-date database is a no-op."""
    before = await current_version(migrated_db)
    assert await apply_migrations(migrated_db) == []
    assert await current_version(migrated_db) == before


async def test_shipped_folder_holds_only_numbered_sql_files() -> None:
    """The packaged migrations folder contains nothing but NNNN_name.sql files."""
    names = sorted(p.name for p in MIGRATIONS_DIR.iterdir() if p.name != "__pycache__")
    assert names == sorted(m.path.name for m in discover_migrations())


async def test_guild_settings_table_shape(migrated_db: Database) -> None:
    """0001 creates guild_settings with the agreed columns, and updated_at is required."""
    rows = await migrated_db.fetchall("PRAGMA table_info(guild_settings)")
    columns = {r["name"]: (r["type"], r["notnull"], r["pk"]) for r in rows}
    assert columns == {
        "guild_id": ("INTEGER", 0, 1),
        "announcements_channel_id": ("INTEGER", 0, 0),
        "moderation_channel_id": ("INTEGER", 0, 0),
        "showcase_channel_id": ("INTEGER", 0, 0),
        "exchange_forum_id": ("INTEGER", 0, 0),
        "moderator_role_id": ("INTEGER", 0, 0),
        "timezone": ("TEXT", 0, 0),
        "language": ("TEXT", 0, 0),
        "proposals_forum_id": ("INTEGER", 0, 0),
        "updated_at": ("TEXT", 1, 0),
    }


async def test_pending_migrations_apply_in_order(db: Database, tmp_path: Path) -> None:
    """Files apply by version number, and a later file added afterwards applies alone."""
    folder = _write(
        tmp_path / "m",
        {
            "0002_add_b.sql": "ALTER TABLE a ADD COLUMN b TEXT;",
            "0001_create_a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);",
        },
    )
    assert await apply_migrations(db, folder) == [1, 2]
    _write(folder, {"0003_index.sql": "CREATE INDEX a_b ON a (b);"})
    assert await apply_migrations(db, folder) == [3]
    assert await current_version(db) == 3


async def test_failing_migration_leaves_previous_version(db: Database, tmp_path: Path) -> None:
    """A migration failing in its second statement keeps neither its first statement nor its version."""
    folder = _write(
        tmp_path / "m",
        {
            "0001_ok.sql": "CREATE TABLE first (id INTEGER PRIMARY KEY);",
            "0002_broken.sql": (
                "CREATE TABLE second (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n"
            ),
        },
    )
    with pytest.raises(MigrationError) as info:
        await apply_migrations(db, folder)
    message = str(info.value)
    assert "\n" not in message
    assert "0002_broken.sql" in message
    assert "no such table: no_such_table" in message
    assert await current_version(db) == 1
    tables = await _tables(db)
    assert "first" in tables
    assert "second" not in tables


async def test_fixed_migration_applies_after_failure(db: Database, tmp_path: Path) -> None:
    """Once the broken file is corrected the next run applies it."""
    folder = _write(tmp_path / "m", {"0001_x.sql": "CREATE TABLE x (id INTEGER); SELEC nonsense;"})
    with pytest.raises(MigrationError, match="syntax error"):
        await apply_migrations(db, folder)
    assert await current_version(db) == 0
    _write(folder, {"0001_x.sql": "CREATE TABLE x (id INTEGER);"})
    assert await apply_migrations(db, folder) == [1]


@pytest.mark.parametrize(
    "bad_name",
    ["1_short.sql", "0001-dash.sql", "0001_x.txt", "notes.md", "0001_.sql", "0000_zero.sql", "__init__.py"],
)
async def test_bad_file_names_are_rejected(db: Database, tmp_path: Path, bad_name: str) -> None:
    """Any file in the folder not named NNNN_name.sql (version >= 1) stops migration before any runs."""
    folder = _write(tmp_path / "m", {"0001_ok.sql": "CREATE TABLE ok (id INTEGER);", bad_name: "SELECT 1;"})
    with pytest.raises(MigrationError, match=bad_name.replace(".", r"\.")):
        await apply_migrations(db, folder)
    assert "ok" not in await _tables(db)


async def test_duplicate_versions_are_rejected(db: Database, tmp_path: Path) -> None:
    """Two files with one version number are an error naming both."""
    folder = _write(
        tmp_path / "m",
        {"0001_a.sql": "CREATE TABLE a (id INTEGER);", "0001_b.sql": "CREATE TABLE b (id INTEGER);"},
    )
    with pytest.raises(MigrationError, match=r"0001_a\.sql|0001_b\.sql"):
        await apply_migrations(db, folder)
    assert await current_version(db) == 0


async def test_missing_folder_is_an_error(db: Database, tmp_path: Path) -> None:
    """Pointing at a folder that does not exist fails clearly."""
    with pytest.raises(MigrationError, match="does not exist"):
        await apply_migrations(db, tmp_path / "nowhere")


async def test_database_newer_than_code_is_an_error(db: Database, tmp_path: Path) -> None:
    """A database holding a version the folder does not know is refused rather than half-understood."""
    folder = _write(tmp_path / "m", {"0001_a.sql": "CREATE TABLE a (id INTEGER);"})
    _write(tmp_path / "newer", {"0001_a.sql": "CREATE TABLE a (id INTEGER);", "0002_b.sql": "SELECT 1;"})
    assert await apply_migrations(db, tmp_path / "newer") == [1, 2]
    with pytest.raises(MigrationError, match="older than the database"):
        await apply_migrations(db, folder)


async def test_concurrent_runs_apply_each_migration_once(db: Database, tmp_path: Path) -> None:
    """Two runs racing on the same database together apply each version exactly once."""
    folder = _write(
        tmp_path / "m",
        {f"{v:04d}_t{v}.sql": f"CREATE TABLE t{v} (id INTEGER);" for v in range(1, 6)},
    )
    other = Database(db.path)
    await other.open()
    try:
        first, second = await asyncio.gather(apply_migrations(db, folder), apply_migrations(other, folder))
    finally:
        await other.close()
    assert sorted(first + second) == [1, 2, 3, 4, 5]
    assert await current_version(db) == 5


async def test_trigger_and_semicolons_in_strings(db: Database, tmp_path: Path) -> None:
    """Trigger bodies, quoted semicolons and comments survive statement splitting."""
    script = """
    -- a comment; with a semicolon
    CREATE TABLE log (msg TEXT);
    CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT DEFAULT 'a;b');
    /* block; comment */
    CREATE TRIGGER item_added AFTER INSERT ON item BEGIN
        INSERT INTO log (msg) VALUES ('added; ' || NEW.id);
    END;
    INSERT INTO item (id) VALUES (1); INSERT INTO item (id) VALUES (2)
    """
    await apply_migrations(db, _write(tmp_path / "m", {"0001_trigger.sql": script}))
    rows = await db.fetchall("SELECT msg FROM log ORDER BY msg")
    assert [r["msg"] for r in rows] == ["added; 1", "added; 2"]
    labels = await db.fetchall("SELECT label FROM item")
    assert {r["label"] for r in labels} == {"a;b"}


def test_split_statements() -> None:
    """The splitter yields whole statements and drops comment-only leftovers."""
    assert split_statements("SELECT 1; SELECT ';';\n-- trailing comment\n") == ["SELECT 1;", "SELECT ';';"]
    assert split_statements("SELECT 1") == ["SELECT 1"]
    assert split_statements("  \n/* nothing */\n") == []


async def test_unreadable_file_is_an_error(db: Database, tmp_path: Path) -> None:
    """A migration that is not UTF-8 text is reported by name before anything is applied."""
    folder = _write(tmp_path / "m", {"0001_ok.sql": "CREATE TABLE ok (id INTEGER);"})
    (folder / "0002_binary.sql").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(MigrationError, match=r"0002_binary\.sql: cannot read"):
        await apply_migrations(db, folder)
    assert await current_version(db) == 0
