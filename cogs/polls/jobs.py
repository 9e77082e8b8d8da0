"""Poll work that happens later, not in answer to a command: closing on time and keeping messages exact.

- Closing: each open poll with a closing time has a timeline job (`poll:<id>`); on start every open
  poll's close is scheduled again (one whose time passed while the bot was down closes at once).
- Tallies: a vote asks for a repaint, which the Coalescer runs at most once per interval per poll;
  on start every open poll's message is repainted once from the database.
- Final results: a closed poll's message gets the results and a chart; the database records when
  that edit succeeded, so a start (or a click on the stale buttons) tries again until it does.
- Language: the poll message is public, so it speaks the server's language, looked up once per
  repaint (the languages service caches it), never per vote.
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.coalescer import EDIT_INTERVAL, Coalescer
from bot.scheduling import utcnow
from cogs.polls.chart import render_chart
from cogs.polls.render import chart_filename, closed_embed, poll_embed
from storage.polls import Poll, PollResults, PollsRepository

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

JOB_PREFIX = "poll:"


def close_job_id(poll_id: int) -> str:
    """The timeline job id of a poll's automatic close."""
    return f"{JOB_PREFIX}{poll_id}"


class PollJobs:
    """Closes polls on time and keeps their messages showing what the database holds."""

    def __init__(self, bot: ClimaBot, repo: PollsRepository) -> None:
        """Keep the bot (timeline, HTTP) and the polls repository."""
        self.bot = bot
        self.repo = repo
        self.refresher: Coalescer[int] = Coalescer(self.repaint, interval=EDIT_INTERVAL)
        # Polls whose message edit failed: warn once per poll, and stop editing a deleted message.
        self._edit_warned: set[int] = set()
        self._message_gone: set[int] = set()

    async def resume(self) -> None:
        """Schedule open polls' closes and repaint their messages from the database.

        Repainting fixes a tally left stale by a stop before its edit, and shows the final results
        of a poll closed just before the bot died (an overdue poll closes instead).
        """
        now = utcnow()
        polls = await self.repo.polls_to_resume()
        for poll in polls:
            if poll.is_open:
                self.schedule_close(poll)
            if poll.message_id is not None and (not poll.is_open or poll.accepts_votes(now)):
                self.refresher.request(poll.id)
        if polls:
            log.info("resumed %d polls (closes scheduled, messages repainted)", len(polls))

    async def stop(self) -> None:
        """Forget the close timers (the database keeps them) and flush pending tally edits."""
        self.bot.timeline.cancel_prefixed(JOB_PREFIX)
        await self.refresher.aclose()

    # --- closing --------------------------------------------------------------------------------

    def schedule_close(self, poll: Poll) -> None:
        """Close the poll at its closing time (at once if that passed while the bot was down)."""
        if poll.closes_at is not None:
            self.bot.timeline.run_at(close_job_id(poll.id), poll.closes_at, self.close_when_due, poll.id)

    def close_now(self, poll_id: int) -> None:
        """Close a poll whose closing time passed before its timer ran (a click noticed it)."""
        self.bot.timeline.run_at(close_job_id(poll_id), utcnow(), self.close_when_due, poll_id)

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

    # --- the poll message -----------------------------------------------------------------------

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
        t = await self.bot.languages.for_guild(poll.guild_id)
        try:
            await self._poll_message(poll).edit(embed=poll_embed(t, results))
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
        t = await self.bot.languages.for_guild(poll.guild_id)
        png: bytes | None = None
        try:
            png = await asyncio.to_thread(
                render_chart,
                t,
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
        return {"embed": closed_embed(t, results, chart=None if png is None else name), "attachments": files}

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
