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
from bot.replies import CONTENT_LIMIT, quote_input
from bot.scheduling import Misfire, misfire_decision
from bot.text import require_visible
from storage.cities import City
from storage.exchange import HIGHLIGHT_END, HIGHLIGHT_START

CHECKIN_PERIOD = timedelta(weeks=4)
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
    title = " ".join(clean_text(require_visible(text, "title")).split())
    if not title or len(title) > THREAD_NAME_LIMIT:
        raise ValidationError(
            f"The title must have 1 to {THREAD_NAME_LIMIT} characters (a forum post's name); "
            f"yours has {len(title)}."
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
            f"Your question has {len(question)} characters; with the line naming you and the cities, "
            f"this post can hold {room}. Shorten it by {len(question) - room} characters."
        )


def member_text(text: str | None, field: str) -> str:
    """Return required member text cleaned for storage, refusing text a reader would not see."""
    return clean_text(require_visible(text, field))


def check_city_count(names: list[str], limit: int) -> None:
    """Refuse a question naming more cities (each a role to ping) than one question may ask."""
    if len(names) > limit:
        raise ValidationError(
            f"One question can ask at most {limit} cities (you named {len(names)}), so it pings at most "
            f"{limit} city roles. Nothing was posted: name fewer cities, or leave `cities` empty to ask "
            "every city without pinging anyone."
        )


def unknown_city_message(typed: str, suggestions: list[str]) -> str:
    """Explain that a city is not registered, suggesting the closest registered names."""
    text = f"No city called {quote_input(typed)} is registered here."
    if suggestions:
        text += " Did you mean " + " or ".join(f"**{name}**" for name in suggestions) + "?"
    return text + " See `/city list`; moderators register cities with `/city add`."


def asker_text(author_id: int, erased_author: int) -> str:
    """Name who asked an exchange, for a refusal (an erased asker is not named)."""
    if author_id == erased_author:
        return "a member who has since erased their data"
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
