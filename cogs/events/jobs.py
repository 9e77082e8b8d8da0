"""Posting an event's reminders and follow-up exactly once, and recovering them after a restart.

The database is the source of truth; the Timeline only wakes jobs up (`event-reminder:<notice>` and
`event-followup:<notice>`, the id of the notice row). A job claims its row in a transaction before
it posts and records the outcome in another, so nothing is posted twice: not when discord.py
retries a request (the message nonce is stable), and not after a kill (a row left 'sending' is
reported to moderators, never reposted). A notice found late at start runs once if it is within
the grace period; later than that it is marked missed and the moderators are told.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.i18n import N_, Lang
from bot.replies import clip, stable_nonce
from bot.scheduling import BackgroundTasks, sort_at_start, utcnow
from cogs.events.render import followup_text, missed_notice, notice_label, recovery_notice, reminder_text
from cogs.events.rules import JOB_PREFIXES, event_url, job_id
from storage.claims import Claim
from storage.events import Event, EventsRepository, Notice

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Discord's scheduled-event status for a cancelled event.
CANCELLED_STATUS = 4
# On shutdown, posts already under way get this long to record their outcome before being cancelled.
DRAIN_SECONDS = 10.0

NO_CHANNEL_REMINDER = N_(
    "I could not post a reminder of event #{id}: no announcements channel is set "
    "(an administrator sets one with `/setup channels`)."
)
NO_CHANNEL_FOLLOWUP = N_(
    "I could not post the follow-up of event #{id}: no announcements channel is set "
    "(an administrator sets one with `/setup channels`)."
)
# Translators: {status} is an HTTP status such as 403; {reason} is Discord's own (English) explanation.
SEND_FAILED_REMINDER = N_("I could not post a reminder of event #{id} in <#{channel}> ({status}: {reason}).")
SEND_FAILED_FOLLOWUP = N_(
    "I could not post the follow-up of event #{id} in <#{channel}> ({status}: {reason})."
)


class EventJobs:
    """Schedules, posts and recovers the events capability's notices."""

    def __init__(self, bot: ClimaBot, *, clock: Clock = utcnow) -> None:
        """Use the bot's events repository, timeline and HTTP client; `clock` gives the current UTC time."""
        self.bot = bot
        self.clock = clock
        self.repo: EventsRepository = bot.repos.events
        self.timeline = bot.timeline
        self.background = BackgroundTasks()

    @property
    def grace(self) -> timedelta:
        """How late a notice may still be posted."""
        return self.timeline.grace

    # --- jobs ------------------------------------------------------------------------------------

    def schedule(self, notices: Sequence[Notice]) -> None:
        """Wake each notice's job at its due time (at once if that has passed)."""
        for notice in notices:
            self.timeline.run_at(job_id(notice.kind, notice.id), notice.due_at, self.run_notice, notice.id)

    def cancel(self, notice_ids: Sequence[int]) -> None:
        """Forget the jobs of these notices, whatever their kind."""
        for notice_id in notice_ids:
            for kind in JOB_PREFIXES:
                self.timeline.cancel(job_id(kind, notice_id))

    async def close(self) -> None:
        """Forget every pending job (the database keeps them), let posts under way finish, then stop."""
        self.timeline.cancel_prefixed(*JOB_PREFIXES.values())
        await self.background.drain(DRAIN_SECONDS, "event posts")

    # --- start-up --------------------------------------------------------------------------------

    async def start(self) -> tuple[int, list[Notice], list[Notice]]:
        """Schedule every pending notice again; mark the missed and interrupted ones and tell moderators.

        Returns how many were scheduled, and the missed and the uncertain notices.
        """
        now = self.clock()
        found = sort_at_start(await self.repo.open_notices(), now, self.grace)
        to_schedule, missed, uncertain = found.to_schedule, found.missed, found.uncertain
        if missed:
            await self.repo.mark_notices([n.id for n in missed], "missed", now=now, note="bot was offline")
        if uncertain:
            await self.repo.mark_notices(
                [n.id for n in uncertain], "uncertain", now=now, note="bot stopped while posting"
            )
        self.schedule(to_schedule)
        if missed or uncertain:
            self.background.spawn(self._report_recovery(missed, uncertain))
        log.info(
            "events: %d notices scheduled, %d missed, %d uncertain",
            len(to_schedule),
            len(missed),
            len(uncertain),
        )
        return len(to_schedule), missed, uncertain

    async def _report_recovery(self, missed: list[Notice], uncertain: list[Notice]) -> None:
        """Tell each server's moderators, in its language, what was missed or may not have gone out."""
        by_guild: dict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for index, notices in enumerate((missed, uncertain)):
            for notice in notices:
                t = await self.bot.languages.for_guild(notice.guild_id)
                label = notice_label(t, notice, await self.repo.get(notice.event_id))
                by_guild[notice.guild_id][index].append(label)
        for guild_id, (missed_labels, uncertain_labels) in by_guild.items():
            t = await self.bot.languages.for_guild(guild_id)
            await self.bot.notify_moderators(
                guild_id, recovery_notice(t, missed_labels, uncertain_labels, self.grace)
            )

    # --- posting ---------------------------------------------------------------------------------

    async def run_notice(self, notice_id: int) -> str:
        """Post a due reminder or follow-up once; return what happened (sent, failed, missed, ...)."""
        return await self.background.run_job(
            self._run_notice(notice_id), log, "event notice %s failed", notice_id
        )

    async def _run_notice(self, notice_id: int) -> str:
        """Claim, check the Discord event, post, record: the body of run_notice."""
        claim = await self.repo.claim(notice_id, now=self.clock(), grace=self.grace)
        notice = await self.repo.notice(notice_id)
        if notice is None or claim is Claim.GONE:
            return "gone"
        if claim is Claim.EARLY:
            self.schedule([notice])
            return "early"
        event = await self.repo.get(notice.event_id)
        # Moderator notices and posts are public in the server: its language.
        t = await self.bot.languages.for_guild(notice.guild_id)
        if claim is Claim.MISSED:
            await self.bot.notify_moderators(
                notice.guild_id, missed_notice(t, notice_label(t, notice, event), self.grace)
            )
            return "missed"
        assert event is not None
        if await self._deleted_in_discord(event):
            await self.repo.finish(
                notice.id, outcome="cancelled", message_id=None, note="Discord event gone", now=self.clock()
            )
            cancelled = await self.repo.cancel(event.guild_id, event.id, by=None, now=self.clock())
            # This notice's own job too, in case it was run by hand ahead of its time.
            self.cancel([notice.id, *(cancelled[1] if cancelled else [])])
            await self.bot.notify_moderators(
                event.guild_id,
                t._(
                    "Event #{id} was cancelled or deleted in Discord, so I cancelled its reminders "
                    "and follow-up.",
                    id=event.id,
                ),
            )
            return "cancelled"
        outcome, message_id, note = await self._post(t, notice, event)
        await self.repo.finish(notice.id, outcome=outcome, message_id=message_id, note=note, now=self.clock())
        log.info("event %s: %s %s (%s)", event.id, notice.kind, notice.id, outcome)
        return outcome

    async def _deleted_in_discord(self, event: Event) -> bool:
        """Tell whether the Discord scheduled event behind a row was deleted or cancelled by hand."""
        try:
            data = await self.bot.http.get_scheduled_event(event.guild_id, event.discord_event_id, False)
        except discord.NotFound:
            return True
        except discord.HTTPException as problem:
            # Not knowing is no reason to skip a reminder: post it.
            log.warning("event %s: could not check its Discord event (%s)", event.id, problem.status)
            return False
        return int(data.get("status", 1)) == CANCELLED_STATUS

    async def _post(self, t: Lang, notice: Notice, event: Event) -> tuple[str, int | None, str | None]:
        """Send a claimed notice in the announcements channel, in t; return (outcome, message id, note)."""
        settings = await self.bot.repos.guild_settings.get(event.guild_id)
        followup = notice.kind == "followup"
        send_failed = SEND_FAILED_FOLLOWUP if followup else SEND_FAILED_REMINDER
        what = "the follow-up" if followup else "a reminder"
        if settings.announcements_channel_id is None:
            no_channel = NO_CHANNEL_FOLLOWUP if followup else NO_CHANNEL_REMINDER
            await self.bot.notify_moderators(event.guild_id, t._(no_channel, id=event.id))
            return "failed", None, "no announcements channel configured"
        if followup:
            text = followup_text(t, event, await self._open_campaign(event))
        else:
            text = reminder_text(t, event, event_url(event.guild_id, event.discord_event_id), notice.offset)
        channel = self.bot.get_partial_messageable(settings.announcements_channel_id, guild_id=event.guild_id)
        try:
            message = await channel.send(
                text,
                allowed_mentions=discord.AllowedMentions.none(),
                nonce=stable_nonce("event-notice", notice.id),
            )
        except discord.HTTPException as problem:
            note = f"send failed: {problem.status} {problem.text}"[:300]
            log.warning("event %s: %s: %s", event.id, what, note)
            await self.bot.notify_moderators(
                event.guild_id,
                t._(
                    send_failed,
                    id=event.id,
                    channel=settings.announcements_channel_id,
                    status=problem.status,
                    reason=clip(problem.text, 200),
                ),
            )
            return "failed", None, note
        return "sent", message.id, None

    async def _open_campaign(self, event: Event) -> str | None:
        """The testimonial campaign to invite stories for: the chosen one, else one named like the event."""
        now = self.clock()
        for name in (event.campaign, event.title):
            if name is None:
                continue
            campaign = await self.bot.repos.testimonials.get_campaign(event.guild_id, name)
            if campaign is not None and campaign.accepts_submissions(now):
                return campaign.name
        return None

    # --- moderators ------------------------------------------------------------------------------
