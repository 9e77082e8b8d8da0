"""What exchange posts, lists and lessons look like."""

from __future__ import annotations

from cogs.exchange.render import AskedCity, city_line, exchange_line, lesson_embed, post_content, search_embed
from storage.cities import City
from storage.exchange import HIGHLIGHT_END, HIGHLIGHT_START, Exchange, Lesson, SearchHit


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
    text = post_content("How?", 5, "Valencia", [AskedCity("Lyon", 9), AskedCity("Riga", None)], "energy")
    assert text.startswith("**Question from** <@5> (Valencia) **to** <@&9>, **Riga** · **Theme:** Energy")
    assert "\n\nHow?\n\n" in text and "/exchange resolve" in text
    assert "**to** every city" in post_content("How?", 5, None, [], "energy")


def test_list_lines_link_and_escape() -> None:
    line = exchange_line(_exchange())
    assert "[Bins \\*now\\*](https://discord.com/channels/1/40)" in line
    assert "Waste and circularity" in line and "open" in line and "<t:1767225600:R>" in line
    city = City(1, 1, "Lyon", "FR", True, None, "2026-01-01T00:00:00+00:00")
    assert city_line(city, 1) == "**Lyon** · France (FR) · 🇪🇺 mission city · 1 member"


def test_lesson_embed_skips_empty_fields() -> None:
    lesson = Lesson(1, 3, "Caddies", "", "", 5, "2026-01-02T00:00:00+00:00")
    embed = lesson_embed(_exchange(), lesson)
    assert [f.name for f in embed.fields] == ["What worked"]
    assert embed.title == "Lesson learned: Bins *now*"


def test_search_embed_shows_kind_and_highlight() -> None:
    hit = SearchHit(_exchange(status="resolved"), f"free {HIGHLIGHT_START}caddies{HIGHLIGHT_END}", -1.0, True)
    embed = search_embed("caddies", [hit])
    assert embed.description is not None
    assert "· lesson" in embed.description and "> free **caddies**" in embed.description
