"""What exchange posts, lists and lessons look like."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import ENGLISH
from bot.replies import fit_lines
from cogs.exchange.render import (
    AskedCity,
    city_embed,
    city_line,
    exchange_line,
    lesson_embed,
    post_content,
    search_embed,
)
from storage.cities import City
from storage.exchange import HIGHLIGHT_END, HIGHLIGHT_START, CityActivity, Exchange, Lesson, SearchHit


def _exchange(**changes: object) -> Exchange:
    """An exchange record with defaults."""
    values: dict = dict(
        id=3,
        guild_id=1,
        forum_id=2,
        thread_id=40,
        author_id=5,
        from_city_id=None,
        title="Bins *now*",
        question="q",
        theme="waste-circularity",
        status="open",
        created_at="2026-01-01T00:00:00+00:00",
        resolved_at=None,
        resolved_by=None,
    )
    values.update(changes)
    return Exchange(**values)


def test_post_names_asker_home_city_roles_and_theme() -> None:
    text = post_content(
        ENGLISH, "How?", 5, "Valencia", [AskedCity("Lyon", 9), AskedCity("Riga", None)], "energy"
    )
    assert text.startswith("**Question from** <@5> (Valencia) **to** <@&9>, **Riga** · **Theme:** Energy")
    assert "\n\nHow?\n\n" in text and "/exchange resolve" in text
    assert "**to** every city" in post_content(ENGLISH, "How?", 5, None, [], "energy")


def test_list_lines_link_and_escape() -> None:
    line = exchange_line(ENGLISH, _exchange())
    assert "[Bins \\*now\\*](https://discord.com/channels/1/40)" in line
    assert "Waste and circularity" in line and "open" in line and "<t:1767225600:R>" in line
    city = City(1, 1, "Lyon", "FR", True, None, "2026-01-01T00:00:00+00:00")
    assert city_line(ENGLISH, city, 1) == "**Lyon** · France (FR) · 🇪🇺 mission city · 1 member"


def test_lesson_embed_skips_empty_fields() -> None:
    lesson = Lesson(1, 3, "Caddies", "", "", 5, "2026-01-02T00:00:00+00:00")
    embed = lesson_embed(ENGLISH, _exchange(), lesson)
    assert [f.name for f in embed.fields] == ["What worked"]
    assert embed.title == "Lesson learned: Bins *now*"


def test_search_embed_shows_kind_and_highlight() -> None:
    hit = SearchHit(_exchange(status="resolved"), f"free {HIGHLIGHT_START}caddies{HIGHLIGHT_END}", -1.0, True)
    embed = search_embed(ENGLISH, "caddies", [hit])
    assert embed.description is not None
    assert "· lesson" in embed.description and "> free **caddies**" in embed.description


def test_fit_lines_keeps_whole_lines_and_counts_the_rest() -> None:
    assert fit_lines(["a", "b"], 10) == "a\nb"
    assert fit_lines(["x" * 6, "y" * 6, "z" * 6], 20) == "x" * 6 + "\n" + "y" * 6 + "\n" + "z" * 6
    assert fit_lines(["x" * 6, "y" * 6, "z" * 6], 19) == "x" * 6 + "\n… and 2 more"
    assert fit_lines(["x" * 50], 10) == "x" * 9 + "…"
    assert fit_lines([], 10) == ""


@given(st.lists(st.text(min_size=1, max_size=300), max_size=40), st.integers(30, 2000))
def test_fit_lines_never_exceeds_the_limit(lines: list[str], limit: int) -> None:
    text = fit_lines(lines, limit)
    assert len(text) <= limit
    if text != "\n".join(lines) and len(lines) > 1 and all("\n" not in line for line in lines):
        *kept, note = text.split("\n")
        assert note == f"… and {len(lines) - len(kept)} more"
        assert kept == lines[: len(kept)] or (len(kept) == 1 and kept[0].endswith("…"))


def test_long_titles_and_snippets_stay_within_embed_limits_as_whole_entries() -> None:
    title = "[]" * 50  # every character is escaped: 200 characters shown
    exchanges = [_exchange(id=i, thread_id=10**18 + i, title=title) for i in range(8)]
    hits = [SearchHit(e, f"{HIGHLIGHT_START}{'w' * 400}{HIGHLIGHT_END}", -1.0, True) for e in exchanges]
    embed = search_embed(ENGLISH, "x" * 200, hits)
    assert embed.description is not None and len(embed.description) <= 4096
    assert len(embed) <= 6000 and embed.description.endswith("more")
    assert all(entry.startswith("**[") for entry in embed.description.split("\n\n")[:-1])
    city = City(1, 1, "L" * 60, "FR", True, 9, "2026-01-01T00:00:00+00:00")
    activity = CityActivity(5, 0, 0, exchanges[:5])
    embed = city_embed(
        ENGLISH, city, list(range(10**17, 10**17 + 200)), activity, [("R" * 60, "https://x/1")] * 40
    )
    assert len(embed) <= 6000 and all(len(f.value or "") <= 1024 for f in embed.fields)
    recent = next(f.value for f in embed.fields if f.name == "Recent exchanges")
    assert recent is not None and recent.splitlines()[-1].startswith("… and ")
    assert all(line.endswith(":R>") for line in recent.splitlines()[:-1])
