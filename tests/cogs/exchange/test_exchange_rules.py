"""Pure rules of mutual learning: titles, member text, how many cities a question may ask."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import ValidationError
from bot.i18n import ENGLISH, SUPPORTED, Catalogs, native_name
from bot.text import visible_length
from cogs.exchange.rules import (
    AUTOMATIC_LANGUAGE,
    THREAD_NAME_LIMIT,
    asker_text,
    check_city_count,
    language_choices,
    member_text,
    question_title,
    resolve_language,
    unknown_city_message,
)


def test_titles_are_put_on_one_line() -> None:
    assert question_title("  Heat \n pumps\tin  winter ") == "Heat pumps in winter"
    assert question_title("x" * THREAD_NAME_LIMIT) == "x" * THREAD_NAME_LIMIT


@pytest.mark.parametrize("bad", ["", "   ", "\u200b\u2060", "\u0301\u0301", "\ufeff \u200d"])
def test_invisible_titles_and_text_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="only invisible characters"):
        question_title(bad)
    with pytest.raises(ValidationError, match="question is empty"):
        member_text(bad, "question")


def test_too_long_titles_say_how_long_they_are() -> None:
    with pytest.raises(ValidationError, match="yours has 101"):
        question_title("y" * 101)


@given(st.text(max_size=200))
def test_accepted_titles_show_something_and_fit_a_post_name(text: str) -> None:
    try:
        title = question_title(text)
    except ValidationError:
        return
    assert visible_length(title) > 0 and len(title) <= THREAD_NAME_LIMIT and "\n" not in title


def test_member_text_drops_control_characters_but_keeps_lines() -> None:
    assert member_text(" Line one\x00\nLine two\x07 ", "question") == "Line one\nLine two"


def test_a_question_names_at_most_the_configured_cities() -> None:
    check_city_count(["Lyon", "Riga"], 2)
    check_city_count([], 1)
    with pytest.raises(ValidationError, match=r"at most 2 cities \(you named 3\)"):
        check_city_count(["Lyon", "Riga", "Oslo"], 2)


def test_an_erased_asker_is_not_named() -> None:
    assert asker_text(42, 0) == "<@42>"
    assert "erased their data" in ENGLISH.render(asker_text(0, 0))


def test_unknown_cities_get_suggestions() -> None:
    text = ENGLISH.render(unknown_city_message("Lyom", ["Lyon"]))
    assert "`Lyom`" in text and "Did you mean **Lyon**?" in text
    assert "Did you mean" not in ENGLISH.render(unknown_city_message("Zz", []))


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("pl", "pl"),
        (" PL ", "pl"),
        ("pt-BR", "pt"),
        ("no", "nb"),
        ("polski", "pl"),
        ("Slovak", "sk"),
        ("slovencina", "sk"),
        ("auto", AUTOMATIC_LANGUAGE),
        ("Automatic", AUTOMATIC_LANGUAGE),
    ],
)
def test_languages_are_found_by_code_or_name(typed: str, code: str) -> None:
    assert resolve_language(typed) == code


@pytest.mark.parametrize("typed", ["klingon", "zz", "", "Deutschland"])
def test_unknown_languages_are_refused_with_the_codes(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        resolve_language(typed)
    text = ENGLISH.render(caught.value.text)
    assert "is not a language I speak" in text and ", ".join(sorted(SUPPORTED)) in text


def test_language_choices_fit_discord_and_lead_with_automatic_and_the_members_language() -> None:
    everything = language_choices("", "Automatic", ENGLISH)
    assert len(everything) == 25 and everything[0] == ("Automatic", AUTOMATIC_LANGUAGE)
    assert everything[1] == ("English", "en")
    assert language_choices("", "Automatique", Catalogs().lang("uk"))[1] == (native_name("uk"), "uk")
    # What was typed may be the own name, the English name, the reader's name for it or the code.
    assert language_choices("pol", "Automatic", ENGLISH) == [("Polski", "pl")]
    assert ("Deutsch", "de") in language_choices("germ", "Automatic", ENGLISH)
    assert language_choices("sk", "Automatic", ENGLISH)[0] == ("Slovenčina", "sk")
    assert language_choices("auto", "Automatic", ENGLISH) == [("Automatic", AUTOMATIC_LANGUAGE)]
