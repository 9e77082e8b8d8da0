"""Pure rules of mutual learning: member text and search snippets, city lists, titles, check-in dates.

Nothing here talks to Discord or the database, so the tests call these functions directly.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.errors import ValidationError
from bot.i18n import N_, SUPPORTED, Lang, Msg, native_name, normalise_language
from bot.replies import CONTENT_LIMIT, quote_input
from bot.scheduling import Misfire, misfire_decision
from bot.text import require_visible
from storage.cities import City
from storage.exchange import HIGHLIGHT_END, HIGHLIGHT_START

CHECKIN_PERIOD = timedelta(weeks=4)
# The value of /profile set language that clears a member's choice (replies follow Discord's language).
AUTOMATIC_LANGUAGE = "auto"
# Discord shows at most this many autocomplete choices.
MAX_CHOICES = 25
# A forum post's name holds at most this many characters.
THREAD_NAME_LIMIT = 100

_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]])")
_ALLOWED_CONTROLS = {"\n", "\t"}


def clean_text(text: str) -> str:
    """Drop control characters (except newlines and tabs) from member text before it is stored."""
    return "".join(
        ch for ch in text if ch in _ALLOWED_CONTROLS or not unicodedata.category(ch).startswith("C")
    ).strip()


def escape_markdown(text: str) -> str:
    """Escape markdown and make mentions inert, so text shows literally wherever it is rendered."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    # A zero-width space after @ stops both user-style pings and @everyone.
    return escaped.replace("@", "@\u200b").replace("<", "<\u200b")


def bold(text: str) -> str:
    """Member or register text in bold, shown literally (a parameter of a translated sentence)."""
    return f"**{escape_markdown(text)}**"


def mention(kind: str, snowflake: int) -> str:
    """A Discord mention: kind "#" a channel, "@&" a role, "@" a member."""
    return f"<{kind}{snowflake}>"


def render_snippet(raw: str, *, limit: int = 300) -> str:
    """Turn an FTS5 snippet with highlight markers into one line of markdown with bold highlights."""
    flat = " ".join(raw.split())
    pieces: list[str] = []
    used = 0
    bold = False
    for part in re.split(f"([{HIGHLIGHT_START}{HIGHLIGHT_END}])", flat):
        if part == HIGHLIGHT_START:
            bold = True
            continue
        if part == HIGHLIGHT_END:
            bold = False
            continue
        if not part:
            continue
        room = limit - used
        if room <= 0:
            break
        text = part if len(part) <= room else part[: room - 1] + "…"
        used += len(text)
        pieces.append(f"**{escape_markdown(text)}**" if bold else escape_markdown(text))
    return "".join(pieces)


def thread_link(guild_id: int, thread_id: int) -> str:
    """Return the web link to a thread (a forum post)."""
    return f"https://discord.com/channels/{guild_id}/{thread_id}"


def question_title(text: str) -> str:
    """Return an exchange's title on one line, refusing invisible or over-long titles."""
    title = " ".join(clean_text(require_visible(text, N_("title"))).split())
    if not title or len(title) > THREAD_NAME_LIMIT:
        raise ValidationError(
            "The title must have 1 to {limit} characters (a forum post's name); yours has {length}.",
            limit=THREAD_NAME_LIMIT,
            length=len(title),
        )
    return title


@dataclass(frozen=True)
class Draft:
    """A checked question about to be posted: what its exchange record will hold."""

    guild_id: int
    forum_id: int
    author_id: int
    from_city_id: int | None
    title: str
    question: str
    theme: str
    asked: list[City]


def check_post_length(content: str, question: str) -> None:
    """Refuse a question whose post (header, question, footer) would not fit one message."""
    if len(content) > CONTENT_LIMIT:
        room = CONTENT_LIMIT - (len(content) - len(question))
        raise ValidationError(
            "Your question has {length} characters; with the line naming you and the cities, this post "
            "can hold {room}. Shorten it by {excess} characters.",
            length=len(question),
            room=room,
            excess=len(question) - room,
        )


def member_text(text: str | None, field: str) -> str:
    """Return required member text cleaned for storage, refusing text a reader would not see.

    `field` names the input in English, marked with N_ by the caller.
    """
    return clean_text(require_visible(text, field))


def check_city_count(names: list[str], limit: int) -> None:
    """Refuse a question naming more cities (each a role to ping) than one question may ask."""
    if len(names) > limit:
        raise ValidationError(
            "One question can ask at most {limit} cities (you named {named}), so it pings at most "
            "{limit} city roles. Nothing was posted: name fewer cities, or leave `cities` empty to ask "
            "every city without pinging anyone.",
            limit=limit,
            named=len(names),
        )


def unknown_city_message(typed: str, suggestions: list[str]) -> Msg:
    """Explain that a city is not registered, suggesting the closest registered names."""
    if suggestions:
        return Msg(
            "No city called {typed} is registered here. Did you mean {suggestions}? See `/city list`; "
            "moderators register cities with `/city add`.",
            typed=quote_input(typed),
            suggestions=", ".join(f"**{name}**" for name in suggestions),
        )
    return Msg(
        "No city called {typed} is registered here. See `/city list`; moderators register cities with "
        "`/city add`.",
        typed=quote_input(typed),
    )


def asker_text(author_id: int, erased_author: int) -> Msg | str:
    """Name who asked an exchange, for a refusal (an erased asker is not named)."""
    if author_id == erased_author:
        # Translators: stands for the asker in "Only the person who asked ({asker}) ... can resolve".
        return Msg("a member who has since erased their data")
    return f"<@{author_id}>"


def next_occurrence(due: datetime, now: datetime, period: timedelta = CHECKIN_PERIOD) -> tuple[datetime, int]:
    """Return the first time due + k*period (k >= 1) after now, and k."""
    if period <= timedelta(0):
        raise ValueError("the period must be positive")
    steps = max(1, math.floor((now - due) / period) + 1)
    following = due + steps * period
    # Guards the float division at exact multiples.
    while following <= now:
        steps += 1
        following += period
    return following, steps


@dataclass(frozen=True)
class CheckinPlan:
    """What to do with a twinning's pending check-in when the bot starts."""

    decision: Misfire
    run_at: datetime  # when to run the check-in job
    missed: int  # check-ins to record as missed first (only for MISSED)
    skip_to: datetime | None  # the new due time after skipping missed ones (only for MISSED)


def plan_checkin(
    due: datetime, now: datetime, grace: timedelta, period: timedelta = CHECKIN_PERIOD
) -> CheckinPlan:
    """Apply the misfire rule: schedule it, run it now (late within grace), or skip the missed ones."""
    decision = misfire_decision(due, now, grace)
    if decision is Misfire.SCHEDULE:
        return CheckinPlan(decision, due, 0, None)
    if decision is Misfire.RUN_NOW:
        return CheckinPlan(decision, now, 0, None)
    following, steps = next_occurrence(due, now, period)
    return CheckinPlan(decision, following, steps, following)


def _fold_name(text: str) -> str:
    """Compare language names without case or accents."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def resolve_language(typed: str) -> str:
    """Return the language code for a code or a name (own or English), AUTOMATIC_LANGUAGE, or refuse."""
    folded = _fold_name(typed)
    if folded in (AUTOMATIC_LANGUAGE, "automatic"):
        return AUTOMATIC_LANGUAGE
    code = normalise_language(typed)
    if code is not None:
        return code
    for known, english in SUPPORTED.items():
        if folded in (_fold_name(native_name(known)), _fold_name(english)):
            return known
    raise ValidationError(
        "{typed} is not a language I speak. Pick one from the list that opens as you type in the "
        "`language` option, or give its code: {codes}. `auto` makes me follow your Discord language again.",
        typed=quote_input(typed),
        codes=", ".join(sorted(SUPPORTED)),
    )


def language_choices(current: str, automatic: str, t: Lang) -> list[tuple[str, str]]:
    """(name, value) autocomplete choices: automatic, then the languages by their own names.

    A language matches when what was typed is in its own name, its English name, its name in the
    member's language t, or starts its code; the exact code and names starting with it come first.
    With nothing typed, the member's current language comes right after automatic, so it is offered
    even though the list is cut to Discord's 25 choices.
    """
    typed = _fold_name(current)
    choices: list[tuple[str, str]] = []
    if not typed or typed in _fold_name(automatic) or AUTOMATIC_LANGUAGE.startswith(typed):
        choices.append((automatic, AUTOMATIC_LANGUAGE))
    ranked: list[tuple[tuple[bool, bool, bool, str], str]] = []
    for code in SUPPORTED:
        names = [_fold_name(name) for name in (native_name(code), SUPPORTED[code], t.language_name(code))]
        if typed and not code.startswith(typed) and not any(typed in name for name in names):
            continue
        starts = any(name.startswith(typed) for name in names)
        ranked.append(((code != typed, not starts, code != t.code, names[0]), code))
    choices += [(native_name(code), code) for _, code in sorted(ranked)]
    return choices[:MAX_CHOICES]
