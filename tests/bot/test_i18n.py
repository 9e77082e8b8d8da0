"""Languages: Discord locales mapped to ours, catalogs loaded from .mo files, safe placeholders."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from bot.i18n import (
    DISCORD_LOCALES,
    ENGLISH,
    SUPPORTED,
    Catalogs,
    Msg,
    language_of_locale,
    native_name,
    normalise_language,
)


def write_catalog(
    root: Path, code: str, messages: dict[str | tuple[str, str], str | tuple[str, ...]]
) -> None:
    """Compile a small catalog for one language into root, as `pybabel compile` would."""
    catalog = Catalog(locale=code, domain="climabot")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    folder = root / code / "LC_MESSAGES"
    folder.mkdir(parents=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    (folder / "climabot.mo").write_bytes(buffer.getvalue())


def test_the_languages_of_the_mission() -> None:
    """24 official EU languages plus Norwegian, Turkish and Ukrainian."""
    assert len(SUPPORTED) == 27
    assert {"ga", "mt", "nb", "tr", "uk"} <= set(SUPPORTED)
    assert set(DISCORD_LOCALES.values()) <= set(SUPPORTED)


@pytest.mark.parametrize(
    ("locale", "code"),
    [
        ("es-ES", "es"),
        ("es-419", "es"),
        ("pt-BR", "pt"),
        ("sv-SE", "sv"),
        ("en-GB", "en"),
        ("en-US", "en"),
        ("no", "nb"),
        ("de", "de"),
        ("ja", None),
        ("zh-CN", None),
        (None, None),
    ],
)
def test_discord_locales_map_to_our_languages(locale: str | None, code: str | None) -> None:
    """Discord's regional locales fold into one language; locales we have no catalog for give None."""
    assert language_of_locale(locale) == code


def test_typed_language_codes_are_normalised() -> None:
    """Codes in any case or regional form are accepted; unknown ones are not."""
    assert normalise_language("PL") == "pl"
    assert normalise_language("pt_BR") == "pt"
    assert normalise_language("no") == "nb"
    assert normalise_language("xx") is None
    assert normalise_language("") is None


def test_a_catalog_translates_fills_placeholders_and_plural_forms(tmp_path: Path) -> None:
    """gettext and ngettext come from the .mo file; placeholders are filled after translation."""
    write_catalog(
        tmp_path,
        "de",
        {
            "Updated {name}.": "{name} aktualisiert.",
            ("one vote", "{n} votes"): ("eine Stimme", "{n} Stimmen"),
            "Broken {name}.": "Kaputt {nom}.",
        },
    )
    german = Catalogs(tmp_path).lang("de")
    assert german._("Updated {name}.", name="Lyon") == "Lyon aktualisiert."
    assert german.ngettext("one vote", "{n} votes", 1) == "eine Stimme"
    assert german.ngettext("one vote", "{n} votes", 3) == "3 Stimmen"
    assert german._("Not in the catalog") == "Not in the catalog"
    # A translation whose placeholder was broken falls back to English instead of failing.
    assert german._("Broken {name}.", name="x") == "Broken x."


def test_missing_catalogs_fall_back_to_english(tmp_path: Path) -> None:
    """A language without a .mo file shows English, and None or unknown codes give English."""
    catalogs = Catalogs(tmp_path)
    assert catalogs.lang("fr")._("Hello") == "Hello"
    assert catalogs.lang(None) is ENGLISH
    assert catalogs.lang("xx") is ENGLISH


def test_msg_renders_nested_messages_in_the_language(tmp_path: Path) -> None:
    """A Msg whose parameter is a Msg translates both; str() is English for the log."""
    write_catalog(tmp_path, "fr", {"The {field} is empty.": "Le champ {field} est vide.", "title": "titre"})
    message = Msg("The {field} is empty.", field=Msg("title"))
    assert Catalogs(tmp_path).lang("fr").render(message) == "Le champ titre est vide."
    assert str(message) == "The title is empty."


def test_numbers_dates_and_language_names_follow_the_language() -> None:
    """Babel formats numbers and dates for the language, and names languages in it."""
    catalogs = Catalogs(Path("/nonexistent"))
    assert catalogs.lang("de").number(1234.5) == "1.234,5"
    assert ENGLISH.number(1234.5) == "1,234.5"
    assert catalogs.lang("fr").date(date(2026, 12, 7), "long") == "7 décembre 2026"
    assert catalogs.lang("de").language_name("pl") == "Polnisch"
    assert native_name("pl") == "Polski"
    assert native_name("nb") == "Norsk bokmål"
