"""What the mutual-learning commands show: post text, lesson, city, profile and twin texts, list pages.

Every function takes the reader's language `t` first: the member's for ephemeral replies, the server's
for public posts (exchange posts, lessons, twin threads).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.countries import country_name
from bot.i18n import N_, Lang, native_name
from bot.paginator import page_footer
from bot.replies import MORE, fit_lines
from bot.target_groups import group_label
from bot.themes import theme_by_key
from bot.timestamps import discord_timestamp
from cogs.exchange.rules import escape_markdown, mention, render_snippet, thread_link
from storage.cities import City
from storage.exchange import CityActivity, Exchange, Lesson, SearchHit
from storage.profiles import Profile
from storage.times import from_db_time
from storage.twins import Twin

EMBED_FIELD_LIMIT = 1024
EMBED_DESCRIPTION_LIMIT = 4096
COLOUR = discord.Colour.green()
MEMBERS_SHOWN = 30
CITY_PAGE_FOOTER = N_("Page {page} of {pages} · {count} · /city info for details")
EXCHANGE_PAGE_FOOTER = N_("Page {page} of {pages} · {count} · ask with /exchange ask")


@dataclass(frozen=True)
class AskedCity:
    """A city an exchange asks, with the role to mention (None when it has none)."""

    name: str
    role_id: int | None


def asked_text(asked: Sequence[AskedCity]) -> str:
    """Name the asked cities: a role mention where the city has a role, else its name in bold."""
    return ", ".join(f"<@&{c.role_id}>" if c.role_id else f"**{escape_markdown(c.name)}**" for c in asked)


def post_content(
    t: Lang, question: str, author_id: int, from_city: str | None, asked: Sequence[AskedCity], theme_key: str
) -> str:
    """The starter message of an exchange post (a public post: t is the server's language)."""
    asker = f"<@{author_id}>" + (f" ({escape_markdown(from_city)})" if from_city else "")
    theme = theme_by_key(theme_key).label_in(t)
    if asked:
        header = t._(
            "**Question from** {asker} **to** {cities} · **Theme:** {theme}",
            asker=asker,
            cities=asked_text(asked),
            theme=theme,
        )
    else:
        header = t._(
            "**Question from** {asker} **to** every city · **Theme:** {theme}", asker=asker, theme=theme
        )
    footer = t._(
        "-# Answer in this post. Once answered, the asker runs `/exchange resolve` here to record the lesson."
    )
    return f"{header}\n\n{question}\n\n{footer}"


def status_text(t: Lang, exchange: Exchange) -> str:
    """Return an exchange's status as shown in lists."""
    return t._("✅ resolved") if exchange.status == "resolved" else t._("💬 open")


def exchange_line(t: Lang, exchange: Exchange) -> str:
    """One line of a list: id, linked title, theme, status and age."""
    link = thread_link(exchange.guild_id, exchange.thread_id)
    when = discord_timestamp(from_db_time(exchange.created_at), "R")
    title = escape_markdown(exchange.title)
    theme = theme_by_key(exchange.theme).label_in(t)
    return " · ".join([f"`#{exchange.id}` [{title}]({link})", theme, status_text(t, exchange), when])


def city_line(t: Lang, city: City, members: int) -> str:
    """One line of the city list."""
    parts = [f"**{escape_markdown(city.name)}**", f"{country_name(city.country, t)} ({city.country})"]
    if city.mission_city:
        parts.append(t._("🇪🇺 mission city"))
    parts.append(t.ngettext("{n} member", "{n} members", members))
    return " · ".join(parts)


def lesson_embed(t: Lang, exchange: Exchange, lesson: Lesson) -> discord.Embed:
    """The lesson learned as posted in the exchange thread (public: t is the server's language)."""
    embed = discord.Embed(
        title=t._("Lesson learned: {title}", title=exchange.title)[:256],
        colour=COLOUR,
        description=t._(
            "Recorded by {author}; find it later with `/lessons search`.",
            author=mention("@", lesson.author_id),
        ),
    )
    embed.add_field(name=t._("What worked"), value=lesson.what_worked[:EMBED_FIELD_LIMIT], inline=False)
    if lesson.what_did_not:
        embed.add_field(name=t._("What did not"), value=lesson.what_did_not[:EMBED_FIELD_LIMIT], inline=False)
    if lesson.contact:
        embed.add_field(name=t._("Who to contact"), value=lesson.contact[:EMBED_FIELD_LIMIT], inline=False)
    embed.set_footer(
        text=t._("Exchange #{id} · {theme}", id=exchange.id, theme=theme_by_key(exchange.theme).label_in(t))
    )
    return embed


def hit_kind(t: Lang, hit: SearchHit) -> str:
    """What a search result is: a lesson, an open question or a question closed without lesson text."""
    # Translators: what a search result is, shown after its title and theme.
    if hit.has_lesson:
        return t._("lesson")
    return t._("open question") if hit.exchange.is_open else t._("question")


def search_embed(t: Lang, query: str, hits: Sequence[SearchHit]) -> discord.Embed:
    """Search results: linked titles with highlighted snippets, best first."""
    embed = discord.Embed(
        title=t._("Lessons and questions matching “{query}”", query=query[:80]), colour=COLOUR
    )
    lines = []
    for hit in hits:
        ex = hit.exchange
        link = thread_link(ex.guild_id, ex.thread_id)
        head = " · ".join(
            [
                f"**[{escape_markdown(ex.title)}]({link})**",
                theme_by_key(ex.theme).label_in(t),
                hit_kind(t, hit),
            ]
        )
        lines.append(f"{head}\n> {render_snippet(hit.snippet)}")
    embed.description = fit_lines(lines, EMBED_DESCRIPTION_LIMIT, "\n\n", more=t._(MORE))
    return embed


def members_text(t: Lang, members: Sequence[int]) -> str:
    """The mentions of a city's first members, and how many more there are."""
    if not members:
        return t._("Nobody yet: `/city join`")
    shown = " ".join(f"<@{m}>" for m in members[:MEMBERS_SHOWN])
    rest = len(members) - MEMBERS_SHOWN
    return shown if rest <= 0 else " ".join([shown, t.ngettext("and {n} more", "and {n} more", rest)])


def activity_text(t: Lang, activity: CityActivity) -> str:
    """How many exchanges of a city are open and resolved, and how many lessons it has."""
    return " · ".join(
        [
            # Translators: counts of exchanges; shown as "2 open · 1 resolved · 1 lesson".
            t.ngettext("{n} open", "{n} open", activity.open_count),
            t.ngettext("{n} resolved", "{n} resolved", activity.resolved_count),
            t.ngettext("{n} lesson", "{n} lessons", activity.lesson_count),
        ]
    )


def city_embed(
    t: Lang,
    city: City,
    members: Sequence[int],
    activity: CityActivity,
    twins: Sequence[tuple[str, str]],
) -> discord.Embed:
    """Everything about one city: members, exchanges, lessons and twin cities."""
    mission = t._("EU mission city") if city.mission_city else t._("not a mission city")
    embed = discord.Embed(
        title=city.name,
        colour=COLOUR,
        description=f"{country_name(city.country, t)} ({city.country}) · {mission}",
    )
    embed.add_field(
        name=t._("Members ({count})", count=len(members)), value=members_text(t, members), inline=False
    )
    if city.role_id:
        embed.add_field(name=t._("Role"), value=f"<@&{city.role_id}>", inline=True)
    embed.add_field(name=t._("Exchanges"), value=activity_text(t, activity), inline=True)
    more = t._(MORE)
    if activity.recent:
        embed.add_field(
            name=t._("Recent exchanges"),
            value=fit_lines([exchange_line(t, e) for e in activity.recent], EMBED_FIELD_LIMIT, more=more),
            inline=False,
        )
    if twins:
        lines = [
            t._("{city} · [thread]({link})", city=escape_markdown(name), link=link) for name, link in twins
        ]
        embed.add_field(
            name=t._("Twin cities"), value=fit_lines(lines, EMBED_FIELD_LIMIT, more=more), inline=False
        )
    return embed


def city_list_embed(
    t: Lang,
    cities: Sequence[City],
    counts: Mapping[int, int],
    country: str | None,
    page: int,
    pages: int,
    total: int,
) -> discord.Embed:
    """One page of the city register."""
    if country:
        title = t._("Registered cities in {country}", country=country_name(country, t))
    else:
        title = t._("Registered cities")
    embed = discord.Embed(title=title, colour=COLOUR)
    if cities:
        embed.description = "\n".join(city_line(t, c, counts.get(c.id, 0)) for c in cities)
    else:
        embed.description = t._("No cities on this page.") if total else t._("No city is registered yet.")
    counted = t.ngettext("{n} city", "{n} cities", total)
    embed.set_footer(text=page_footer(t, page, pages, counted, CITY_PAGE_FOOTER))
    return embed


def exchange_list_embed(
    t: Lang, exchanges: Sequence[Exchange], page: int, pages: int, total: int
) -> discord.Embed:
    """One page of exchanges, newest first."""
    embed = discord.Embed(title=t._("Exchanges between cities"), colour=COLOUR)
    if exchanges:
        embed.description = "\n".join(exchange_line(t, e) for e in exchanges)
    else:
        embed.description = t._("No exchange matches.") if total == 0 else t._("No exchanges on this page.")
    counted = t.ngettext("{n} exchange", "{n} exchanges", total)
    embed.set_footer(text=page_footer(t, page, pages, counted, EXCHANGE_PAGE_FOOTER))
    return embed


def language_text(t: Lang, chosen: str | None) -> str:
    """The language a member chose, in its own name and code, or that replies follow Discord's language."""
    if chosen is None:
        return t._("Automatic: follows your Discord language")
    return f"{native_name(chosen)} (`{chosen}`)"


def profile_embed(
    t: Lang, display_name: str, profile: Profile | None, cities: Sequence[City], language: str | None
) -> discord.Embed:
    """A member's profile, cities and chosen language."""
    home = None
    if profile is not None and profile.city_id is not None:
        home = next((c for c in cities if c.id == profile.city_id), None)
    embed = discord.Embed(title=t._("Profile of {name}", name=display_name)[:256], colour=COLOUR)
    not_set = t._("not set")
    group = group_label(profile.target_group, t) if profile and profile.target_group else not_set
    embed.add_field(name=t._("Group"), value=group, inline=True)
    embed.add_field(name=t._("Home city"), value=escape_markdown(home.name) if home else not_set, inline=True)
    names = fit_lines([escape_markdown(c.name) for c in cities], EMBED_FIELD_LIMIT, ", ", more=t._(MORE))
    embed.add_field(name=t._("Cities"), value=names or t._("none yet: `/city join`"), inline=False)
    embed.add_field(name=t._("Language"), value=language_text(t, language), inline=False)
    embed.set_footer(text=t._("Change it with /profile set; /city leave to leave a city."))
    return embed


def stale_roles_note(t: Lang, names: Sequence[str]) -> str:
    """Tell a member who erased their data that roles of cities they did not belong to were taken too."""
    return t._(
        "I also took back the city roles of {cities}, which you held without being a member "
        "(an earlier erasure had not finished, or a moderator gave them by hand).",
        cities=", ".join(f"**{escape_markdown(name)}**" for name in names),
    )


def bold_name(city: City | None) -> str:
    """A twinned city's name in bold ("?" for one no longer registered)."""
    return f"**{escape_markdown(city.name)}**" if city else "?"


def twin_line(t: Lang, twin: Twin, a: City | None, b: City | None) -> str:
    """One line of the twin list."""
    names = " ↔ ".join(escape_markdown(c.name) if c else "?" for c in (a, b))
    parts = [f"**{names}**", t._("[thread]({link})", link=thread_link(twin.guild_id, twin.thread_id))]
    if twin.next_checkin_at:
        parts.append(t._("next check-in {when}", when=discord_timestamp(twin.next_checkin_at, "R")))
    return " · ".join(parts)


def twin_list_embed(t: Lang, lines: Sequence[str]) -> discord.Embed:
    """Every running twinning."""
    embed = discord.Embed(title=t._("Twinned cities"), colour=COLOUR)
    embed.description = (
        fit_lines(list(lines), EMBED_DESCRIPTION_LIMIT, more=t._(MORE))
        if lines
        else t._("No cities are twinned yet.")
    )
    embed.set_footer(text=t._("Moderators twin cities with /twin create."))
    return embed


def twin_welcome(t: Lang, first: City, second: City, first_checkin: datetime) -> str:
    """The first message of a twin thread (public: t is the server's language)."""
    return t._(
        "🤝 {first} and {second} are twinned. Use this thread to share what you are trying and to ask each "
        "other questions. I will ask for a check-in every 4 weeks; the first is {when}.",
        first=bold_name(first),
        second=bold_name(second),
        when=discord_timestamp(first_checkin, "F"),
    )


def checkin_prompt(t: Lang, a: City | None, b: City | None, following: datetime) -> str:
    """The check-in prompt posted in a twin thread every four weeks (t is the server's language)."""
    return t._(
        "📅 Check-in for the twinning of {first} and {second}: what has each city tried since the last "
        "check-in, what worked, and what would you like to ask the other? Share it here. "
        "Next check-in {when}.",
        first=bold_name(a),
        second=bold_name(b),
        when=discord_timestamp(following, "F"),
    )
