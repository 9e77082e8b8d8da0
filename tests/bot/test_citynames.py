"""City names as members type them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.citynames import closest_names, complete_last, split_city_list, validate_city_name

KNOWN = ["Valencia", "Vantaa", "Cluj-Napoca", "München", "Lyon", "Leuven", "Vitoria-Gasteiz"]


def test_valid_names_are_tidied() -> None:
    assert validate_city_name("  Vitoria   Gasteiz ") == "Vitoria Gasteiz"
    assert validate_city_name("Reggio nell'Emilia") == "Reggio nell'Emilia"


@pytest.mark.parametrize(
    "bad", ["", "   ", "a" * 61, "Lyon, Paris", "Lyon;", "@everyone", "<#1>", "Ly\x00on"]
)
def test_bad_names_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(ValueError, match="city name"):
        validate_city_name(bad)


def test_lists_split_on_commas_and_semicolons_without_repeats() -> None:
    assert split_city_list("Lyon, riga ; LYON,, Oslo ") == ["Lyon", "riga", "Oslo"]
    assert split_city_list(" ") == []


def test_closest_names_catch_typos_accents_and_parts() -> None:
    assert closest_names("Valenica", KNOWN)[0] == "Valencia"
    assert closest_names("munchen", KNOWN)[0] == "München"
    assert closest_names("Cluj", KNOWN)[0] == "Cluj-Napoca"
    assert closest_names("vitoria gasteiz", KNOWN)[0] == "Vitoria-Gasteiz"
    assert closest_names("Zzzzz", KNOWN) == []
    assert closest_names("", KNOWN) == []


def test_complete_last_splits_done_names_from_the_fragment() -> None:
    assert complete_last("Lyon, Ri") == ("Lyon", "Ri")
    assert complete_last("Ri") == ("", "Ri")
    assert complete_last("Lyon; Oslo,") == ("Lyon, Oslo", "")


@given(st.text(max_size=40))
def test_closest_names_never_fail(text: str) -> None:
    assert len(closest_names(text, KNOWN)) <= 3
