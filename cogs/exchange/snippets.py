"""Rendering member text and search snippets as safe Discord markdown."""

from __future__ import annotations

import re
import unicodedata

from storage.exchange import HIGHLIGHT_END, HIGHLIGHT_START

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
