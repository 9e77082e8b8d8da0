"""Pure rules of mutual learning: titles, member text, how many cities a question may ask."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import ValidationError
from bot.text import visible_length
from cogs.exchange.rules import (
    THREAD_NAME_LIMIT,
    asker_text,
    check_city_count,
    member_text,
    question_title,
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
    assert "erased their data" in asker_text(0, 0)


def test_unknown_cities_get_suggestions() -> None:
    text = unknown_city_message("Lyom", ["Lyon"])
    assert "`Lyom`" in text and "Did you mean **Lyon**?" in text
    assert "Did you mean" not in unknown_city_message("Zz", [])
