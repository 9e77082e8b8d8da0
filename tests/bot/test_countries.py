"""Countries typed as codes or names."""

from __future__ import annotations

import pytest

from bot.countries import countries, country_name, resolve_country, suggest_countries
from bot.i18n import Catalogs


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("FR", "FR"),
        ("fr", "FR"),
        (" France ", "FR"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("EL", "GR"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Türkiye", "TR"),
        ("turkey", "TR"),
        ("Korea", "KR"),
        ("North Macedonia", "MK"),
        ("Kosovo", "XK"),
    ],
)
def test_codes_names_and_aliases_resolve(typed: str, code: str) -> None:
    assert resolve_country(typed) == code


@pytest.mark.parametrize("typed", ["", "ZZ", "Atlantis", "F", "Franc"])
def test_non_countries_are_refused(typed: str) -> None:
    assert resolve_country(typed) is None


def test_names_and_suggestions() -> None:
    assert len(countries()) > 240
    assert country_name("DE") == "Germany"
    assert country_name("QQ") == "QQ"
    assert suggest_countries("Franc")[0] == "France (FR)"
    assert suggest_countries("Swedn")[0] == "Sweden (SE)"


def test_names_in_the_readers_language_and_typed_in_it() -> None:
    polish = Catalogs().lang("pl")
    assert country_name("DE", polish) == "Niemcy" and country_name("FR", polish) == "Francja"
    assert country_name("QQ", polish) == "QQ"
    # A name in the member's own language is understood, as are English names and codes.
    assert resolve_country("Niemcy", polish) == "DE"
    assert resolve_country("Germany", polish) == "DE" and resolve_country("de", polish) == "DE"
    assert resolve_country("Niemcy") is None
    assert suggest_countries("Francj", t=polish)[0] == "Francja (FR)"
