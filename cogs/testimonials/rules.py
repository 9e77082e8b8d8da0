"""Pure rules for what members and moderators type (stories, cities, reasons, campaigns) and for limits.

Every free-text input first passes bot.text.require_visible: text that is empty once whitespace,
zero-width and format characters are removed is refused with the shared wording, and nothing is stored.

Text is cleaned before it is checked or stored:
- Unicode NFC; Windows line ends become `\n`; other control characters are dropped.
- Invisible characters that can hide or disguise text are dropped: zero-width space, word joiner,
  byte-order mark, and the bidirectional embedding, override and isolate controls (U+202A-U+202E,
  U+2066-U+2069). Right-to-left scripts themselves, the LRM/RLM marks and the zero-width (non-)joiners
  that emoji and Persian need are kept.
- "Zalgo": at most MAX_COMBINING combining marks follow one character; the rest are dropped.
Lengths are then counted on the cleaned text, and a story needs STORY_MIN visible characters
(letters, digits, symbols, punctuation: not spaces, marks or format characters).
"""

from __future__ import annotations

import re
import unicodedata

from bot.errors import ValidationError
from bot.i18n import N_, Msg
from bot.target_groups import TARGET_GROUPS
from bot.text import require_visible

STORY_MIN = 20
STORY_MAX = 4000
CITY_MAX = 100
CAMPAIGN_NAME_MAX = 50
PROMPT_MAX = 1000
REASON_MIN = 3
REASON_MAX = 500
MAX_COMBINING = 4

_DROPPED = frozenset(
    "\u200b\u2060\ufeff\u180e" + "".join(chr(c) for c in range(0x202A, 0x202F)) + "\u2066\u2067\u2068\u2069"
)
_KEPT_CONTROLS = frozenset("\n\t")
_BLANK_LINES = re.compile(r"\n{3,}")


class SubmissionError(ValidationError):
    """The form's content is not acceptable; the message says what is accepted."""


def clean_text(text: str) -> str:
    """Normalise text, drop hidden and control characters, cap stacked combining marks, trim."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    out: list[str] = []
    marks = 0
    for char in text:
        category = unicodedata.category(char)
        if char in _DROPPED or (category == "Cc" and char not in _KEPT_CONTROLS):
            continue
        if category in ("Mn", "Me"):
            marks += 1
            if marks > MAX_COMBINING:
                continue
        else:
            marks = 0
        out.append(char)
    return _BLANK_LINES.sub("\n\n", "".join(out)).strip()


def visible_length(text: str) -> int:
    """Count the characters a reader sees as content (not spaces, combining marks or format characters)."""
    return sum(1 for char in text if unicodedata.category(char)[0] not in "ZCM")


def check_story(raw: str) -> str:
    """Return the cleaned story, or raise SubmissionError saying what length is accepted."""
    story = clean_text(require_visible(raw, N_("story")))
    if visible_length(story) < STORY_MIN:
        raise SubmissionError(
            Msg(
                "Your story is too short: it needs at least {minimum} visible characters "
                "(invisible and decorative characters do not count).",
                minimum=STORY_MIN,
            )
        )
    if len(story) > STORY_MAX:
        raise SubmissionError(Msg("Your story is too long: at most {limit} characters.", limit=STORY_MAX))
    return story


def check_city(raw: str) -> str:
    """Return the cleaned one-line city, or raise SubmissionError."""
    city = " ".join(clean_text(require_visible(raw, N_("city"))).split())
    if visible_length(city) < 1:
        raise SubmissionError(Msg("Please name your city (1 to {limit} characters).", limit=CITY_MAX))
    if len(city) > CITY_MAX:
        raise SubmissionError(Msg("The city name is too long: at most {limit} characters.", limit=CITY_MAX))
    return city


def check_target_group(value: str | None) -> str:
    """Return the target group key, or raise SubmissionError listing the accepted ones."""
    if value not in TARGET_GROUPS:
        raise SubmissionError(Msg("Choose who you are: one of {groups}.", groups=", ".join(TARGET_GROUPS)))
    return value


def check_campaign_name(raw: str) -> str:
    """Return the cleaned one-line campaign name, or raise ValidationError."""
    name = " ".join(clean_text(require_visible(raw, N_("campaign name"))).split())
    if visible_length(name) < 1 or len(name) > CAMPAIGN_NAME_MAX:
        raise ValidationError(
            "A campaign name needs 1 to {limit} visible characters.", limit=CAMPAIGN_NAME_MAX
        )
    return name


def check_prompt(raw: str) -> str:
    """Return the cleaned campaign prompt, or raise ValidationError."""
    prompt = clean_text(require_visible(raw, N_("prompt")))
    if visible_length(prompt) < 1 or len(prompt) > PROMPT_MAX:
        raise ValidationError("The prompt needs 1 to {limit} visible characters.", limit=PROMPT_MAX)
    return prompt


def check_reason(raw: str) -> str:
    """Return a moderator's one-paragraph reason for a rejection, or raise ValidationError."""
    reason = " ".join(clean_text(require_visible(raw, N_("reason"))).split())
    if visible_length(reason) < REASON_MIN:
        raise ValidationError(
            "Nothing was saved: the reason needs at least {minimum} visible characters.", minimum=REASON_MIN
        )
    return reason[:REASON_MAX]


def photo_fits(used_bytes: int, size: int, budget_bytes: int) -> bool:
    """Whether one more held photo of `size` bytes keeps all held photos within the budget."""
    return used_bytes + size <= budget_bytes
