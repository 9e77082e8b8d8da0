"""What testimonials look like on Discord: moderation cards, showcase posts, lists."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.consent import LICENCES, wording
from bot.replies import clip
from bot.target_groups import TARGET_GROUPS
from bot.timestamps import discord_timestamp
from storage.testimonials import CampaignSummary, Testimonial

PENDING_COLOUR = discord.Colour.gold()
APPROVED_COLOUR = discord.Colour.green()
REJECTED_COLOUR = discord.Colour.red()
SCOPE_SHORT = {"named": "publish with name", "anonymous": "publish anonymously", "research": "research only"}


def inert(text: str) -> str:
    """Member text made unable to ping or break layout: mentions defused, markdown escaped."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


EMBED_DESCRIPTION = 4096


def story_text(text: str) -> str:
    """A story for an embed: the member's formatting kept, mentions defused, within the description limit."""
    # Defusing adds a character per mention, so a 4,000-character story can outgrow the limit.
    return clip(discord.utils.escape_mentions(text), EMBED_DESCRIPTION)


def photo_filename(item: Testimonial) -> str | None:
    """The file name the item's photo is attached under, if it has one."""
    if item.media is None:
        return None
    return f"testimonial-{item.id}{item.media.relpath[item.media.relpath.rfind('.') :]}"


def moderation_embed(item: Testimonial, *, status: str | None = None) -> discord.Embed:
    """The card moderators decide on; `status` replaces the pending footer once decided."""
    colour = {"approved": APPROVED_COLOUR, "rejected": REJECTED_COLOUR}.get(item.status, PENDING_COLOUR)
    embed = discord.Embed(
        title=clip(f"Testimonial #{item.id} · {item.campaign_name}", 256),
        description=story_text(item.story),
        colour=colour,
        timestamp=item.submitted_at,
    )
    embed.add_field(name="Author", value=f"<@{item.author_id}> ({inert(item.author_name)})"[:1024])
    embed.add_field(name="City", value=inert(item.city)[:1024])
    embed.add_field(name="Group", value=TARGET_GROUPS.get(item.target_group, item.target_group))
    embed.add_field(name="Consent", value=wording(item.consent_version).scopes[item.consent_scope][0])
    embed.add_field(name="Licence", value=LICENCES[item.licence].short)
    name = photo_filename(item)
    if name is not None:
        embed.set_image(url=f"attachment://{name}")
    embed.set_footer(text=status or "Waiting for a moderator: Approve or Reject below.")
    return embed


def showcase_embed(item: Testimonial) -> discord.Embed:
    """The published testimonial, with or without the author's name as they consented."""
    embed = discord.Embed(
        title=clip(f"{inert(item.campaign_name)}: a story from {inert(item.city)}", 256),
        description=story_text(item.story),
        colour=APPROVED_COLOUR,
        timestamp=item.submitted_at,
    )
    who = inert(item.author_name) if item.consent_scope == "named" else "A member of the community"
    embed.set_author(name=clip(f"{who} · {TARGET_GROUPS.get(item.target_group, '')}", 256))
    licence = LICENCES[item.licence]
    embed.set_footer(text=f"Testimonial #{item.id} · {licence.short} ({licence.url})")
    name = photo_filename(item)
    if name is not None:
        embed.set_image(url=f"attachment://{name}")
    return embed


def decided_status(item: Testimonial, moderator: str, note: str) -> str:
    """The footer of a decided card: what, by whom, and what happened next."""
    verb = "Approved" if item.status == "approved" else "Rejected"
    return clip(f"{verb} by {moderator}. {note}", 2048)


def campaign_lines(summaries: list[CampaignSummary], now: datetime) -> list[str]:
    """One line per campaign: name, open or closed, closing time and counts."""
    lines = []
    for s in summaries:
        c = s.campaign
        if c.accepts_submissions(now):
            state = "open" + (f", closes {discord_timestamp(c.closes_at, 'R')}" if c.closes_at else "")
        else:
            state = "closed"
        counts = f"{s.approved} approved, {s.pending} waiting"
        lines.append(f"**{inert(c.name)}** ({state}; {counts}; {LICENCES[c.licence].short})")
    return lines


def mine_lines(items: list[Testimonial]) -> list[str]:
    """One line per testimonial of the member: id, campaign, state, where it stands."""
    lines = []
    for t in items:
        if t.status == "approved":
            state = "published" if t.showcase_message_id else f"approved ({SCOPE_SHORT[t.consent_scope]})"
        elif t.status == "rejected":
            state = "not accepted"
        else:
            state = "waiting for a moderator"
        when = discord_timestamp(t.submitted_at, "R")
        lines.append(f"`#{t.id}` **{inert(t.campaign_name)}**: {state}, submitted {when}")
    return lines
