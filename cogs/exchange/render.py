"""What the exchange commands show: post text, lesson and city embeds, list and search lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.countries import country_name
from bot.replies import fit_lines
from bot.themes import theme_by_key
from bot.timestamps import discord_timestamp
from cogs.exchange.snippets import escape_markdown, render_snippet, thread_link
from storage.cities import City, from_iso
from storage.exchange import CityActivity, Exchange, Lesson, SearchHit

EMBED_FIELD_LIMIT = 1024
EMBED_DESCRIPTION_LIMIT = 4096
COLOUR = discord.Colour.green()


@dataclass(frozen=True)
class AskedCity:
    """A city an exchange asks, with the role to mention (None when it has none)."""

    name: str
    role_id: int | None


def asked_text(asked: Sequence[AskedCity]) -> str:
    """Name the asked cities: a role mention where the city has a role, else its name in bold."""
    if not asked:
        return "every city"
    return ", ".join(f"<@&{c.role_id}>" if c.role_id else f"**{escape_markdown(c.name)}**" for c in asked)


def post_content(
    question: str, author_id: int, from_city: str | None, asked: Sequence[AskedCity], theme_key: str
) -> str:
    """The starter message of an exchange post: who asks whom about what, then the question."""
    origin = f" ({escape_markdown(from_city)})" if from_city else ""
    header = (
        f"**Question from** <@{author_id}>{origin} **to** {asked_text(asked)}"
        f" · **Theme:** {theme_by_key(theme_key).label}"
    )
    footer = (
        "-# Answer in this post. Once answered, the asker runs `/exchange resolve` here to record the lesson."
    )
    return f"{header}\n\n{question}\n\n{footer}"


def status_text(exchange: Exchange) -> str:
    """Return an exchange's status as shown in lists."""
    return "✅ resolved" if exchange.status == "resolved" else "💬 open"


def exchange_line(exchange: Exchange) -> str:
    """One line of a list: id, linked title, theme, status and age."""
    link = thread_link(exchange.guild_id, exchange.thread_id)
    when = discord_timestamp(from_iso(exchange.created_at), "R")
    title = escape_markdown(exchange.title)
    theme = theme_by_key(exchange.theme).label
    return f"`#{exchange.id}` [{title}]({link}) · {theme} · {status_text(exchange)} · {when}"


def city_line(city: City, members: int) -> str:
    """One line of the city list."""
    mission = " · 🇪🇺 mission city" if city.mission_city else ""
    plural = "member" if members == 1 else "members"
    country = f"{country_name(city.country)} ({city.country})"
    return f"**{escape_markdown(city.name)}** · {country}{mission} · {members} {plural}"


def page_footer(page: int, pages: int, total: int, noun: str) -> str:
    """Footer text of a paginated list."""
    return f"Page {page + 1} of {max(pages, 1)} · {total} {noun}"


def lesson_embed(exchange: Exchange, lesson: Lesson) -> discord.Embed:
    """The lesson learned as posted in the exchange thread."""
    embed = discord.Embed(
        title=f"Lesson learned: {exchange.title}"[:256],
        colour=COLOUR,
        description=f"Recorded by <@{lesson.author_id}>; find it later with `/lessons search`.",
    )
    embed.add_field(name="What worked", value=lesson.what_worked[:EMBED_FIELD_LIMIT], inline=False)
    if lesson.what_did_not:
        embed.add_field(name="What did not", value=lesson.what_did_not[:EMBED_FIELD_LIMIT], inline=False)
    if lesson.contact:
        embed.add_field(name="Who to contact", value=lesson.contact[:EMBED_FIELD_LIMIT], inline=False)
    embed.set_footer(text=f"Exchange #{exchange.id} · {theme_by_key(exchange.theme).label}")
    return embed


def search_embed(query: str, hits: Sequence[SearchHit]) -> discord.Embed:
    """Search results: linked titles with highlighted snippets, best first."""
    embed = discord.Embed(title=f"Lessons and questions matching “{query[:80]}”", colour=COLOUR)
    lines = []
    for hit in hits:
        ex = hit.exchange
        kind = "lesson" if hit.has_lesson else "open question" if ex.is_open else "question"
        link = thread_link(ex.guild_id, ex.thread_id)
        lines.append(
            f"**[{escape_markdown(ex.title)}]({link})** · {theme_by_key(ex.theme).label} · {kind}\n"
            f"> {render_snippet(hit.snippet)}"
        )
    embed.description = fit_lines(lines, EMBED_DESCRIPTION_LIMIT, "\n\n")
    return embed


def city_embed(
    city: City,
    members: Sequence[int],
    activity: CityActivity,
    twins: Sequence[tuple[str, str]],
) -> discord.Embed:
    """Everything about one city: members, exchanges, lessons and twin cities."""
    mission = "EU mission city" if city.mission_city else "not a mission city"
    embed = discord.Embed(
        title=city.name,
        colour=COLOUR,
        description=f"{country_name(city.country)} ({city.country}) · {mission}",
    )
    shown = " ".join(f"<@{m}>" for m in members[:30])
    more = f" and {len(members) - 30} more" if len(members) > 30 else ""
    embed.add_field(
        name=f"Members ({len(members)})", value=(shown + more) or "Nobody yet: `/city join`", inline=False
    )
    if city.role_id:
        embed.add_field(name="Role", value=f"<@&{city.role_id}>", inline=True)
    embed.add_field(
        name="Exchanges",
        value=(
            f"{activity.open_count} open · {activity.resolved_count} resolved"
            f" · {activity.lesson_count} lessons"
        ),
        inline=True,
    )
    if activity.recent:
        embed.add_field(
            name="Recent exchanges",
            value=fit_lines([exchange_line(e) for e in activity.recent], EMBED_FIELD_LIMIT),
            inline=False,
        )
    if twins:
        embed.add_field(
            name="Twin cities",
            value=fit_lines(
                [f"{escape_markdown(name)} · [thread]({link})" for name, link in twins], EMBED_FIELD_LIMIT
            ),
            inline=False,
        )
    return embed
