"""Countries typed as codes or names."""

from __future__ import annotations

import pytest

from bot.countries import countries, country_name, resolve_country, suggest_countries


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
