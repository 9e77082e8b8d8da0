"""Poll rules: create input, vote custom_ids and click semantics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import ValidationError
from cogs.polls.rules import (
    CUSTOM_ID_LIMIT,
    DOUBLE_CLICK_WINDOW,
    VOTE_ID_PATTERN,
    ClickAction,
    apply_click,
    parse_closes_in,
    parse_options,
    parse_vote_custom_id,
    validate_question,
    vote_custom_id,
    vote_target_in_range,
)

# --- options -------------------------------------------------------------------------------------


def test_options_are_trimmed_and_whitespace_collapsed() -> None:
    """Surrounding space goes, inner runs of whitespace become one space."""
    assert parse_options("  Energy ;Mobility  ;  Nature-based\n  solutions ") == [
        "Energy",
        "Mobility",
        "Nature-based solutions",
    ]


def test_one_trailing_separator_is_allowed() -> None:
    """`Yes; No;` is two options, not an empty third one."""
    assert parse_options("Yes; No;") == ["Yes", "No"]


def test_twenty_options_and_eighty_characters_are_accepted() -> None:
    """The limits themselves are allowed."""
    options = [f"option {i}" for i in range(19)] + ["x" * 80]
    assert parse_options(";".join(options)) == options


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Only one", "at least 2"),
        (";".join(f"o{i}" for i in range(21)), "at most 20"),
        ("a;;b", "Option 2 is empty"),
        (" ; a", "Option 1 is empty"),
        ("", "no options"),
        ("   ", "no options"),
        (";", "no options"),
        ("Yes;yes", "Options 1 and 2 are the same"),
        ("Yes; No; YES ", "Options 1 and 3 are the same"),
        ("a;" + "x" * 81, "81 characters"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(text: str, fragment: str) -> None:
    """Every malformed option list raises a ValidationError naming the problem."""
    with pytest.raises(ValidationError) as caught:
        parse_options(text)
    assert fragment in str(caught.value)


def test_option_errors_quote_member_input_safely() -> None:
    """A quoted option cannot ping or break out of its code span."""
    with pytest.raises(ValidationError) as caught:
        parse_options("@everyone`; @Everyone`")
    message = str(caught.value)
    assert "@everyone" not in message.lower()
    assert "`@\u200bEveryone'`" in message


def test_option_errors_say_what_is_accepted() -> None:
    """The message explains the accepted form, not only the fault."""
    with pytest.raises(ValidationError) as caught:
        parse_options("just one")
    assert "separated by `;`" in str(caught.value)


# --- question ------------------------------------------------------------------------------------


def test_question_is_trimmed() -> None:
    """Surrounding whitespace is removed."""
    assert validate_question("  Which pilot first?  ") == "Which pilot first?"


def test_question_of_300_characters_is_accepted() -> None:
    """The limit is inclusive."""
    assert validate_question("q" * 300) == "q" * 300


@pytest.mark.parametrize(("text", "fragment"), [("q" * 301, "301 characters"), ("   ", "empty")])
def test_bad_questions_are_refused(text: str, fragment: str) -> None:
    """An over-long or empty question raises a ValidationError."""
    with pytest.raises(ValidationError) as caught:
        validate_question(text)
    assert fragment in str(caught.value)


# --- closing time --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("1m", timedelta(minutes=1)),
        ("90d", timedelta(days=90)),
        ("1h30m", timedelta(minutes=90)),
    ],
)
def test_good_durations(text: str, expected: timedelta) -> None:
    """Durations from one minute to 90 days are read."""
    assert parse_closes_in(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0m", "too short"),
        ("30s", "too short"),
        ("91d", "too long"),
        ("13w", "too long"),
        ("soon", "not a duration"),
        ("", "not a duration"),
        ("5", "not a duration"),
    ],
)
def test_bad_durations_are_refused(text: str, fragment: str) -> None:
    """Out-of-range or unreadable durations raise a ValidationError that says what is accepted."""
    with pytest.raises(ValidationError) as caught:
        parse_closes_in(text)
    message = str(caught.value)
    assert fragment in message
    assert "90d" in message


# --- custom ids ----------------------------------------------------------------------------------


def test_custom_id_shape() -> None:
    """The documented form `polls:vote:<poll>:<option>`."""
    assert vote_custom_id(42, 3) == "polls:vote:42:3"


@given(poll_id=st.integers(min_value=0, max_value=2**63 - 1), option=st.integers(min_value=0, max_value=19))
def test_every_custom_id_fits_and_parses_back(poll_id: int, option: int) -> None:
    """Any poll id SQLite can produce and any option index give a short custom_id that round-trips."""
    custom_id = vote_custom_id(poll_id, option)
    assert len(custom_id) <= CUSTOM_ID_LIMIT
    assert parse_vote_custom_id(custom_id) == (poll_id, option)
    # The template a discord.ui.DynamicItem matches with must accept it too.
    import re

    match = re.fullmatch(VOTE_ID_PATTERN, custom_id)
    assert match is not None
    assert (int(match["poll"]), int(match["option"])) == (poll_id, option)


@pytest.mark.parametrize(("poll_id", "option"), [(-1, 0), (2**63, 0), (1, -1), (1, 20)])
def test_out_of_range_custom_ids_are_not_built(poll_id: int, option: int) -> None:
    """Ids that could not exist raise instead of producing an unparseable custom_id."""
    with pytest.raises(ValueError):
        vote_custom_id(poll_id, option)


@pytest.mark.parametrize(
    "custom_id",
    [
        "polls:vote:1",
        "polls:vote:1:2:3",
        "polls:vote:a:1",
        "polls:vote:1:20",
        "polls:vote:99999999999999999999:1",
        "polls:vote:9223372036854775808:1",
        "polls:close:1:1",
        " polls:vote:1:1",
        "polls:vote:١:1",
    ],
)
def test_foreign_custom_ids_are_rejected(custom_id: str) -> None:
    """Anything but a well-formed vote id raises ValueError."""
    with pytest.raises(ValueError):
        parse_vote_custom_id(custom_id)


# --- clicks --------------------------------------------------------------------------------------

OLD = DOUBLE_CLICK_WINDOW + 5.0
FRESH = DOUBLE_CLICK_WINDOW / 3


@pytest.mark.parametrize(
    ("current", "clicked", "multiple", "age", "action", "choices"),
    [
        # single choice
        (set(), 1, False, None, ClickAction.VOTED, {1}),
        ({0}, 1, False, None, ClickAction.MOVED, {1}),
        ({1}, 1, False, OLD, ClickAction.RETRACTED, set()),
        ({1}, 1, False, FRESH, ClickAction.UNCHANGED, {1}),
        ({1}, 1, False, 0.0, ClickAction.UNCHANGED, {1}),
        ({1}, 1, False, -0.2, ClickAction.UNCHANGED, {1}),
        ({1}, 1, False, DOUBLE_CLICK_WINDOW, ClickAction.RETRACTED, set()),
        ({1}, 1, False, None, ClickAction.RETRACTED, set()),
        ({0, 1}, 1, False, OLD, ClickAction.MOVED, {1}),
        # multiple choice
        (set(), 2, True, None, ClickAction.ADDED, {2}),
        ({0}, 2, True, None, ClickAction.ADDED, {0, 2}),
        ({0, 2}, 2, True, OLD, ClickAction.REMOVED, {0}),
        ({2}, 2, True, OLD, ClickAction.REMOVED, set()),
        ({0, 2}, 2, True, FRESH, ClickAction.UNCHANGED, {0, 2}),
    ],
)
def test_apply_click(
    current: set[int], clicked: int, multiple: bool, age: float | None, action: ClickAction, choices: set[int]
) -> None:
    """Each click gives the documented action and resulting choices."""
    outcome = apply_click(frozenset(current), clicked, multiple=multiple, same_option_age=age)
    assert outcome.action is action
    assert outcome.choices == frozenset(choices)
    assert outcome.previous == frozenset(current)
    assert outcome.added == frozenset(choices) - frozenset(current)
    assert outcome.removed == frozenset(current) - frozenset(choices)


@given(
    current=st.frozensets(st.integers(0, 19), max_size=20),
    clicked=st.integers(0, 19),
    age=st.none() | st.floats(min_value=-10, max_value=1e6),
)
def test_single_choice_never_holds_more_than_one_option(
    current: frozenset[int], clicked: int, age: float | None
) -> None:
    """Whatever came before, a single-choice click leaves at most one choice."""
    outcome = apply_click(current, clicked, multiple=False, same_option_age=age)
    if outcome.action is not ClickAction.UNCHANGED:
        assert len(outcome.choices) <= 1
    assert outcome.choices <= current | {clicked}


@given(
    current=st.frozensets(st.integers(0, 19), max_size=20),
    clicked=st.integers(0, 19),
    age=st.none() | st.floats(min_value=-10, max_value=1e6),
)
def test_multiple_choice_only_touches_the_clicked_option(
    current: frozenset[int], clicked: int, age: float | None
) -> None:
    """A multiple-choice click changes nothing but the clicked option."""
    outcome = apply_click(current, clicked, multiple=True, same_option_age=age)
    assert outcome.choices - {clicked} == current - {clicked}


# --- visible text and vote targets ---------------------------------------------------------------

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (f"Energy; {ZERO_WIDTH}; Mobility", "option 2 is empty or only invisible characters"),
        (f"{ZERO_WIDTH};{ZERO_WIDTH}", "option 1 is empty or only invisible characters"),
        ("Energy; \u200b \u200b", "option 2 is empty or only invisible characters"),
        ("Energy; \u202e\u200f", "option 2 is empty or only invisible characters"),
    ],
)
def test_options_of_invisible_characters_only_are_refused(text: str, fragment: str) -> None:
    """Zero-width, bidi and format characters alone are not an option anyone could read."""
    with pytest.raises(ValidationError, match=fragment):
        parse_options(text)


def test_options_differing_only_in_invisible_characters_are_the_same() -> None:
    """`Tram` and `Tram` with a zero-width space look alike, so they are refused as duplicates."""
    with pytest.raises(ValidationError, match="the same"):
        parse_options("Tram; Tra\u200bm; Bus")
    assert parse_options("Tram\u200b; Bus") == ["Tram\u200b", "Bus"], "visible text is kept as typed"


def test_a_question_of_invisible_characters_only_is_refused() -> None:
    """A question that shows nothing is refused with the shared wording."""
    with pytest.raises(ValidationError, match="question is empty or only invisible characters"):
        validate_question(f" {ZERO_WIDTH} ")


@pytest.mark.parametrize(
    ("poll_id", "option", "ok"),
    [(0, 0, True), (2**63 - 1, 19, True), (-1, 0, False), (2**63, 0, False), (1, 20, False), (1, -1, False)],
)
def test_vote_targets_in_range(poll_id: int, option: int, ok: bool) -> None:
    """Only poll ids SQLite can hold and option indexes a poll can have reach the database."""
    assert vote_target_in_range(poll_id, option) is ok
