"""Time-zone names typed by administrators."""

import pytest

from bot.errors import ValidationError
from bot.timezones import matching_zones, resolve_timezone


def test_exact_name_resolves():
    """An IANA name resolves to its zone."""
    assert resolve_timezone("Europe/Lisbon").key == "Europe/Lisbon"


def test_case_is_forgiven():
    """Case and surrounding spaces are forgiven."""
    assert resolve_timezone(" europe/brussels ").key == "Europe/Brussels"


def test_typo_is_refused_with_suggestions():
    """A misspelt name is refused with the closest real names."""
    with pytest.raises(ValidationError) as info:
        resolve_timezone("Europe/Brusels")
    assert "Europe/Brussels" in str(info.value)


def test_mentions_in_bad_input_stay_inert():
    """A mention typed as a zone is echoed so it cannot ping."""
    with pytest.raises(ValidationError) as info:
        resolve_timezone("@everyone")
    assert "@everyone" not in str(info.value)


def test_matching_prefers_city_prefix_and_caps_at_25():
    """Autocomplete ranks city-name prefixes first and returns at most 25 names."""
    assert matching_zones("lisb")[0] == "Europe/Lisbon"
    assert len(matching_zones("a")) == 25
