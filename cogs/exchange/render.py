"""What the mutual-learning commands show: post text, lesson, city, profile and twin texts, list pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.countries import country_name
from bot.replies import fit_lines
from bot.themes import theme_by_key
from bot.timestamps import discord_timestamp
from cogs.exchange.rules import escape_markdown, render_snippet, thread_link
from storage.cities import City, from_iso
from storage.exchange import CityActivity, Exchange, Lesson, SearchHit
from storage.profiles import Profile
from storage.twins import Twin

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


def city_list_embed(
    cities: Sequence[City], counts: Mapping[int, int], country: str | None, page: int, pages: int, total: int
) -> discord.Embed:
    """One page of the city register."""
    title = "Registered cities" + (f" in {country}" if country else "")
    embed = discord.Embed(title=title, colour=COLOUR)
    if cities:
        embed.description = "\n".join(city_line(c, counts.get(c.id, 0)) for c in cities)
    else:
        embed.description = "No cities on this page." if total else "No city is registered yet."
    embed.set_footer(text=page_footer(page, pages, total, "cities") + " · /city info for details")
    return embed


def exchange_list_embed(exchanges: Sequence[Exchange], page: int, pages: int, total: int) -> discord.Embed:
    """One page of exchanges, newest first."""
    embed = discord.Embed(title="Exchanges between cities", colour=COLOUR)
    if exchanges:
        embed.description = "\n".join(exchange_line(e) for e in exchanges)
    else:
        embed.description = "No exchange matches." if total == 0 else "No exchanges on this page."
    embed.set_footer(text=page_footer(page, pages, total, "exchanges") + " · ask with /exchange ask")
    return embed


def profile_embed(display_name: str, profile: Profile | None, cities: Sequence[City]) -> discord.Embed:
    """A member's profile and cities."""
    home = None
    if profile is not None and profile.city_id is not None:
        home = next((c for c in cities if c.id == profile.city_id), None)
    embed = discord.Embed(title=f"Profile of {display_name}"[:256], colour=COLOUR)
    group = profile.target_group if profile and profile.target_group else "not set"
    embed.add_field(name="Group", value=group, inline=True)
    embed.add_field(name="Home city", value=escape_markdown(home.name) if home else "not set", inline=True)
    names = fit_lines([escape_markdown(c.name) for c in cities], EMBED_FIELD_LIMIT, ", ")
    embed.add_field(name="Cities", value=names or "none yet: `/city join`", inline=False)
    embed.set_footer(text="Change it with /profile set; /city leave to leave a city.")
    return embed


def stale_roles_note(names: Sequence[str]) -> str:
    """Tell a member who erased their data that roles of cities they did not belong to were taken too."""
    shown = ", ".join(f"**{escape_markdown(name)}**" for name in names)
    return (
        f"I also took back the city roles of {shown}, which you held without being a member "
        "(an earlier erasure had not finished, or a moderator gave them by hand)."
    )


def pair_names(a: City | None, b: City | None, joiner: str) -> str:
    """Two twinned cities' names in bold ("?" for one no longer registered)."""
    return joiner.join(f"**{escape_markdown(c.name)}**" if c else "?" for c in (a, b))


def twin_line(twin: Twin, a: City | None, b: City | None) -> str:
    """One line of the twin list."""
    names = " ↔ ".join(escape_markdown(c.name) if c else "?" for c in (a, b))
    nxt = f" · next check-in {discord_timestamp(twin.next_checkin_at, 'R')}" if twin.next_checkin_at else ""
    return f"**{names}** · [thread]({thread_link(twin.guild_id, twin.thread_id)}){nxt}"


def twin_list_embed(lines: Sequence[str]) -> discord.Embed:
    """Every running twinning."""
    embed = discord.Embed(title="Twinned cities", colour=COLOUR)
    embed.description = (
        fit_lines(list(lines), EMBED_DESCRIPTION_LIMIT) if lines else "No cities are twinned yet."
    )
    embed.set_footer(text="Moderators twin cities with /twin create.")
    return embed


def twin_welcome(first: City, second: City, first_checkin: datetime) -> str:
    """The first message of a twin thread."""
    return (
        f"🤝 {pair_names(first, second, ' and ')} are twinned. "
        "Use this thread to share what you are trying and to ask each other questions. "
        f"I will ask for a check-in every 4 weeks; the first is {discord_timestamp(first_checkin, 'F')}."
    )


def checkin_prompt(a: City | None, b: City | None, following: datetime) -> str:
    """The check-in prompt posted in a twin thread every four weeks."""
    return (
        f"📅 Check-in for the twinning of {pair_names(a, b, ' and ')}: what has each city tried since the "
        "last check-in, what worked, and what would you like to ask the other? Share it here. "
        f"Next check-in {discord_timestamp(following, 'F')}."
    )
