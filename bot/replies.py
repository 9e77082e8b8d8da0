"""Small helpers for answering interactions safely."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import timedelta

import discord

from bot.durations import describe_offset
from bot.i18n import N_, Lang

log = logging.getLogger(__name__)

# Discord refuses message content over 2,000 characters.
CONTENT_LIMIT = 2000


def clip(text: str, limit: int = CONTENT_LIMIT) -> str:
    """Shorten text to Discord's limit, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote_input(text: str, limit: int = 60) -> str:
    """Render member input for echoing back: shortened, in code style, unable to ping or break markup."""
    short = clip(text, limit)
    # A zero-width space after @ keeps mentions inert even if allowed_mentions were widened.
    return "`" + short.replace("`", "'").replace("@", "@\u200b") + "`"


MORE = N_("… and {n} more")


def fit_lines(lines: Sequence[str], limit: int, sep: str = "\n", *, more: str = MORE) -> str:
    """Join as many whole lines as fit in limit characters, ending with how many were left out.

    `more` is already translated (e.g. `t._(MORE)`); its `{n}` is filled in here.
    """
    whole = sep.join(lines)
    if len(whole) <= limit:
        return whole
    room = limit - len(sep) - len(more.format(n=len(lines)))
    kept: list[str] = []
    used = -len(sep)
    for line in lines:
        if used + len(sep) + len(line) > room:
            break
        kept.append(line)
        used += len(sep) + len(line)
    if not kept:
        # Even the first line is too long: show its start rather than nothing.
        kept.append(clip(lines[0], limit if len(lines) == 1 else max(room, 1)))
    left = len(lines) - len(kept)
    return sep.join([*kept, more.format(n=left)] if left else kept)


def stable_nonce(*parts: object) -> str:
    """Return a message nonce (at most 25 characters) that is always the same for the same item.

    discord.py sends it with enforce_nonce, so a request it retries after a 5xx cannot post twice.
    """
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return str(int.from_bytes(digest[:8], "big") >> 1)


# A recovery notice holds two lists; each gets this much so the notice fits one message.
NOTICE_SECTION_LIMIT = 850


MISSED_WHILE_OFFLINE = N_("While I was offline these came due more than {grace} ago and were **not sent**:")
MAYBE_NOT_SENT = N_(
    "I stopped while sending these; they **may not have been sent** (check, and resend if needed):"
)


def recovery_notice(
    t: Lang,
    missed: Sequence[str],
    uncertain: Sequence[str],
    grace: timedelta,
    *,
    missed_text: str = MISSED_WHILE_OFFLINE,
    uncertain_text: str = MAYBE_NOT_SENT,
    heading: str = "",
) -> str:
    """Tell moderators, in language t, what was missed or may not have gone out while the bot was down.

    `missed_text` and `uncertain_text` are English msgids (marked with N_); `{grace}` is filled in.
    """
    parts = []
    more = t._(MORE)
    if missed:
        intro = t._(missed_text, grace=describe_offset(grace, t))
        parts.append(
            f"{heading}{intro}\n" + fit_lines([f"- {x}" for x in missed], NOTICE_SECTION_LIMIT, more=more)
        )
    if uncertain:
        intro = t._(uncertain_text, grace=describe_offset(grace, t))
        parts.append(
            f"{heading}{intro}\n" + fit_lines([f"- {x}" for x in uncertain], NOTICE_SECTION_LIMIT, more=more)
        )
    return clip("\n".join(parts))


async def send_ephemeral(interaction: discord.Interaction, content: str) -> None:
    """Answer privately, whether or not the interaction was already acknowledged."""
    content = clip(content)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True)
        else:
            await interaction.response.send_message(content, ephemeral=True)
    except discord.HTTPException:
        # The interaction may have expired; there is nobody left to tell but the log.
        log.warning("could not deliver an ephemeral reply for interaction %s", interaction.id)
