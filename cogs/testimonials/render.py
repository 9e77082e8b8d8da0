"""What testimonials look like on Discord: moderation cards, showcase posts, lists.

Every function takes the language `t` first: moderation cards and showcase posts are public, in the
server's language; lists answer one member, in theirs.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.consent import LICENCES, SCOPES
from bot.i18n import N_, Lang
from bot.replies import clip
from bot.target_groups import TARGET_GROUPS
from bot.timestamps import discord_timestamp
from storage.testimonials import CampaignSummary, Testimonial

PENDING_COLOUR = discord.Colour.gold()
APPROVED_COLOUR = discord.Colour.green()
REJECTED_COLOUR = discord.Colour.red()
SCOPE_SHORT = {
    "named": N_("approved (publish with name)"),
    "anonymous": N_("approved (publish anonymously)"),
    "research": N_("approved (research only)"),
}
WAITING = N_("Waiting for a moderator: Approve or Reject below.")


def inert(text: str) -> str:
    """Member text made unable to ping or break layout: mentions defused, markdown escaped."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


EMBED_DESCRIPTION = 4096


def story_text(text: str) -> str:
    """A story for an embed: the member's formatting kept, mentions defused, within the description limit."""
    # Defusing adds a character per mention, so a 4,000-character story can outgrow the limit.
    return clip(discord.utils.escape_mentions(text), EMBED_DESCRIPTION)


def group_name(t: Lang, key: str) -> str:
    """A target group's name in language t (an unknown stored key as it is)."""
    label = TARGET_GROUPS.get(key)
    return key if label is None else t._(label)


def scope_name(t: Lang, scope: str) -> str:
    """The consent option a scope stands for, as the form words it, in language t."""
    option = SCOPES[scope][0] if scope in SCOPES else None
    return scope if option is None else t._(option)


def photo_filename(item: Testimonial) -> str | None:
    """The file name the item's photo is attached under, if it has one."""
    if item.media is None:
        return None
    return f"testimonial-{item.id}{item.media.relpath[item.media.relpath.rfind('.') :]}"


def moderation_embed(t: Lang, item: Testimonial, *, status: str | None = None) -> discord.Embed:
    """The card moderators decide on; `status` (already in language t) replaces the pending footer."""
    colour = {"approved": APPROVED_COLOUR, "rejected": REJECTED_COLOUR}.get(item.status, PENDING_COLOUR)
    embed = discord.Embed(
        title=clip(t._("Testimonial #{id} · {campaign}", id=item.id, campaign=item.campaign_name), 256),
        description=story_text(item.story),
        colour=colour,
        timestamp=item.submitted_at,
    )
    embed.add_field(name=t._("Author"), value=f"<@{item.author_id}> ({inert(item.author_name)})"[:1024])
    embed.add_field(name=t._("City"), value=inert(item.city)[:1024])
    embed.add_field(name=t._("Group"), value=group_name(t, item.target_group))
    # The moderators read the choice in their language; the member's own text is in the stored statement.
    embed.add_field(name=t._("Consent"), value=scope_name(t, item.consent_scope)[:1024])
    # Translators: the language the author read and agreed to the consent text in.
    embed.add_field(name=t._("Consent language"), value=t.language_name(item.consent_language))
    embed.add_field(name=t._("Licence"), value=LICENCES[item.licence].short)
    name = photo_filename(item)
    if name is not None:
        embed.set_image(url=f"attachment://{name}")
    embed.set_footer(text=status or t._(WAITING))
    return embed


def showcase_embed(t: Lang, item: Testimonial) -> discord.Embed:
    """The published testimonial, with or without the author's name as they consented."""
    embed = discord.Embed(
        title=clip(
            t._("{campaign}: a story from {city}", campaign=inert(item.campaign_name), city=inert(item.city)),
            256,
        ),
        description=story_text(item.story),
        colour=APPROVED_COLOUR,
        timestamp=item.submitted_at,
    )
    who = inert(item.author_name) if item.consent_scope == "named" else t._("A member of the community")
    embed.set_author(name=clip(f"{who} · {group_name(t, item.target_group)}", 256))
    licence = LICENCES[item.licence]
    embed.set_footer(
        text=t._("Testimonial #{id} · {licence} ({url})", id=item.id, licence=licence.short, url=licence.url)
    )
    name = photo_filename(item)
    if name is not None:
        embed.set_image(url=f"attachment://{name}")
    return embed


def decided_status(t: Lang, item: Testimonial, moderator: str, note: str) -> str:
    """The footer of a decided card: what, by whom, and what happened next (note already in t)."""
    if item.status == "approved":
        text = t._("Approved by {moderator}. {note}", moderator=moderator, note=note)
    else:
        text = t._("Rejected by {moderator}. {note}", moderator=moderator, note=note)
    return clip(text, 2048)


def campaign_lines(t: Lang, summaries: list[CampaignSummary], now: datetime) -> list[str]:
    """One line per campaign: name, open or closed, closing time and counts."""
    lines = []
    for s in summaries:
        c, name, licence = s.campaign, inert(s.campaign.name), LICENCES[s.campaign.licence].short
        counts = t._("{approved} approved, {pending} waiting", approved=s.approved, pending=s.pending)
        if not c.accepts_submissions(now):
            line = t._("**{name}** (closed; {counts}; {licence})", name=name, counts=counts, licence=licence)
        elif c.closes_at is not None:
            line = t._(
                "**{name}** (open, closes {when}; {counts}; {licence})",
                name=name, when=discord_timestamp(c.closes_at, "R"), counts=counts, licence=licence,
            )  # fmt: skip
        else:
            line = t._("**{name}** (open; {counts}; {licence})", name=name, counts=counts, licence=licence)
        lines.append(line)
    return lines


def mine_lines(t: Lang, items: list[Testimonial]) -> list[str]:
    """One line per testimonial of the member: id, campaign, state, where it stands."""
    lines = []
    for item in items:
        if item.status == "approved":
            state = t._("published") if item.showcase_message_id else t._(SCOPE_SHORT[item.consent_scope])
        elif item.status == "rejected":
            state = t._("not accepted")
        else:
            state = t._("waiting for a moderator")
        lines.append(
            t._(
                "`#{id}` **{campaign}**: {state}, submitted {when}",
                id=item.id, campaign=inert(item.campaign_name), state=state,
                when=discord_timestamp(item.submitted_at, "R"),
            )
        )  # fmt: skip
    return lines
