"""Embeds of the poll message (open and closed) and of results replies."""

from __future__ import annotations

import discord

from bot.replies import clip
from bot.timestamps import discord_timestamp, full_and_relative
from cogs.polls.tally import escape_markdown, results_text, tally_text, voters_phrase
from storage.polls import Poll, PollResults

DESCRIPTION_LIMIT = 4096
OPEN_COLOUR = discord.Colour.blurple()
CLOSED_COLOUR = discord.Colour.dark_grey()


def chart_filename(poll_id: int) -> str:
    """The name of the results chart attached to a closed poll's message."""
    return f"poll-{poll_id}-results.png"


def ballot_rules(poll: Poll) -> str:
    """How voting works in this poll, and what is kept secret."""
    if poll.multiple:
        lines = ["Multiple choice: click options to add or remove them."]
    else:
        lines = [
            "Single choice: click an option to vote, another to move your vote, yours again to withdraw."
        ]
    if poll.anonymous:
        lines.append("Anonymous: nobody, moderators included, can see who voted for what.")
    if poll.hide_results:
        lines.append("Results are hidden until the poll closes.")
    return "\n".join(lines)


def poll_embed(results: PollResults) -> discord.Embed:
    """The open poll message: question, live tally (or voter count if hidden), closing time, rules."""
    poll = results.poll
    tally = tally_text(
        poll.options,
        results.counts,
        voters=results.voters,
        multiple=poll.multiple,
        hidden=poll.hide_results,
    )
    description = f"**{escape_markdown(poll.question)}**\n\n{tally}"
    embed = discord.Embed(
        title=f"Poll #{poll.id}", description=clip(description, DESCRIPTION_LIMIT), colour=OPEN_COLOUR
    )
    if poll.closes_at is not None:
        embed.add_field(name="Closes", value=full_and_relative(poll.closes_at), inline=False)
    else:
        embed.add_field(name="Closes", value=f"When a moderator runs `/poll close {poll.id}`", inline=False)
    embed.add_field(name="How to vote", value=ballot_rules(poll), inline=False)
    return embed


def closed_embed(results: PollResults, *, chart: str | None) -> discord.Embed:
    """The closed poll message: final results, when it closed, and the chart if there is one."""
    poll = results.poll
    text = results_text(
        poll.question, poll.options, results.counts, voters=results.voters, multiple=poll.multiple
    )
    embed = discord.Embed(
        title=f"Poll #{poll.id} (closed)", description=clip(text, DESCRIPTION_LIMIT), colour=CLOSED_COLOUR
    )
    if poll.closed_at is not None:
        embed.add_field(name="Closed", value=discord_timestamp(poll.closed_at, "F"), inline=False)
    if poll.anonymous:
        embed.add_field(
            name="Anonymous", value="Ballots were secret and were destroyed at close.", inline=False
        )
    if chart is not None:
        embed.set_image(url=f"attachment://{chart}")
    return embed


def results_embed(results: PollResults) -> discord.Embed:
    """The reply to /poll results: current (or final) counts and who leads (or won)."""
    poll = results.poll
    text = results_text(
        poll.question,
        poll.options,
        results.counts,
        voters=results.voters,
        multiple=poll.multiple,
        closed=not poll.is_open,
    )
    state = "final results" if not poll.is_open else "results so far"
    return discord.Embed(
        title=f"Poll #{poll.id}: {state}",
        description=clip(text, DESCRIPTION_LIMIT),
        colour=CLOSED_COLOUR if not poll.is_open else OPEN_COLOUR,
    )


def hidden_results_text(results: PollResults) -> str:
    """The reply to /poll results while the results of an open poll are hidden."""
    poll = results.poll
    when = f" ({full_and_relative(poll.closes_at)})" if poll.closes_at is not None else ""
    return (
        f"The results of poll #{poll.id} are hidden until it closes{when}. "
        f"{voters_phrase(results.voters)} so far."
    )


def poll_choice_name(poll: Poll) -> str:
    """An autocomplete label for a poll: `#12 · question` within Discord's 100 characters."""
    return clip(f"#{poll.id} · {' '.join(poll.question.split())}", 100)
