"""The /poll commands, the vote path, live tallies and closing (by command, timer or on start)."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import NotFoundError, ValidationError
from bot.guards import moderator_only
from bot.replies import clip
from bot.scheduling import utcnow
from cogs.polls.chart import render_chart
from cogs.polls.export import export_files, fit_uploads
from cogs.polls.live import EDIT_INTERVAL, Coalescer
from cogs.polls.render import (
    chart_filename,
    closed_embed,
    hidden_results_text,
    poll_choice_name,
    poll_embed,
    results_embed,
)
from cogs.polls.rules import parse_closes_in, parse_options, validate_question
from cogs.polls.tally import confirmation_text, refusal_text, results_text
from cogs.polls.views import COG_NAME, NO_POLL, VoteButton, poll_view
from storage.polls import ClickAction, Poll, PollResults, PollsRepository, VoteRefusal

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

JOB_PREFIX = "poll:"
AUTOCOMPLETE_LIMIT = 25
THREAD_TYPES = frozenset(
    {discord.ChannelType.public_thread, discord.ChannelType.private_thread, discord.ChannelType.news_thread}
)


def close_job_id(poll_id: int) -> str:
    """The timeline job id of a poll's automatic close."""
    return f"{JOB_PREFIX}{poll_id}"


def missing_post_permissions(permissions: discord.Permissions, in_thread: bool) -> list[str]:
    """Name what the bot lacks to post a poll where the command was typed."""
    needs = ["view_channel", "send_messages_in_threads" if in_thread else "send_messages", "embed_links"]
    return [name.replace("_", " ") for name in needs if not getattr(permissions, name)]


class PollsCog(commands.Cog, name=COG_NAME):
    """Button polls: one vote per member enforced by the database, coalesced live tallies."""

    poll_group = app_commands.Group(
        name="poll", description="Button polls: create, close, see results, export", guild_only=True
    )

    def __init__(self, bot: ClimaBot, repo: PollsRepository) -> None:
        """Keep the bot (timeline, HTTP) and the polls repository."""
        self.bot = bot
        self.repo = repo
        self.refresher: Coalescer[int] = Coalescer(self.repaint, interval=EDIT_INTERVAL)
        # Polls whose message edit failed: warn once per poll, and stop editing a deleted message.
        self._edit_warned: set[int] = set()
        self._message_gone: set[int] = set()

    async def cog_load(self) -> None:
        """Take clicks on every poll ever posted, schedule open polls' closes and repaint their messages.

        Repainting from the database fixes a tally left stale by a stop before its edit, and shows the
        final results of a poll closed just before the bot died (an overdue poll closes instead).
        """
        self.bot.add_dynamic_items(VoteButton)
        now = utcnow()
        polls = await self.repo.polls_to_resume()
        for poll in polls:
            if poll.is_open:
                self.schedule_close(poll)
            if poll.message_id is not None and (not poll.is_open or poll.accepts_votes(now)):
                self.refresher.request(poll.id)
        if polls:
            log.info("resumed %d polls (closes scheduled, messages repainted)", len(polls))

    async def cog_unload(self) -> None:
        """Stop taking clicks, forget the close timers (the database keeps them) and flush tallies."""
        self.bot.remove_dynamic_items(VoteButton)
        for job_id in self.bot.timeline.pending(JOB_PREFIX):
            self.bot.timeline.cancel(job_id)
        await self.refresher.aclose()

    # --- voting ---------------------------------------------------------------------------------

    async def vote(self, interaction: discord.Interaction[Any], poll_id: int, option_index: int) -> None:
        """Apply a click in one transaction, confirm it privately at once, then refresh the tally later."""
        if poll_id == NO_POLL:
            await interaction.response.send_message(refusal_text(VoteRefusal.NOT_FOUND), ephemeral=True)
            return
        result = await self.repo.cast_vote(poll_id, interaction.user.id, option_index, interaction.created_at)
        repaint = result.accepted and result.action is not ClickAction.UNCHANGED
        if result.refused is not None:
            text = refusal_text(result.refused)
            poll = None if result.results is None else result.results.poll
            if result.refused is VoteRefusal.CLOSED and poll is not None:
                if poll.is_open:
                    # Its closing time passed but the timer has not run yet: close it now.
                    self.bot.timeline.run_at(close_job_id(poll_id), utcnow(), self.close_when_due, poll_id)
                elif poll.results_posted_at is None:
                    # The message still has buttons: its final edit failed earlier; try it again.
                    repaint = True
        else:
            assert result.results is not None and result.action is not None
            text = confirmation_text(result.action, result.results.poll.options, result.choices)
        try:
            await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException as error:
            # The click is already recorded; only the private confirmation is lost (e.g. it expired).
            log.warning(
                "could not confirm a click on poll %s (HTTP %s, code %s); the database has it",
                poll_id,
                error.status,
                error.code,
            )
        # After the answer, so the confirmation never waits behind a message edit.
        if repaint:
            self.refresher.request(poll_id)

    async def repaint(self, poll_id: int) -> None:
        """Make the poll message show what the database holds: the live tally, or unshown final results."""
        results = await self.repo.results(poll_id)
        if results is None or results.poll.message_id is None:
            return
        poll = results.poll
        if not poll.is_open:
            if poll.results_posted_at is None:
                await self._show_final(results)
            return
        if poll_id in self._message_gone:
            return
        try:
            await self._poll_message(poll).edit(embed=poll_embed(results))
        except discord.NotFound as error:
            self._message_gone.add(poll_id)
            self._warn_edit_failed(poll_id, error)
        except discord.HTTPException as error:
            self._warn_edit_failed(poll_id, error)

    def _warn_edit_failed(self, poll_id: int, error: discord.HTTPException) -> None:
        """Log a failed tally edit once per poll; the votes are safe in the database either way."""
        if poll_id in self._edit_warned:
            return
        self._edit_warned.add(poll_id)
        log.warning(
            "could not update the tally of poll %s (HTTP %s, code %s); votes are still counted",
            poll_id,
            error.status,
            error.code,
        )

    def _poll_message(self, poll: Poll) -> discord.PartialMessage:
        """The poll's message, addressed without fetching it."""
        assert poll.message_id is not None
        channel = self.bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)
        return channel.get_partial_message(poll.message_id)

    # --- closing --------------------------------------------------------------------------------

    def schedule_close(self, poll: Poll) -> None:
        """Close the poll at its closing time (at once if that passed while the bot was down)."""
        if poll.closes_at is not None:
            self.bot.timeline.run_at(close_job_id(poll.id), poll.closes_at, self.close_when_due, poll.id)

    async def close_when_due(self, poll_id: int) -> None:
        """The timer's job: close the poll; errors are logged (nobody is waiting for an answer)."""
        try:
            await self.close_poll(poll_id)
        except Exception:
            log.exception("closing poll %s on time failed", poll_id)

    async def close_poll(self, poll_id: int) -> PollResults | None:
        """Close the poll and show its final results; None if it was missing or already closed.

        No tally edit can run while closing, so the final results are the last thing the message shows.
        """
        self.bot.timeline.cancel(close_job_id(poll_id))
        async with self.refresher.exclusive(poll_id):
            results = await self.repo.close(poll_id, utcnow())
            if results is None:
                return None
            await self._show_final(results)
        self._edit_warned.discard(poll_id)
        self._message_gone.discard(poll_id)
        return results

    async def _show_final(self, results: PollResults) -> None:
        """Replace the buttons and live tally with the final results and a bar chart, and record it.

        The record is written once the edit succeeded or can never succeed (message or channel gone);
        until then the next start, or a click on the stale buttons, tries again.
        """
        poll = results.poll
        if poll.message_id is not None and poll.id not in self._message_gone:
            try:
                await self._poll_message(poll).edit(**await self._final_message(results), view=None)
            except discord.NotFound as error:
                self._warn_final_failed(poll.id, error, "its message is gone")
            except discord.HTTPException as error:
                self._warn_final_failed(poll.id, error, "tried again on the next start or click")
                return
            except Exception:
                log.exception(
                    "showing the final results of poll %s failed; tried again on next start", poll.id
                )
                return
        await self.repo.mark_results_posted(poll.id, utcnow())

    async def _final_message(self, results: PollResults) -> dict[str, Any]:
        """The closed poll's embed and chart attachment (text only if the chart cannot be drawn)."""
        poll = results.poll
        png: bytes | None = None
        try:
            png = await asyncio.to_thread(
                render_chart,
                poll.question,
                poll.options,
                results.counts,
                voters=results.voters,
                multiple=poll.multiple,
            )
        except Exception:
            log.exception("drawing the results chart of poll %s failed; posting text only", poll.id)
        name = chart_filename(poll.id)
        files = [] if png is None else [discord.File(io.BytesIO(png), filename=name)]
        return {"embed": closed_embed(results, chart=None if png is None else name), "attachments": files}

    @staticmethod
    def _warn_final_failed(poll_id: int, error: discord.HTTPException, outcome: str) -> None:
        """Log that a closed poll's message could not be edited to its final results."""
        log.warning(
            "could not show the final results of poll %s (HTTP %s, code %s); %s",
            poll_id,
            error.status,
            error.code,
            outcome,
        )

    # --- commands -------------------------------------------------------------------------------

    @poll_group.command(name="create", description="Post a button poll in this channel")
    @app_commands.describe(
        question="What members vote on (up to 300 characters)",
        options="2 to 20 options separated by ; for example: Energy; Mobility; Buildings",
        closes_in="How long it stays open, e.g. 90m, 2h, 3d (up to 90d); empty: until /poll close",
        multiple="Members may choose several options",
        anonymous="Nobody, moderators included, can see who voted for what",
        hide_results="Show only the number of voters until the poll closes",
    )
    @moderator_only()
    async def create(
        self,
        interaction: discord.Interaction[Any],
        question: str,
        options: str,
        closes_in: str | None = None,
        multiple: bool = False,
        anonymous: bool = False,
        hide_results: bool = False,
    ) -> None:
        """Validate, store the poll, post its message here, and tell the moderator its id."""
        assert interaction.guild_id is not None
        text = validate_question(question)
        labels = parse_options(options)
        duration = parse_closes_in(closes_in) if closes_in is not None and closes_in.strip() else None
        in_thread = interaction.channel is not None and interaction.channel.type in THREAD_TYPES
        missing = missing_post_permissions(interaction.app_permissions, in_thread)
        if missing:
            raise ValidationError(
                f"I cannot post a poll in this channel: I lack {', '.join(missing)}. "
                "Give me these permissions here or run the command in another channel."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = utcnow()
        poll = await self.repo.create(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id or 0,
            question=text,
            options=labels,
            created_by=interaction.user.id,
            now=now,
            closes_at=None if duration is None else now + duration,
            multiple=multiple,
            anonymous=anonymous,
            hide_results=hide_results,
        )
        message = await self._post(interaction, poll)
        await self.repo.set_message(poll.id, message.channel.id, message.id)
        self.schedule_close(poll)
        closing = "" if poll.closes_at is None else " It closes by itself when its time is up."
        await interaction.followup.send(
            f"Poll #{poll.id} is posted: {message.jump_url}.{closing} "
            f"Close it early with `/poll close {poll.id}`.",
            ephemeral=True,
        )

    async def _post(self, interaction: discord.Interaction[Any], poll: Poll) -> discord.Message:
        """Post the poll message where the command was typed; if that fails, the poll is deleted."""
        channel = self.bot.get_partial_messageable(interaction.channel_id or 0, guild_id=interaction.guild_id)
        try:
            return await channel.send(
                embed=poll_embed(PollResults(poll, (0,) * len(poll.options), 0)), view=poll_view(poll)
            )
        except discord.HTTPException as error:
            await self.repo.delete(poll.id)
            said = clip(error.text or str(error.status), 120)
            raise ValidationError(
                f"I could not post the poll in this channel (Discord said: {said}); "
                "nothing was saved. Check my permissions here and try again."
            ) from None
        except BaseException:
            await self.repo.delete(poll.id)
            raise

    @poll_group.command(name="close", description="Close a poll now and show its final results")
    @app_commands.describe(poll_id="The poll's number (shown on the poll message)")
    @moderator_only()
    async def close(self, interaction: discord.Interaction[Any], poll_id: app_commands.Range[int, 1]) -> None:
        """Close an open poll of this server; its message then shows the results and a chart."""
        poll = await self._guild_poll(interaction, poll_id)
        if not poll.is_open:
            raise ValidationError(f"Poll #{poll.id} is already closed. See `/poll results {poll.id}`.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        results = await self.close_poll(poll.id)
        if results is None:
            await interaction.followup.send(f"Poll #{poll.id} was already closed.", ephemeral=True)
            return
        summary = results_text(
            results.poll.question,
            results.poll.options,
            results.counts,
            voters=results.voters,
            multiple=results.poll.multiple,
        )
        await interaction.followup.send(
            clip(f"Poll #{poll.id} is closed; its message now shows the final results.\n\n{summary}"),
            ephemeral=True,
        )

    @poll_group.command(name="results", description="See a poll's results (hidden ones only once it closed)")
    @app_commands.describe(poll_id="The poll's number (shown on the poll message)")
    async def results(
        self, interaction: discord.Interaction[Any], poll_id: app_commands.Range[int, 1]
    ) -> None:
        """Show the counts of a poll of this server, unless they are hidden while it is open."""
        assert interaction.guild_id is not None
        results = await self.repo.results(poll_id, guild_id=interaction.guild_id)
        if results is None:
            raise NotFoundError(self._not_found(poll_id))
        if results.poll.is_open and results.poll.hide_results:
            await interaction.response.send_message(hidden_results_text(results), ephemeral=True)
            return
        await interaction.response.send_message(embed=results_embed(results), ephemeral=True)

    @poll_group.command(name="export", description="Download a poll's results (and ballots) as CSV")
    @app_commands.describe(poll_id="The poll's number (shown on the poll message)")
    @moderator_only()
    async def export(
        self, interaction: discord.Interaction[Any], poll_id: app_commands.Range[int, 1]
    ) -> None:
        """Send `option,votes` and, unless the poll is anonymous, `voter_id,option,voted_at` as files."""
        poll = await self._guild_poll(interaction, poll_id)
        if poll.is_open and poll.hide_results:
            raise ValidationError(
                f"The results of poll #{poll.id} are hidden until it closes; export it after "
                f"`/poll close {poll.id}` or its closing time."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        export = await self.repo.export_rows(poll.id)
        if export is None:
            raise NotFoundError(self._not_found(poll_id))
        uploads, left_out = fit_uploads(export_files(export), interaction.filesize_limit)
        if export.ballots is None:
            note = "Anonymous poll: results only; its ballots are never exported."
        else:
            note = f"Results and {len(export.ballots)} ballots (voter_id,option,voted_at; UTC)."
        if any(upload.filename.endswith(".zip") for upload in uploads):
            note += " Files over this server's upload limit are zipped."
        if left_out:
            note += f" Left out, too large to upload even zipped: {', '.join(left_out)}."
        state = "open, counts so far" if poll.is_open else "closed"
        files = [discord.File(io.BytesIO(upload.data), filename=upload.filename) for upload in uploads]
        await interaction.followup.send(f"Poll #{poll.id} ({state}). {note}", files=files, ephemeral=True)

    @close.autocomplete("poll_id")
    @results.autocomplete("poll_id")
    @export.autocomplete("poll_id")
    async def _poll_id_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        """Offer this server's open polls whose number or question matches what was typed."""
        if interaction.guild_id is None:
            return []
        needle = str(current or "").strip().lstrip("#").casefold()
        polls = await self.repo.open_polls(interaction.guild_id)
        matches = [
            poll
            for poll in polls
            if not needle or str(poll.id).startswith(needle) or needle in poll.question.casefold()
        ]
        return [
            app_commands.Choice(name=poll_choice_name(poll), value=poll.id)
            for poll in matches[:AUTOCOMPLETE_LIMIT]
        ]

    async def _guild_poll(self, interaction: discord.Interaction[Any], poll_id: int) -> Poll:
        """The poll of this server with that id, or a NotFoundError saying how to find one."""
        assert interaction.guild_id is not None
        poll = await self.repo.get(poll_id, guild_id=interaction.guild_id)
        if poll is None:
            raise NotFoundError(self._not_found(poll_id))
        return poll

    @staticmethod
    def _not_found(poll_id: int) -> str:
        """The reply when no poll of this server has that id."""
        return (
            f"There is no poll #{poll_id} in this server. The number is in the poll message's title; "
            "start typing to pick an open poll."
        )
