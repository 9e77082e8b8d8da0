"""Embeds of the poll message (open and closed) and of results replies, in one language.

The poll message is public, so the caller passes the server's language; results replies are
ephemeral and get the member's.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.i18n import Lang
from bot.replies import clip
from bot.timestamps import discord_timestamp, full_and_relative
from cogs.polls.tally import escape_markdown, results_text, tally_text
from storage.polls import Poll, PollResults

DESCRIPTION_LIMIT = 4096
OPEN_COLOUR = discord.Colour.blurple()
CLOSED_COLOUR = discord.Colour.dark_grey()


def chart_filename(poll_id: int) -> str:
    """The name of the results chart attached to a closed poll's message."""
    return f"poll-{poll_id}-results.png"


def ballot_rules(t: Lang, poll: Poll) -> str:
    """How voting works in this poll, and what is kept secret."""
    if poll.multiple:
        lines = [t._("Multiple choice: click options to add or remove them.")]
    else:
        lines = [
            t._("Single choice: click an option to vote, another to move your vote, yours again to withdraw.")
        ]
    if poll.anonymous:
        lines.append(t._("Anonymous: nobody, moderators included, can see who voted for what."))
    if poll.hide_results:
        lines.append(t._("Results are hidden until the poll closes."))
    return "\n".join(lines)


def poll_embed(t: Lang, results: PollResults) -> discord.Embed:
    """The open poll message: question, live tally (or voter count if hidden), closing time, rules."""
    poll = results.poll
    tally = tally_text(
        t,
        poll.options,
        results.counts,
        voters=results.voters,
        multiple=poll.multiple,
        hidden=poll.hide_results,
    )
    description = f"**{escape_markdown(poll.question)}**\n\n{tally}"
    embed = discord.Embed(
        # Translators: the title of a poll message; {id} is the poll's number.
        title=t._("Poll #{id}", id=poll.id),
        description=clip(description, DESCRIPTION_LIMIT),
        colour=OPEN_COLOUR,
    )
    # Translators: the heading above when a poll closes.
    closes = t._("Closes")
    if poll.closes_at is not None:
        embed.add_field(name=closes, value=full_and_relative(poll.closes_at), inline=False)
    else:
        embed.add_field(
            name=closes, value=t._("When a moderator runs `/poll close {id}`", id=poll.id), inline=False
        )
    embed.add_field(name=t._("How to vote"), value=ballot_rules(t, poll), inline=False)
    return embed


def closed_embed(t: Lang, results: PollResults, *, chart: str | None) -> discord.Embed:
    """The closed poll message: final results, when it closed, and the chart if there is one."""
    poll = results.poll
    text = results_text(
        t, poll.question, poll.options, results.counts, voters=results.voters, multiple=poll.multiple
    )
    embed = discord.Embed(
        title=t._("Poll #{id} (closed)", id=poll.id),
        description=clip(text, DESCRIPTION_LIMIT),
        colour=CLOSED_COLOUR,
    )
    if poll.closed_at is not None:
        # Translators: the heading above when a poll was closed.
        embed.add_field(name=t._("Closed"), value=discord_timestamp(poll.closed_at, "F"), inline=False)
    if poll.anonymous:
        embed.add_field(
            # Translators: the heading of the note that a poll's ballots were secret.
            name=t._("Anonymous"),
            value=t._("Ballots were secret and were destroyed at close."),
            inline=False,
        )
    if chart is not None:
        embed.set_image(url=f"attachment://{chart}")
    return embed


def results_embed(t: Lang, results: PollResults) -> discord.Embed:
    """The reply to /poll results: current (or final) counts and who leads (or won)."""
    poll = results.poll
    text = results_text(
        t,
        poll.question,
        poll.options,
        results.counts,
        voters=results.voters,
        multiple=poll.multiple,
        closed=not poll.is_open,
    )
    if poll.is_open:
        title = t._("Poll #{id}: results so far", id=poll.id)
    else:
        title = t._("Poll #{id}: final results", id=poll.id)
    return discord.Embed(
        title=title,
        description=clip(text, DESCRIPTION_LIMIT),
        colour=CLOSED_COLOUR if not poll.is_open else OPEN_COLOUR,
    )


def hidden_results_text(t: Lang, results: PollResults) -> str:
    """The reply to /poll results while the results of an open poll are hidden."""
    poll = results.poll
    if poll.closes_at is not None:
        hidden = t._(
            "The results of poll #{id} are hidden until it closes ({when}).",
            id=poll.id,
            when=full_and_relative(poll.closes_at),
        )
    else:
        hidden = t._("The results of poll #{id} are hidden until it closes.", id=poll.id)
    voters = results.voters
    if voters == 0:
        so_far = t._("Nobody has voted so far.")
    else:
        so_far = t.ngettext("{n} member has voted so far.", "{n} members have voted so far.", voters)
    return " ".join([hidden, so_far])


def export_note(t: Lang, poll: Poll, ballots: int | None, *, zipped: bool, left_out: Sequence[str]) -> str:
    """The reply beside the files of /poll export: what they hold and what did not fit."""
    if poll.is_open:
        sentences = [t._("Poll #{id} (open, counts so far).", id=poll.id)]
    else:
        sentences = [t._("Poll #{id} (closed).", id=poll.id)]
    if ballots is None:
        sentences.append(t._("Anonymous poll: results only; its ballots are never exported."))
    else:
        # Translators: voter_id,option,voted_at are the CSV's column names; they stay in English.
        sentences.append(
            t.ngettext(
                "Results and {n} ballot (voter_id,option,voted_at; UTC).",
                "Results and {n} ballots (voter_id,option,voted_at; UTC).",
                ballots,
            )
        )
    if zipped:
        sentences.append(t._("Files over this server's upload limit are zipped."))
    if left_out:
        sentences.append(
            t._("Left out, too large to upload even zipped: {files}.", files=", ".join(left_out))
        )
    return " ".join(sentences)


def poll_choice_name(poll: Poll) -> str:
    """An autocomplete label for a poll: `#12 · question` within Discord's 100 characters."""
    return clip(f"#{poll.id} · {' '.join(poll.question.split())}", 100)
