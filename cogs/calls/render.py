"""How calls, reminders and announcements look in Discord: embeds and message texts."""

from __future__ import annotations

from datetime import datetime, timedelta

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.durations import describe_offset
from bot.replies import clip
from bot.timestamps import discord_timestamp, full_and_relative
from cogs.calls.programmes import programme
from cogs.calls.recurrence import Repeat
from storage.announcements import Announcement
from storage.calls import ALL_PROGRAMMES, Call, CallStatus, Reminder

EMBED_COLOUR = discord.Colour.from_rgb(0, 122, 94)
PAGE_SIZE = 8
DESCRIPTION_LIMIT = 4096
# Each call of a list page gets an equal share of the description, so a page never loses a call.
LINE_BUDGET = (DESCRIPTION_LIMIT - 2 * (PAGE_SIZE - 1)) // PAGE_SIZE


def inline_title(call: Call, limit: int) -> str:
    """A call's title for message text: Markdown escaped, mention-shaped text made inert, shortened."""
    return clip(escape_mentions(escape_markdown(call.title)), limit)


def call_embed(call: Call, *, now: datetime) -> discord.Embed:
    """Render one call: title linking to the call page, summary, programme, deadline, tags."""
    embed = discord.Embed(
        title=call.title,
        url=call.link,
        description=clip(escape_markdown(call.summary), DESCRIPTION_LIMIT) if call.summary else None,
        colour=EMBED_COLOUR,
    )
    embed.add_field(name="Identifier", value=f"`{call.identifier}`", inline=True)
    embed.add_field(name="Programme", value=programme(call.programme).name, inline=True)
    status = call.status(now)
    embed.add_field(name="Status", value=status.value, inline=True)
    if call.opens_at is not None:
        embed.add_field(name="Opens", value=full_and_relative(call.opens_at), inline=False)
    embed.add_field(name="Deadline", value=full_and_relative(call.deadline_at), inline=False)
    if call.tags:
        embed.add_field(name="Tags", value=clip(", ".join(escape_markdown(t) for t in call.tags), 1024))
    if call.link:
        embed.add_field(name="Link", value=clip(call.link, 1024), inline=False)
    embed.set_footer(text="Times are shown in your own time zone.")
    return embed


def call_line(call: Call, budget: int = LINE_BUDGET) -> str:
    """Render a call as three lines of a list, within `budget` characters (a long link is left out)."""
    title = inline_title(call, 120)
    tail = f"\nDeadline {full_and_relative(call.deadline_at)}"
    first = f"`{call.identifier}` · {programme(call.programme).name}\n"
    if call.link:
        linked = f"{first}**[{title}](<{call.link}>)**{tail}"
        if len(linked) <= budget:
            return linked
    return f"{first}**{title}**{tail}"


def list_embed(
    calls: list[Call], *, status: CallStatus, programme_code: str | None, page: int, total: int
) -> discord.Embed:
    """Render one page of a call list."""
    pages = max(1, -(-total // PAGE_SIZE))
    scope = f" · {programme(programme_code).name}" if programme_code else ""
    embed = discord.Embed(title=f"{status.value.capitalize()} funding calls{scope}", colour=EMBED_COLOUR)
    if not calls:
        embed.description = "No calls here." + (
            " Moderators add them with `/calls add` or `/calls import`." if total == 0 else ""
        )
    else:
        embed.description = clip("\n\n".join(call_line(c) for c in calls), DESCRIPTION_LIMIT)
    embed.set_footer(text=f"Page {page + 1} of {pages} · {total} call{'s' if total != 1 else ''}")
    return embed


def reminder_text(call: Call, offset: timedelta) -> str:
    """The channel message that goes with a deadline reminder."""
    return (
        f"⏰ **{describe_offset(offset)} left** to apply to `{call.identifier}`: "
        f"{inline_title(call, 200)}. Deadline {full_and_relative(call.deadline_at)}."
    )


def reminder_dm_text(call: Call, offset: timedelta, guild_name: str | None) -> str:
    """The direct message a subscriber gets for a deadline reminder."""
    where = f" in **{escape_mentions(escape_markdown(guild_name))}**" if guild_name else ""
    return (
        f"{reminder_text(call, offset)}\n"
        f"You get this because you subscribed to call reminders{where}; "
        "stop them there with `/calls unsubscribe`."
    )


def announcement_line(item: Announcement) -> str:
    """Render a pending announcement for /announce list."""
    repeat = "" if item.repeat == "none" else f", repeats {item.repeat}"
    role = f", pings <@&{item.ping_role_id}>" if item.ping_role_id else ""
    preview = clip(" ".join(item.message.split()), 80).replace("`", "'")
    return (
        f"**#{item.id}** in <#{item.channel_id}> at {discord_timestamp(item.next_due_at, 'f')} "
        f"({discord_timestamp(item.next_due_at, 'R')}){repeat}{role}\n`{preview}`"
    )


def new_call_message(call: Call) -> str:
    """Default text of the announcement of a new call."""
    return f"📣 New funding call: **{inline_title(call, 300)}** (`{call.identifier}`)"


def reminder_summary(reminders: tuple[Reminder, ...] | list[Reminder]) -> str:
    """Say when a call's reminders will go out."""
    if not reminders:
        return "No deadline reminders: the deadline is closer than the shortest reminder offset."
    parts = [f"{describe_offset(r.offset)} before ({discord_timestamp(r.due_at, 'R')})" for r in reminders]
    # Offsets are configurable: a long list must not push a reply past Discord's 2,000 characters.
    return clip("Reminders: " + ", ".join(parts) + ".", 1000)


def scope_name(code: str) -> str:
    """Name a subscription's scope: every programme, or one programme's calls."""
    return "every programme" if code == ALL_PROGRAMMES else f"{programme(code).name} calls"


def quoted(text: str) -> str:
    """Render text as a Markdown block quote, every line of it."""
    return "\n".join(f"> {line}" for line in text.splitlines())


def scheduled_text(item: Announcement, channel: str, ping: str | None, *, silent: bool) -> str:
    """Confirm a scheduled announcement: where, when, how often, whom it notifies, and its text."""
    pings = f", notifying {ping}" if ping else ""
    if silent:
        pings += (
            " (⚠️ the role is not mentionable and I lack the Mention @everyone permission there, "
            "so Discord will show the mention without notifying anyone)"
        )
    repeat = repeat_phrase(Repeat(item.repeat), item.first_local.strftime("%H:%M"), item.timezone)
    return (
        f"Announcement #{item.id} scheduled in {channel} for {full_and_relative(item.next_due_at)}, "
        f"{repeat}{pings}.\n{quoted(clip(item.message, 300))}"
    )


def repeat_phrase(repeat: Repeat, first_local: str, zone: str) -> str:
    """Say how an announcement repeats, in the zone its wall-clock time is kept in."""
    if repeat is Repeat.NONE:
        return "once"
    return f"{repeat.value} at {first_local} {zone} (kept across daylight-saving changes)"
