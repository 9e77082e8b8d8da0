"""Pure poll rules: reading `/poll create` input, vote button custom_ids and what a click does.

Refusals are ValidationErrors carrying English msgids and their parameters; the error handler says
them in the member's language.

The vote button custom_id (`polls:vote:<poll>:<option>`) is a public contract: VoteButton builds it
through the shared component layer, and the functions here state and parse it (tests check that both
agree, so messages posted long ago keep voting).

The click rules themselves live in storage.poll_clicks (the repository applies them inside its write
transaction, and storage never imports Discord); they are re-exported here for the cog.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.durations import parse_duration
from bot.errors import ValidationError
from bot.i18n import N_, Msg
from bot.replies import quote_input
from bot.text import has_visible_text, require_visible, visible_length
from storage.polls import (
    DOUBLE_CLICK_WINDOW,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    MAX_QUESTION_LENGTH,
    MIN_OPTIONS,
    ClickAction,
    ClickOutcome,
    apply_click,
)

__all__ = [
    "CUSTOM_ID_LIMIT",
    "DOUBLE_CLICK_WINDOW",
    "MAX_CLOSES_IN",
    "MAX_OPTIONS",
    "MAX_OPTION_LENGTH",
    "MAX_QUESTION_LENGTH",
    "MIN_CLOSES_IN",
    "MIN_OPTIONS",
    "OPTION_SEPARATOR",
    "VOTE_ID_PATTERN",
    "ClickAction",
    "ClickOutcome",
    "apply_click",
    "parse_closes_in",
    "parse_options",
    "parse_vote_custom_id",
    "validate_question",
    "vote_custom_id",
    "vote_target_in_range",
]

OPTION_SEPARATOR = ";"
MIN_CLOSES_IN = timedelta(minutes=1)
MAX_CLOSES_IN = timedelta(days=90)
CUSTOM_ID_LIMIT = 100
# SQLite row ids are signed 64-bit, so a poll id has at most 19 digits; an option index at most 2.
_MAX_POLL_ID = 2**63 - 1
VOTE_ID_PREFIX = "polls:vote:"
VOTE_ID_PATTERN = r"polls:vote:(?P<poll>[0-9]{1,19}):(?P<option>[0-9]{1,2})"
_VOTE_ID = re.compile(VOTE_ID_PATTERN)
_WHITESPACE = re.compile(r"\s+")
# Said after a refusal of the options or the duration; `;`, `Energy; ...` and `90m` are what a
# moderator types, so they stay as they are in every language.
ACCEPTED_OPTIONS = N_(
    "Write {min} to {max} different options separated by `;`, each 1 to {length} characters, "
    "e.g. `Energy; Mobility; Buildings`."
)
QUESTION_TOO_LONG = N_("The question is {length} characters long; the limit is {limit}.")
ACCEPTED_DURATIONS = N_(
    "Use a number and a unit: 30s, 90m, 2h, 3d, 1w (combinations such as 1h30m allowed), from 1m up to 90d."
)


def _normalise(text: str) -> str:
    """Trim and collapse runs of whitespace (including newlines) to single spaces."""
    return _WHITESPACE.sub(" ", text).strip()


def _accepted_options() -> Msg:
    """What /poll create accepts as options, said after every refusal of them."""
    return Msg(ACCEPTED_OPTIONS, min=MIN_OPTIONS, max=MAX_OPTIONS, length=MAX_OPTION_LENGTH)


def parse_options(text: str) -> list[str]:
    """Split `;`-separated options into 2 to 20 trimmed, non-empty, unique labels of at most 80 characters.

    A single trailing separator (`Yes; No;`) is allowed; uniqueness ignores case.
    """
    parts = [_normalise(part) for part in text.split(OPTION_SEPARATOR)]
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    accepted = _accepted_options()
    if len(parts) == 1 and parts[0] == "":
        raise ValidationError("The poll has no options. {accepted}", accepted=accepted)
    # The whole input passes the shared visible-text check; each option then gets the same check
    # with its position, which the shared refusal cannot name.
    require_visible(text, N_("list of options"))
    for position, part in enumerate(parts, start=1):
        if not part:
            raise ValidationError(
                "Option {position} is empty (two `;` in a row?). {accepted}",
                position=position,
                accepted=accepted,
            )
        if not has_visible_text(part):
            # The same words as bot.text.require_visible, with the option's position.
            raise ValidationError(
                "Nothing was saved: option {position} is empty or only invisible characters. Type some text.",
                position=position,
            )
    if len(parts) < MIN_OPTIONS:
        raise ValidationError(
            "A poll needs at least {min} options; got only {option}. {accepted}",
            min=MIN_OPTIONS,
            option=quote_input(parts[0]),
            accepted=accepted,
        )
    if len(parts) > MAX_OPTIONS:
        raise ValidationError(
            "A poll has at most {max} options; got {count}. {accepted}",
            max=MAX_OPTIONS,
            count=len(parts),
            accepted=accepted,
        )
    seen: dict[str, int] = {}
    for position, part in enumerate(parts, start=1):
        if len(part) > MAX_OPTION_LENGTH:
            raise ValidationError(
                "Option {position} ({option}) is {length} characters long; "
                "the limit is {limit} (Discord's button label limit).",
                position=position,
                option=quote_input(part),
                length=len(part),
                limit=MAX_OPTION_LENGTH,
            )
        # Invisible characters do not make two options different to a reader.
        folded = "".join(char for char in part if visible_length(char)).casefold()
        if folded in seen:
            raise ValidationError(
                "Options {first} and {second} are the same ({option}); "
                "options must differ (ignoring upper and lower case).",
                first=seen[folded],
                second=position,
                option=quote_input(part),
            )
        seen[folded] = position
    return parts


def validate_question(text: str) -> str:
    """Return the trimmed question, which must be 1 to 300 characters and show something."""
    question = text.strip()
    if not question:
        raise ValidationError(
            "The question is empty; write 1 to {limit} characters.", limit=MAX_QUESTION_LENGTH
        )
    return require_visible(
        question, N_("question"), max_length=MAX_QUESTION_LENGTH, too_long=QUESTION_TOO_LONG
    )


def parse_closes_in(text: str) -> timedelta:
    """Read how long a poll stays open (`90m`, `2h`, `3d`): at least one minute, at most 90 days."""
    accepted = Msg(ACCEPTED_DURATIONS)
    typed = quote_input(text)
    try:
        delta = parse_duration(text)
    except ValueError:
        raise ValidationError(
            "{typed} is not a duration. {accepted}", typed=typed, accepted=accepted
        ) from None
    if delta < MIN_CLOSES_IN:
        raise ValidationError(
            "{typed} is too short: a poll stays open at least 1 minute. {accepted}",
            typed=typed,
            accepted=accepted,
        )
    if delta > MAX_CLOSES_IN:
        raise ValidationError(
            "{typed} is too long: a poll stays open at most 90 days. {accepted}",
            typed=typed,
            accepted=accepted,
        )
    return delta


def vote_custom_id(poll_id: int, option_index: int) -> str:
    """The custom_id of the vote button for one option of a poll: `polls:vote:<poll_id>:<option_index>`."""
    if not 0 <= poll_id <= _MAX_POLL_ID:
        raise ValueError(f"poll id out of range: {poll_id}")
    if not 0 <= option_index < MAX_OPTIONS:
        raise ValueError(f"option index out of range: {option_index}")
    custom_id = f"{VOTE_ID_PREFIX}{poll_id}:{option_index}"
    assert len(custom_id) <= CUSTOM_ID_LIMIT
    return custom_id


def parse_vote_custom_id(custom_id: str) -> tuple[int, int]:
    """Read `(poll_id, option_index)` back from a vote button's custom_id; ValueError if it is not one."""
    match = _VOTE_ID.fullmatch(custom_id)
    if match is None:
        raise ValueError(f"not a poll vote custom_id: {custom_id[:CUSTOM_ID_LIMIT]!r}")
    poll_id, option_index = int(match["poll"]), int(match["option"])
    if poll_id > _MAX_POLL_ID or option_index >= MAX_OPTIONS:
        raise ValueError(f"poll vote custom_id out of range: {custom_id!r}")
    return poll_id, option_index


def vote_target_in_range(poll_id: int, option_index: int) -> bool:
    """Whether a clicked custom_id names a poll id SQLite can hold and an option a poll can have."""
    return 0 <= poll_id <= _MAX_POLL_ID and 0 <= option_index < MAX_OPTIONS
