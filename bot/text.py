"""The one check every free-text input passes: is there anything a reader would see?"""

from __future__ import annotations

import unicodedata

from bot.errors import ValidationError
from bot.i18n import N_, Msg

# Categories that render as nothing: separators (Z*), controls and format characters such as
# zero-width spaces and bidi marks (C*), and combining marks standing alone (M*).
_INVISIBLE = frozenset("ZCM")
# Translators: {field} is what was typed into, e.g. "title"; {length} and {limit} count characters.
TOO_LONG = N_("The {field} is {length} characters long; Discord allows at most {limit}.")


def visible_length(text: str) -> int:
    """Count the characters of text that a reader would see."""
    return sum(1 for char in text if unicodedata.category(char)[0] not in _INVISIBLE)


def has_visible_text(text: str | None) -> bool:
    """Tell whether text shows anything once whitespace, zero-width and format characters are gone."""
    return bool(text) and visible_length(text or "") > 0


def require_visible(
    text: str | None,
    field: str,
    *,
    minimum: int = 1,
    max_length: int | None = None,
    too_long: str = TOO_LONG,
) -> str:
    """Return text stripped of surrounding whitespace, or refuse it when it shows (almost) nothing.

    `field` names the input in English, marked for translation: `require_visible(title, N_("title"))`.
    Text longer than `max_length` is refused with `too_long`, a msgid marked with N_ that may use
    {field}, {length} and {limit}.
    """
    stripped = (text or "").strip()
    if visible_length(stripped) < minimum:
        if minimum <= 1:
            raise ValidationError(
                "Nothing was saved: the {field} is empty or only invisible characters. Type some text.",
                field=Msg(field),
            )
        raise ValidationError(
            "Nothing was saved: the {field} needs at least {minimum} visible characters.",
            field=Msg(field),
            minimum=minimum,
        )
    if max_length is not None and len(stripped) > max_length:
        raise ValidationError(too_long, field=Msg(field), length=len(stripped), limit=max_length)
    return stripped


def optional_visible(
    text: str | None, field: str, *, max_length: int | None = None, too_long: str = TOO_LONG
) -> str | None:
    """Return None for an empty optional field, else the text, refusing invisible-only or too long input."""
    # str.strip() removes spaces and newlines but not zero-width characters, which are refused.
    if text is None or not text.strip():
        return None
    return require_visible(text, field, max_length=max_length, too_long=too_long)
