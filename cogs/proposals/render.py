"""Texts and embeds of citizen proposals; every function takes the reader's language `t` first.

The post and its thread notes speak the server's language; replies and DMs the member's. What people
typed (titles, proposals, reasons, notes) is shown as they wrote it, never translated.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.i18n import Lang
from bot.paginator import Page
from bot.replies import clip
from bot.themes import theme_by_key
from bot.timestamps import discord_timestamp
from cogs.proposals.rules import STATUS_NAMES, progress_bar
from storage.proposal_records import Change, Proposal, ProposalEvent, SupportAction

COLOURS = {
    "open": 0x2B8A3E,
    "under-review": 0xF08C00,
    "accepted": 0x1971C2,
    "rejected": 0xC92A2A,
    "implemented": 0x5F3DC4,
    "withdrawn": 0x868E96,
}
DESCRIPTION_LIMIT, FIELD_LIMIT = 4096, 1024


def typed(t: Lang, proposal: Proposal, text: str) -> str:
    """What the author typed, or a note once they erased it."""
    # Translators: shown instead of a proposal's title, text and benefit once its author erased them.
    return t._("(erased by its author)") if proposal.erased else text


def status_name(t: Lang, status: str) -> str:
    """A status in language t."""
    return t._(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def author_text(t: Lang, author_id: int | None) -> str:
    """The author as a mention (never pinging: sent with no allowed mentions), or a note once erased."""
    return f"<@{author_id}>" if author_id is not None else t._("a former member")


def post_content(t: Lang, proposal: Proposal) -> str:
    """The line above a proposal post's embed: its number and author."""
    return t._("Proposal #{id} by {author}", id=proposal.id, author=author_text(t, proposal.author_id))


def post_embed(t: Lang, proposal: Proposal, reason: str | None = None) -> discord.Embed:
    """A proposal post: the proposal, benefit, city, theme, status, supports, progress and reason."""
    embed = discord.Embed(
        title=clip(typed(t, proposal, proposal.title), 256),
        description=clip(typed(t, proposal, proposal.body), DESCRIPTION_LIMIT),
        colour=COLOURS.get(proposal.status, 0x868E96),
    )
    embed.add_field(
        name=t._("Expected benefit"),
        value=clip(typed(t, proposal, proposal.benefit), FIELD_LIMIT),
        inline=False,
    )
    # Translators: shown when a proposal names no city.
    embed.add_field(name=t._("City"), value=proposal.city_name or t._("not given"), inline=True)
    embed.add_field(name=t._("Theme"), value=theme_by_key(proposal.theme).label_in(t), inline=True)
    embed.add_field(name=t._("Status"), value=status_name(t, proposal.status), inline=True)
    embed.add_field(
        # Translators: the heading above a proposal's supporter count (a noun, not the button's verb).
        name=t._("Supporters"),
        value=t.ngettext("{n} supporter", "{n} supporters", proposal.supports),
        inline=True,
    )
    if proposal.status in ("accepted", "implemented"):
        embed.add_field(
            name=t._("Progress"),
            value=t._(
                "{bar} {percent}",
                bar=progress_bar(proposal.progress),
                percent=t.percent(proposal.progress / 100),
            ),
            inline=False,
        )
    if reason:
        # Translators: heading of the moderators' reason for the latest status.
        embed.add_field(name=t._("Answer"), value=clip(reason, FIELD_LIMIT), inline=False)
    if proposal.is_open:
        embed.set_footer(
            text=t._("Press Support to back this proposal; press again to withdraw your support.")
        )
    return embed


def support_reply(t: Lang, action: SupportAction, proposal: Proposal | None) -> str:
    """The private answer to a Support click."""
    if proposal is None or action is SupportAction.NOT_FOUND:
        return t._("This proposal no longer exists.")
    if action is SupportAction.NOT_OPEN:
        return t._(
            "Proposal #{id} is {status}: supports can be given or withdrawn only while it is open.",
            id=proposal.id,
            status=status_name(t, proposal.status),
        )
    if action is SupportAction.WITHDRAWN:
        return t._("You withdrew your support from proposal #{id}.", id=proposal.id)
    return t._("You support proposal #{id}. Press the button again to withdraw your support.", id=proposal.id)


def threshold_notice(t: Lang, proposal: Proposal, threshold: int) -> str:
    """The moderators' notice that a proposal reached the support threshold."""
    return t._(
        "Proposal #{id} **{title}** has {count} supporters (threshold {threshold}) and awaits an answer: "
        "{link}. Answer with `/proposal answer id:{id}`.",
        id=proposal.id,
        title=proposal.title,
        count=proposal.supports,
        threshold=threshold,
        link=post_link(proposal),
    )


def post_link(proposal: Proposal) -> str:
    """A link to the proposal's post, or its number when there is no post any more."""
    return f"<#{proposal.thread_id}>" if proposal.thread_id else f"#{proposal.id}"


def change_note(t: Lang, change: Change) -> str:
    """What a status change or progress update says in the proposal's thread (and in DMs)."""
    proposal, event = change.proposal, change.event
    status = status_name(t, proposal.status)
    if event.kind == "withdrawn":
        return t._("The author withdrew this proposal.")
    if event.kind == "progress":
        text = t._(
            "Progress on proposal #{id}: {bar} {percent}",
            id=proposal.id,
            bar=progress_bar(proposal.progress),
            percent=t.percent(proposal.progress / 100),
        )
        if proposal.status == "implemented":
            text = "\n".join(
                [text, t._("Proposal #{id} is now **{status}**.", id=proposal.id, status=status)]
            )
    else:
        text = t._("Proposal #{id} is now **{status}**.", id=proposal.id, status=status)
    if event.note:
        # Translators: {note} is what the moderator wrote, shown as typed.
        text = "\n".join([text, t._("> {note}", note=clip(event.note, 1500))])
    return text


def dm_text(t: Lang, change: Change, guild_name: str) -> str:
    """The DM to the author and supporters about a change."""
    proposal = change.proposal
    head = t._(
        "News about the proposal **{title}** on {server}:",
        title=proposal.title,
        server=guild_name,
    )
    tail = t._("See it here: {link}", link=post_link(proposal))
    return clip("\n".join([head, change_note(t, change), tail]), 2000)


def event_line(t: Lang, event: ProposalEvent) -> str:
    """One step of a timeline."""
    when = discord_timestamp(event.created_at, "f")
    if event.kind == "submitted":
        line = t._("{when}: submitted", when=when)
    elif event.kind == "withdrawn":
        line = t._("{when}: withdrawn by the author", when=when)
    elif event.kind == "progress":
        line = t._(
            "{when}: progress {percent} ({status})",
            when=when,
            percent=t.percent((event.progress or 0) / 100),
            status=status_name(t, event.status),
        )
    else:
        line = t._("{when}: {status}", when=when, status=status_name(t, event.status))
    if event.note:
        line = t._("{line}: {note}", line=line, note=clip(event.note, 300))
    return line


def timeline_embed(t: Lang, proposal: Proposal, events: Sequence[ProposalEvent]) -> discord.Embed:
    """The reply to /proposal show: the proposal and its whole timeline."""
    embed = post_embed(t, proposal)
    embed.set_footer(text=None)
    lines = [event_line(t, event) for event in events]
    embed.add_field(name=t._("Timeline"), value=clip("\n".join(lines), FIELD_LIMIT), inline=False)
    if proposal.thread_id:
        embed.add_field(name=t._("Discussion"), value=post_link(proposal), inline=False)
    return embed


def list_embed(t: Lang, page: Page[Proposal]) -> discord.Embed:
    """One page of a proposal list."""
    lines = [
        t._(
            "**#{id}** {title} · {status} · {supports}",
            id=p.id,
            title=clip(typed(t, p, p.title), 80),
            status=status_name(t, p.status),
            supports=t.ngettext("{n} supporter", "{n} supporters", p.supports),
        )
        for p in page.items
    ]
    description = "\n".join(lines) or t._("No proposal matches. Propose one with `/proposal submit`.")
    embed = discord.Embed(title=t._("Citizen proposals"), description=clip(description, DESCRIPTION_LIMIT))
    embed.set_footer(text=page.footer_in(t))
    return embed


def choice_name(proposal: Proposal) -> str:
    """How a proposal appears in autocomplete: `#12 Title` (at most 100 characters)."""
    return clip(f"#{proposal.id} {'' if proposal.erased else proposal.title}".strip(), 100)
