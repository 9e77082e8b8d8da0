"""How calls, reminders and announcements look in Discord: embeds and message texts, in language t."""

from __future__ import annotations

from datetime import datetime, timedelta

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.durations import describe_offset
from bot.i18n import N_, Lang
from bot.paginator import page_count, page_footer
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

# Shown for a stored status value (the value itself stays English: it is data and a choice value).
# Capitalised, so they do not share a msgid with other capabilities' lowercase status words.
STATUS_NAMES = {
    # Translators: the status of a funding call: it can be applied to now.
    CallStatus.OPEN: N_("Open"),
    # Translators: the status of a funding call: it opens for applications later.
    CallStatus.UPCOMING: N_("Upcoming"),
    # Translators: the status of a funding call: its deadline has passed.
    CallStatus.CLOSED: N_("Closed: deadline passed"),
}
LIST_TITLES = {
    CallStatus.OPEN: N_("Open funding calls"),
    CallStatus.UPCOMING: N_("Upcoming funding calls"),
    CallStatus.CLOSED: N_("Closed funding calls"),
}
# Slash-command choice names of the repeat option (the values none/daily/weekly/monthly stay).
REPEAT_NAMES = {
    # Translators: a choice of /announce schedule's repeat option: post one time only.
    Repeat.NONE: N_("Once (no repeat)"),
    # Translators: a choice of /announce schedule's repeat option.
    Repeat.DAILY: N_("Daily"),
    # Translators: a choice of /announce schedule's repeat option.
    Repeat.WEEKLY: N_("Weekly"),
    # Translators: a choice of /announce schedule's repeat option.
    Repeat.MONTHLY: N_("Monthly"),
}
REPEATS_AT = {
    # Translators: {time} is a wall-clock time such as 09:00, {zone} a time zone such as Europe/Brussels.
    Repeat.DAILY: N_("daily at {time} {zone} (kept across daylight-saving changes)"),
    Repeat.WEEKLY: N_("weekly at {time} {zone} (kept across daylight-saving changes)"),
    Repeat.MONTHLY: N_("monthly at {time} {zone} (kept across daylight-saving changes)"),
}
REPEATS = {
    Repeat.DAILY: N_("repeats daily"),
    Repeat.WEEKLY: N_("repeats weekly"),
    Repeat.MONTHLY: N_("repeats monthly"),
}


def programme_name(t: Lang, code: str) -> str:
    """A programme's name in language t."""
    return t._(programme(code).name)


def inline_title(call: Call, limit: int) -> str:
    """A call's title for message text: Markdown escaped, mention-shaped text made inert, shortened."""
    return clip(escape_mentions(escape_markdown(call.title)), limit)


def call_embed(t: Lang, call: Call, *, now: datetime) -> discord.Embed:
    """Render one call: title linking to the call page, summary, programme, deadline, tags."""
    embed = discord.Embed(
        title=call.title,
        url=call.link,
        description=clip(escape_markdown(call.summary), DESCRIPTION_LIMIT) if call.summary else None,
        colour=EMBED_COLOUR,
    )
    embed.add_field(name=t._("Identifier"), value=f"`{call.identifier}`", inline=True)
    embed.add_field(name=t._("Programme"), value=programme_name(t, call.programme), inline=True)
    embed.add_field(name=t._("Status"), value=t._(STATUS_NAMES[call.status(now)]), inline=True)
    if call.opens_at is not None:
        embed.add_field(name=t._("Opens"), value=full_and_relative(call.opens_at), inline=False)
    embed.add_field(name=t._("Deadline"), value=full_and_relative(call.deadline_at), inline=False)
    if call.tags:
        embed.add_field(
            name=t._("Tags"), value=clip(", ".join(escape_markdown(tag) for tag in call.tags), 1024)
        )
    if call.link:
        embed.add_field(name=t._("Link"), value=clip(call.link, 1024), inline=False)
    embed.set_footer(text=t._("Times are shown in your own time zone."))
    return embed


def call_line(t: Lang, call: Call, budget: int = LINE_BUDGET) -> str:
    """Render a call as three lines of a list, within `budget` characters (a long link is left out)."""
    title = inline_title(call, 120)
    tail = "\n" + t._("Deadline {when}", when=full_and_relative(call.deadline_at))
    first = f"`{call.identifier}` · {programme_name(t, call.programme)}\n"
    if call.link:
        linked = f"{first}**[{title}](<{call.link}>)**{tail}"
        if len(linked) <= budget:
            return linked
    return f"{first}**{title}**{tail}"


def list_embed(
    t: Lang, calls: list[Call], *, status: CallStatus, programme_code: str | None, page: int, total: int
) -> discord.Embed:
    """Render one page of a call list."""
    title = t._(LIST_TITLES[status])
    if programme_code:
        title = f"{title} · {programme_name(t, programme_code)}"
    embed = discord.Embed(title=title, colour=EMBED_COLOUR)
    if not calls and total == 0:
        embed.description = t._("No calls here. Moderators add them with `/calls add` or `/calls import`.")
    elif not calls:
        embed.description = t._("No calls here.")
    else:
        embed.description = clip("\n\n".join(call_line(t, c) for c in calls), DESCRIPTION_LIMIT)
    counted = t.ngettext("{n} call", "{n} calls", total)
    embed.set_footer(text=page_footer(t, page, page_count(total, PAGE_SIZE), counted))
    return embed


def reminder_text(t: Lang, call: Call, offset: timedelta) -> str:
    """The channel message that goes with a deadline reminder."""
    return t._(
        # Translators: {left} is a duration such as "3 days"; {title} the call's title.
        "⏰ **{left} left** to apply to `{identifier}`: {title}. Deadline {when}.",
        left=describe_offset(offset, t),
        identifier=call.identifier,
        title=inline_title(call, 200),
        when=full_and_relative(call.deadline_at),
    )


def reminder_dm_text(t: Lang, call: Call, offset: timedelta, guild_name: str | None) -> str:
    """The direct message a subscriber gets for a deadline reminder."""
    if guild_name:
        why = t._(
            "You get this because you subscribed to call reminders in **{server}**; "
            "stop them there with `/calls unsubscribe`.",
            server=escape_mentions(escape_markdown(guild_name)),
        )
    else:
        why = t._("You get this because you subscribed to call reminders; `/calls unsubscribe` stops them.")
    return f"{reminder_text(t, call, offset)}\n{why}"


def announcement_line(t: Lang, item: Announcement) -> str:
    """Render a pending announcement for /announce list."""
    parts = [
        t._(
            "**#{id}** in <#{channel}> at {time} ({relative})",
            id=item.id,
            channel=item.channel_id,
            time=discord_timestamp(item.next_due_at, "f"),
            relative=discord_timestamp(item.next_due_at, "R"),
        )
    ]
    repeat = Repeat(item.repeat)
    if repeat is not Repeat.NONE:
        parts.append(t._(REPEATS[repeat]))
    if item.ping_role_id:
        parts.append(t._("pings <@&{role}>", role=item.ping_role_id))
    preview = clip(" ".join(item.message.split()), 80).replace("`", "'")
    return ", ".join(parts) + f"\n`{preview}`"


def new_call_message(t: Lang, call: Call) -> str:
    """Default text of the announcement of a new call (a public post: the server's language)."""
    return t._(
        "📣 New funding call: **{title}** (`{identifier}`)",
        title=inline_title(call, 300),
        identifier=call.identifier,
    )


def reminder_summary(t: Lang, reminders: tuple[Reminder, ...] | list[Reminder]) -> str:
    """Say when a call's reminders will go out."""
    if not reminders:
        return t._("No deadline reminders: the deadline is closer than the shortest reminder offset.")
    parts = [
        # Translators: one reminder of a list: "14 days before (in 3 weeks)".
        t._(
            "{offset} before ({when})",
            offset=describe_offset(r.offset, t),
            when=discord_timestamp(r.due_at, "R"),
        )
        for r in reminders
    ]
    # Offsets are configurable: a long list must not push a reply past Discord's 2,000 characters.
    return clip(t._("Reminders: {list}.", list=", ".join(parts)), 1000)


def scope_name(t: Lang, code: str) -> str:
    """Name a subscription's scope, as an item of a list: every programme, or one programme's calls."""
    if code == ALL_PROGRAMMES:
        return t._("every programme")
    return t._("{programme} calls", programme=programme_name(t, code))


def quoted(text: str) -> str:
    """Render text as a Markdown block quote, every line of it."""
    return "\n".join(f"> {line}" for line in text.splitlines())


def scheduled_text(t: Lang, item: Announcement, channel: str, ping: str | None, *, silent: bool) -> str:
    """Confirm a scheduled announcement: where, when, how often, whom it notifies, and its text."""
    repeat = repeat_phrase(t, Repeat(item.repeat), item.first_local.strftime("%H:%M"), item.timezone)
    where = {"id": item.id, "channel": channel, "when": full_and_relative(item.next_due_at), "repeat": repeat}
    if ping is None:
        # Translators: {repeat} is "once" or "weekly at 09:00 Europe/Brussels (…)".
        text = t._("Announcement #{id} scheduled in {channel} for {when}, {repeat}.", **where)
    else:
        text = t._(
            "Announcement #{id} scheduled in {channel} for {when}, {repeat}, notifying {role}.",
            role=ping,
            **where,
        )
    if silent:
        text += " " + t._(
            "⚠️ The role is not mentionable and I lack the Mention @everyone permission there, "
            "so Discord will show the mention without notifying anyone."
        )
    return f"{text}\n{quoted(clip(item.message, 300))}"


def repeat_phrase(t: Lang, repeat: Repeat, first_local: str, zone: str) -> str:
    """Say how an announcement repeats, in the zone its wall-clock time is kept in."""
    if repeat is Repeat.NONE:
        # Translators: an announcement posted one time only, as in "scheduled … for <date>, once."
        return t._("once")
    return t._(REPEATS_AT[repeat], time=first_local, zone=zone)


def subscribed_text(t: Lang, code: str, *, added: bool, when: str) -> str:
    """Confirm a subscription (new or already there) to one programme's or every programme's reminders."""
    if code == ALL_PROGRAMMES:
        if added:
            return t._(
                "Subscribed to deadline reminders for every programme: a direct message {when} before each "
                "deadline. `/calls unsubscribe` stops them.",
                when=when,
            )
        return t._(
            "You were already subscribed to deadline reminders for every programme: a direct message {when} "
            "before each deadline. `/calls unsubscribe` stops them.",
            when=when,
        )
    name = programme_name(t, code)
    if added:
        return t._(
            "Subscribed to deadline reminders for {programme} calls: a direct message {when} before each "
            "deadline. `/calls unsubscribe` stops them.",
            programme=name,
            when=when,
        )
    return t._(
        "You were already subscribed to deadline reminders for {programme} calls: a direct message {when} "
        "before each deadline. `/calls unsubscribe` stops them.",
        programme=name,
        when=when,
    )


def subscription_dm_text(t: Lang, code: str) -> str:
    """The direct message confirming a subscription (it also shows that DMs reach the member)."""
    if code == ALL_PROGRAMMES:
        return t._("You will get climabot deadline reminders here for every programme.")
    return t._(
        "You will get climabot deadline reminders here for {programme} calls.",
        programme=programme_name(t, code),
    )


def reminder_label(t: Lang, *, reminder: Reminder, name: str) -> str:
    """Name a deadline reminder for moderators' notices; `name` is the call's `identifier` or #row."""
    return t._(
        # Translators: e.g. "3 days reminder for `LIFE-2027` due <date>"; {offset} is a duration.
        "{offset} reminder for {call} due {due}",
        offset=describe_offset(reminder.offset, t),
        call=name,
        due=discord_timestamp(reminder.due_at, "f"),
    )


def announcement_label(t: Lang, *, item: Announcement, later: int) -> str:
    """Name an announcement for moderators' notices, with how many later occurrences were missed too."""
    due = discord_timestamp(item.next_due_at, "f")
    if later <= 0:
        return t._(
            "announcement #{id} in <#{channel}> due {due}", id=item.id, channel=item.channel_id, due=due
        )
    return t.ngettext(
        "announcement #{id} in <#{channel}> due {due} (and {n} later occurrence)",
        "announcement #{id} in <#{channel}> due {due} (and {n} later occurrences)",
        later,
        id=item.id,
        channel=item.channel_id,
        due=due,
    )


def missed_reminder_notice(t: Lang, label: str, grace: timedelta) -> str:
    """Tell moderators a reminder came due too long ago to be sent."""
    return t._(
        # Translators: {reminder} is e.g. "3 days reminder for `LIFE-2027` due <date>".
        "This reminder came due more than {grace} ago and was not sent: {reminder}.",
        grace=describe_offset(grace, t),
        reminder=label,
    )


def missed_announcement_notice(t: Lang, item: Announcement, grace: timedelta) -> str:
    """Tell moderators an announcement came due too long ago to be sent."""
    return t._(
        "Announcement #{id} in <#{channel}> came due {when}, more than {grace} late; it was not sent.",
        id=item.id,
        channel=item.channel_id,
        when=discord_timestamp(item.next_due_at, "R"),
        grace=describe_offset(grace, t),
    )
