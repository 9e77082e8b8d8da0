"""Small helpers for answering interactions safely."""

from __future__ import annotations

import logging

import discord

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
