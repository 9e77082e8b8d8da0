"""Exports read back: CSV, JSON Lines and the zipped data package, with photo bytes and consent."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from bot.consent import CONSENT_VERSION, consent_text, wording
from bot.i18n import Lang
from bot.testimonial_export import COLUMN_TEXTS, CSV_FIELDS, ExportError, export_campaign, pseudonym
from cogs.testimonials.media import MediaStore, clean_image
from storage.database import Database
from storage.migrate import apply_migrations
from storage.testimonials import Media, NewTestimonial, TestimonialsRepository
from tests.bot import test_consent

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GUILD = 5
STORY = 'Our repair café fixed 300 toasters; "=SUM(A1)", commas, and\nnew lines survive.'
# A German catalog with the whole consent (tests/bot/test_consent.py) and a few export texts.
GERMAN = {
    **test_consent.GERMAN,
    COLUMN_TEXTS["consent_language"]: "Sprachcode (ISO 639-1) des Einwilligungstextes, dem zugestimmt wurde.",
    "Testimonials of the campaign {campaign}": "Erfahrungsberichte der Kampagne {campaign}",
    "Exported on {date}.": "Exportiert am {date}.",
    "{count} approved testimonial.": "{count} freigegebener Bericht.",
}


def photo(colour: str) -> bytes:
    """A small real JPEG."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="JPEG")
    return out.getvalue()


class World:
    """A migrated database with a campaign and items in every state, plus their media files."""

    def __init__(self, path: Path, store: MediaStore, ids: dict[str, int], photos: dict[str, bytes]) -> None:
        """Keep what the tests look at."""
        self.path, self.store, self.ids, self.photos = path, store, ids, photos


@pytest.fixture
async def world(tmp_path: Path) -> World:
    """Named + photo, anonymous + shared photo, research-only, pending, rejected and withdrawn items."""
    db = Database(tmp_path / "db.sqlite3")
    await db.open()
    await apply_migrations(db)
    repo = TestimonialsRepository(db)
    store = MediaStore(tmp_path / "media")
    await repo.create_campaign(
        guild_id=GUILD, name="Repair Cafés 2026", prompt="What did you repair?", licence="CC-BY-4.0",
        max_photo_bytes=8 << 20, created_by=1, now=NOW,
    )  # fmt: skip
    red = clean_image(photo("red"))
    store.save(red)
    media = Media(red.sha256, red.relpath, red.mediatype, len(red.data), red.width, red.height)
    ids: dict[str, int] = {}
    plan = [
        ("named", 100, media, True), ("anonymous", 101, media, True), ("research", 100, None, True),
        ("pending", 102, None, None), ("rejected", 103, None, False), ("withdrawn", 104, None, True),
    ]  # fmt: skip
    german = wording(german_lang())
    for key, author, item_media, approve in plan:
        scope = key if key in ("named", "anonymous", "research") else "named"
        # The named item's author read the consent in German.
        words = german if key == "named" else wording()
        new = NewTestimonial(
            guild_id=GUILD, campaign_name="repair cafés 2026", author_id=author, author_name="x",
            story=f"{key}: {STORY}", city="Gent", target_group="citizen", consent_scope=scope,
            consent_version=words.version, consent_language=words.language,
            consent_text=words.statement(scope, "CC-BY-4.0"), consented_at=NOW,
        )  # fmt: skip
        item = await repo.submit(new, item_media, now=NOW)
        ids[key] = item.id
        if approve is not None:
            await repo.decide(item.id, approve=approve, moderator_id=1, now=NOW, reason=None)
    await repo.withdraw(ids["withdrawn"], author_id=104)
    await db.close()
    return World(tmp_path / "db.sqlite3", store, ids, {red.sha256: red.data})


def german_lang() -> Lang:
    """German with the test catalog."""
    return Lang("de", test_consent.Catalog(GERMAN))


def run(world: World, fmt: str, tmp_path: Path, t: Lang | None = None) -> Path:
    """Export the campaign in a format (in language t, else English) and return the file."""
    out = tmp_path / "out" / f"export.{fmt}"
    options = {} if t is None else {"t": t}
    result = export_campaign(world.path, world.store.root, "REPAIR CAFÉS 2026", fmt, out, now=NOW, **options)
    assert result.items == 3 and result.path == out and result.bytes == out.stat().st_size
    return out


def test_csv_has_the_documented_columns_and_only_consented_approved_items(
    world: World, tmp_path: Path
) -> None:
    """Approved items only (research-only included), story intact, contributor pseudonymous."""
    with run(world, "csv", tmp_path).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_FIELDS
    assert [int(r["id"]) for r in rows] == [world.ids["named"], world.ids["anonymous"], world.ids["research"]]
    assert [r["consent_scope"] for r in rows] == ["named", "anonymous", "research"]
    assert rows[0]["story"] == f"named: {STORY}"
    assert rows[0]["submitted_at"] == "2026-03-01T12:00:00Z" and rows[0]["licence"] == "CC-BY-4.0"
    assert rows[0]["contributor"] == rows[2]["contributor"] != rows[1]["contributor"]
    # A pseudonym of fixed shape, never the author's id (100); random hex may contain "100" by chance.
    assert re.fullmatch(r"p-[0-9a-f]{20}", rows[0]["contributor"])
    assert rows[0]["media_sha256"] == rows[1]["media_sha256"] and rows[2]["media_sha256"] == ""
    assert rows[0]["media_path"] == f"media/{rows[0]['media_sha256']}.jpg"
    german = wording(german_lang()).version
    assert [(r["consent_version"], r["consent_language"]) for r in rows] == [
        (german, "de"), (CONSENT_VERSION, "en"), (CONSENT_VERSION, "en")
    ]  # fmt: skip


def test_jsonl_objects_match(world: World, tmp_path: Path) -> None:
    """One JSON object per line, with media described as a list of files."""
    lines = run(world, "jsonl", tmp_path).read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines]
    assert [i["consent_scope"] for i in items] == ["named", "anonymous", "research"]
    (media,) = items[0]["media"]
    assert media["mediatype"] == "image/jpeg" and media["sha256"] in world.photos
    assert items[2]["media"] == [] and items[0]["story"].endswith("survive.")
    assert set(items[0]) == {*CSV_FIELDS[:-2], "media"}
    assert [i["consent_language"] for i in items] == ["de", "en", "en"]


def test_datapackage_holds_descriptor_data_consent_and_photo_bytes(world: World, tmp_path: Path) -> None:
    """The zip has datapackage.json, the three CSVs and the photo, byte for byte."""
    with zipfile.ZipFile(run(world, "datapackage", tmp_path)) as zf:
        names = set(zf.namelist())
        descriptor = json.loads(zf.read("datapackage.json"))
        (sha,) = world.photos
        assert zf.read(f"media/{sha}.jpg") == world.photos[sha]
        testimonials = list(csv.DictReader(io.StringIO(zf.read("data/testimonials.csv").decode())))
        consent = list(csv.DictReader(io.StringIO(zf.read("data/consent.csv").decode())))
        media = list(csv.DictReader(io.StringIO(zf.read("data/media.csv").decode())))
    assert names == {"datapackage.json", "README.md", "data/testimonials.csv", "data/media.csv",
                     "data/consent.csv", f"media/{sha}.jpg"}  # fmt: skip
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert [r["name"] for r in descriptor["resources"]] == ["testimonials", "media", "consent"]
    fields = [f["name"] for f in descriptor["resources"][0]["schema"]["fields"]]
    assert fields == list(CSV_FIELDS)
    assert len(testimonials) == 3 and len(media) == 1 and media[0]["sha256"] == sha
    assert {c["consent_scope"] for c in consent} == {"named", "anonymous", "research"}
    by_language = {(c["consent_language"], c["consent_scope"]): c for c in consent}
    assert set(by_language) == {("de", "named"), ("en", "anonymous"), ("en", "research")}
    assert by_language["en", "anonymous"]["text"] == consent_text("anonymous", "CC-BY-4.0")
    german = by_language["de", "named"]
    assert german["text"].startswith(f"Einwilligung Version {german['consent_version']}. Wie dürfen wir")
    # Every item finds its exact consent text by version, language, scope and licence.
    keys = {(c["consent_version"], c["consent_language"], c["consent_scope"], c["licence"]) for c in consent}
    assert {(t["consent_version"], t["consent_language"], t["consent_scope"], t["licence"])
            for t in testimonials} <= keys  # fmt: skip
    schema = descriptor["resources"][0]["schema"]
    assert {"fields": ["consent_version", "consent_language", "consent_scope", "licence"],
            "reference": {"resource": "consent",
                          "fields": ["consent_version", "consent_language", "consent_scope", "licence"]}
            } in schema["foreignKeys"]  # fmt: skip
    described = {f["name"]: f["description"] for f in schema["fields"]}
    assert "consent text" in described["consent_language"]
    consent_fields = [f["name"] for f in descriptor["resources"][2]["schema"]["fields"]]
    assert consent_fields[:2] == ["consent_version", "consent_language"]


def test_datapackage_descriptions_and_readme_speak_the_exporting_moderators_language(
    world: World, tmp_path: Path
) -> None:
    """A German moderator's package: German descriptions and README (German dates); data unchanged."""
    with zipfile.ZipFile(run(world, "datapackage", tmp_path, german_lang())) as zf:
        descriptor = json.loads(zf.read("datapackage.json"))
        readme = zf.read("README.md").decode()
        header = zf.read("data/testimonials.csv").decode().splitlines()[0]
    assert descriptor["title"] == "Erfahrungsberichte der Kampagne Repair Cafés 2026"
    described = {f["name"]: f["description"] for f in descriptor["resources"][0]["schema"]["fields"]}
    assert described["consent_language"].startswith("Sprachcode")
    assert readme.startswith("# Erfahrungsberichte der Kampagne Repair Cafés 2026")
    assert "Exportiert am 1. März 2026." in readme and "What did you repair?" in readme
    assert header == ",".join(CSV_FIELDS), "column names are the data schema: never translated"
    english = zipfile.ZipFile(run(world, "datapackage", tmp_path / "en")).read("README.md").decode()
    assert "Exported on March 1, 2026." in english and "3 approved testimonials." in english
    assert "`consent_language`" in english


def test_datapackage_passes_frictionless(world: World, tmp_path: Path) -> None:
    """`frictionless validate` accepts the package (skipped where frictionless is not installed)."""
    frictionless = pytest.importorskip("frictionless")
    package = run(world, "datapackage", tmp_path)
    extracted = tmp_path / "extracted"
    with zipfile.ZipFile(package) as zf:
        zf.extractall(extracted)
    report = frictionless.validate(str(extracted / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_unknown_campaign_or_format_is_a_clear_error(world: World, tmp_path: Path) -> None:
    """A missing campaign or a wrong format says so, and leaves no file behind."""
    with pytest.raises(ExportError, match="no campaign"):
        export_campaign(world.path, world.store.root, "nope", "csv", tmp_path / "x.csv")
    with pytest.raises(ExportError, match="format"):
        export_campaign(world.path, world.store.root, "Repair Cafés 2026", "xlsx", tmp_path / "x.xlsx")
    assert not (tmp_path / "x.csv").exists()


def test_pseudonym_needs_the_secret() -> None:
    """Same secret, campaign and member: same id; another secret or campaign: another id."""
    assert pseudonym(b"k" * 32, 1, 42) == pseudonym(b"k" * 32, 1, 42)
    assert pseudonym(b"k" * 32, 1, 42) != pseudonym(b"j" * 32, 1, 42)
    assert pseudonym(b"k" * 32, 1, 42) != pseudonym(b"k" * 32, 2, 42)
