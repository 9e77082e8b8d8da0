"""The /poll commands and the vote path; closing and message upkeep are in jobs.py.

Languages: replies and the vote confirmation speak the member's language (`for_interaction`, cached,
so a click costs no extra database read); the poll message speaks the server's (`for_guild`).
Slash descriptions are English msgids marked with N_; the bot's CommandTranslator localises them.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.coalescer import Coalescer
from bot.cog_base import ClimaCog
from bot.discord_steps import create_then_record
from bot.errors import NotFoundError, ValidationError
from bot.guards import moderator_only
from bot.i18n import N_
from bot.member_data import MemberDataHolder
from bot.replies import clip
from bot.scheduling import utcnow
from cogs.polls.export import export_files, fit_uploads
from cogs.polls.jobs import PollJobs
from cogs.polls.member_data import PollsMemberData
from cogs.polls.render import export_note, hidden_results_text, poll_choice_name, poll_embed, results_embed
from cogs.polls.rules import parse_closes_in, parse_options, validate_question, vote_target_in_range
from cogs.polls.tally import confirmation_text, refusal_text, results_text
from cogs.polls.views import COG_NAME, VoteButton, VoteHandler, poll_view
from storage.polls import ClickAction, Poll, PollResults, PollsRepository, VoteRefusal

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

AUTOCOMPLETE_LIMIT = 25
POLL_ID_DESCRIPTION = N_("The poll's number (shown on the poll message)")
THREAD_TYPES = frozenset(
    {discord.ChannelType.public_thread, discord.ChannelType.private_thread, discord.ChannelType.news_thread}
)


def missing_post_permissions(permissions: discord.Permissions, in_thread: bool) -> list[str]:
    """Name what the bot lacks to post a poll where the command was typed."""
    needs = ["view_channel", "send_messages_in_threads" if in_thread else "send_messages", "embed_links"]
    return [name.replace("_", " ") for name in needs if not getattr(permissions, name)]


class PollsCog(ClimaCog, name=COG_NAME):
    """Button polls: one vote per member enforced by the database, coalesced live tallies."""

    poll_group = app_commands.Group(
        name="poll", description=N_("Button polls: create, close, see results, export"), guild_only=True
    )

    dynamic_items = (VoteButton,)

    def __init__(self, bot: ClimaBot, repo: PollsRepository) -> None:
        """Keep the bot, the polls repository and the poll jobs (closing, message upkeep)."""
        super().__init__(bot)
        self.repo = repo
        self.jobs = PollJobs(bot, repo)

    @property
    def refresher(self) -> Coalescer[int]:
        """The coalesced tally refresher (ask it to repaint a poll's message)."""
        return self.jobs.refresher

    def member_data(self) -> MemberDataHolder:
        """Members' ballots and moderators' polls, with erasure that repaints the tallies it changes."""
        return PollsMemberData(self.repo, self.jobs.refresher.request)

    async def start(self) -> None:
        """Schedule open polls' closes again and repaint poll messages from the database."""
        await self.jobs.resume()

    async def stop(self) -> None:
        """Forget the close timers (the database keeps them) and flush pending tally edits."""
        await self.jobs.stop()

    # --- voting ---------------------------------------------------------------------------------

    async def vote(self, interaction: discord.Interaction[Any], poll_id: int, option_index: int) -> None:
        """Apply a click in one transaction, confirm it privately at once, then refresh the tally later.

        Only a poll of the server the click came from counts: a custom_id carried into another server
        is refused as not found.
        """
        # The member's language: cached after their first interaction, so no database read per click.
        t = await self.bot.languages.for_interaction(interaction)
        if interaction.guild_id is None or not vote_target_in_range(poll_id, option_index):
            await interaction.response.send_message(refusal_text(t, VoteRefusal.NOT_FOUND), ephemeral=True)
            return
        result = await self.repo.cast_vote(
            poll_id, interaction.user.id, option_index, interaction.created_at, guild_id=interaction.guild_id
        )
        repaint = result.accepted and result.action is not ClickAction.UNCHANGED
        if result.refused is not None:
            text = refusal_text(t, result.refused)
            poll = None if result.results is None else result.results.poll
            if result.refused is VoteRefusal.CLOSED and poll is not None:
                if poll.is_open:
                    # Its closing time passed but the timer has not run yet: close it now.
                    self.jobs.close_now(poll_id)
                elif poll.results_posted_at is None:
                    # The message still has buttons: its final edit failed earlier; try it again.
                    repaint = True
        else:
            assert result.results is not None and result.action is not None
            text = confirmation_text(t, result.action, result.results.poll.options, result.choices)
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
            self.jobs.refresher.request(poll_id)

    # --- commands -------------------------------------------------------------------------------

    @poll_group.command(name="create", description=N_("Post a button poll in this channel"))
    @app_commands.describe(
        question=N_("What members vote on (up to 300 characters)"),
        options=N_("2 to 20 options separated by ; for example: Energy; Mobility; Buildings"),
        closes_in=N_("How long it stays open, e.g. 90m, 2h, 3d (up to 90d); empty: until /poll close"),
        multiple=N_("Members may choose several options"),
        anonymous=N_("Nobody, moderators included, can see who voted for what"),
        hide_results=N_("Show only the number of voters until the poll closes"),
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
                # Translators: {permissions} are Discord permission names, as the error handler writes them.
                "I cannot post a poll in this channel: I lack {permissions}. "
                "Give me these permissions here or run the command in another channel.",
                permissions=", ".join(missing),
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
        message = await self._post_and_record(interaction, poll)
        self.jobs.schedule_close(poll)
        t = await self.bot.languages.for_interaction(interaction)
        if poll.closes_at is None:
            posted = t._(
                "Poll #{id} is posted: {link}. Close it with `/poll close {id}`.",
                id=poll.id,
                link=message.jump_url,
            )
        else:
            posted = t._(
                "Poll #{id} is posted: {link}. It closes by itself when its time is up. "
                "Close it early with `/poll close {id}`.",
                id=poll.id,
                link=message.jump_url,
            )
        await interaction.followup.send(posted, ephemeral=True)

    async def _post_and_record(self, interaction: discord.Interaction[Any], poll: Poll) -> discord.Message:
        """Post the poll message where the command was typed and record it; on any failure keep nothing.

        The poll row comes first because the message shows its number and its buttons carry it. If
        Discord refuses the message, or recording it fails (the message is then deleted again), the
        poll row is deleted too.
        """
        channel = self.bot.get_partial_messageable(interaction.channel_id or 0, guild_id=interaction.guild_id)
        empty = PollResults(poll, (0,) * len(poll.options), 0)
        # The poll message is public: the server's language, not the moderator's.
        public = await self.bot.languages.for_guild(poll.guild_id)

        async def record(message: discord.Message) -> discord.Message:
            """Store where the poll message is."""
            await self.repo.set_message(poll.id, message.channel.id, message.id)
            return message

        try:
            return await create_then_record(
                lambda: channel.send(embed=poll_embed(public, empty), view=poll_view(poll)),
                record,
                lambda message: message.delete(),
                what=f"the message of poll {poll.id} in guild {interaction.guild_id}",
            )
        except discord.HTTPException as error:
            await self.repo.delete(poll.id)
            said = clip(error.text or str(error.status), 120)
            raise ValidationError(
                "I could not post the poll in this channel (Discord said: {said}); "
                "nothing was saved. Check my permissions here and try again.",
                said=said,
            ) from None
        except BaseException:
            await self.repo.delete(poll.id)
            raise

    @poll_group.command(name="close", description=N_("Close a poll now and show its final results"))
    @app_commands.describe(poll_id=POLL_ID_DESCRIPTION)
    @moderator_only()
    async def close(self, interaction: discord.Interaction[Any], poll_id: app_commands.Range[int, 1]) -> None:
        """Close an open poll of this server; its message then shows the results and a chart."""
        poll = await self._guild_poll(interaction, poll_id)
        if not poll.is_open:
            raise ValidationError("Poll #{id} is already closed. See `/poll results {id}`.", id=poll.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        results = await self.jobs.close_poll(poll.id)
        t = await self.bot.languages.for_interaction(interaction)
        if results is None:
            await interaction.followup.send(t._("Poll #{id} was already closed.", id=poll.id), ephemeral=True)
            return
        summary = results_text(
            t,
            results.poll.question,
            results.poll.options,
            results.counts,
            voters=results.voters,
            multiple=results.poll.multiple,
        )
        await interaction.followup.send(
            clip(
                t._(
                    "Poll #{id} is closed; its message now shows the final results.\n\n{summary}",
                    id=poll.id,
                    summary=summary,
                )
            ),
            ephemeral=True,
        )

    @poll_group.command(
        name="results", description=N_("See a poll's results (hidden ones only once it closed)")
    )
    @app_commands.describe(poll_id=POLL_ID_DESCRIPTION)
    async def results(
        self, interaction: discord.Interaction[Any], poll_id: app_commands.Range[int, 1]
    ) -> None:
        """Show the counts of a poll of this server, unless they are hidden while it is open."""
        assert interaction.guild_id is not None
        results = await self.repo.results(poll_id, guild_id=interaction.guild_id)
        if results is None:
            raise self._not_found(poll_id)
        t = await self.bot.languages.for_interaction(interaction)
        if results.poll.is_open and results.poll.hide_results:
            await interaction.response.send_message(hidden_results_text(t, results), ephemeral=True)
            return
        await interaction.response.send_message(embed=results_embed(t, results), ephemeral=True)

    @poll_group.command(name="export", description=N_("Download a poll's results (and ballots) as CSV"))
    @app_commands.describe(poll_id=POLL_ID_DESCRIPTION)
    @moderator_only()
    async def export(
        self, interaction: discord.Interaction[Any], poll_id: app_commands.Range[int, 1]
    ) -> None:
        """Send `option,votes` and, unless the poll is anonymous, `voter_id,option,voted_at` as files."""
        poll = await self._guild_poll(interaction, poll_id)
        if poll.is_open and poll.hide_results:
            raise ValidationError(
                "The results of poll #{id} are hidden until it closes; export it after "
                "`/poll close {id}` or its closing time.",
                id=poll.id,
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        export = await self.repo.export_rows(poll.id)
        if export is None:
            raise self._not_found(poll_id)
        uploads, left_out = fit_uploads(export_files(export), interaction.filesize_limit)
        t = await self.bot.languages.for_interaction(interaction)
        files = [discord.File(io.BytesIO(upload.data), filename=upload.filename) for upload in uploads]
        zipped = any(upload.filename.endswith(".zip") for upload in uploads)
        ballots = None if export.ballots is None else len(export.ballots)
        text = export_note(t, poll, ballots, zipped=zipped, left_out=left_out)
        await interaction.followup.send(text, files=files, ephemeral=True)

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
            raise self._not_found(poll_id)
        return poll

    @staticmethod
    def _not_found(poll_id: int) -> NotFoundError:
        """The refusal when no poll of this server has that id."""
        return NotFoundError(
            "There is no poll #{id} in this server. The number is in the poll message's title; "
            "start typing to pick an open poll.",
            id=poll_id,
        )


if TYPE_CHECKING:
    # mypy checks that the cog is what its vote buttons call (views.py knows only the Protocol).
    _vote_handler: type[VoteHandler] = PollsCog
