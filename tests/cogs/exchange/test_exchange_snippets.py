"""Safe rendering of member text and search snippets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cogs.exchange.rules import clean_text, escape_markdown, render_snippet, thread_link
from storage.exchange import HIGHLIGHT_END as E
from storage.exchange import HIGHLIGHT_START as S


def test_highlights_become_bold_and_markup_is_escaped() -> None:
    raw = f"We put *shared* {S}composting{E} bins\nin @everyone's yard…"
    out = render_snippet(raw)
    assert "**composting**" in out
    assert "\\*shared\\*" in out
    assert "@\u200beveryone" in out
    assert "\n" not in out


def test_snippets_are_clipped() -> None:
    out = render_snippet("word " * 200, limit=50)
    assert len(out) <= 52 and out.endswith("…")


def test_clean_text_drops_controls_but_keeps_lines() -> None:
    assert clean_text(f" a{S}b{E}\x00c\nd\te ") == "abc\nd\te"


def test_escape_markdown_neutralises_mentions() -> None:
    assert "<@" not in escape_markdown("<@123> and <@&456>")


def test_thread_link() -> None:
    assert thread_link(1, 2) == "https://discord.com/channels/1/2"


@given(st.text(max_size=200))
def test_rendered_snippets_never_contain_markers_or_live_mentions(text: str) -> None:
    out = render_snippet(clean_text(text) + f" {S}x{E}")
    assert S not in out and E not in out
    assert "@everyone" not in out and "@here" not in out
