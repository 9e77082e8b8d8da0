"""Sending scheduled things exactly once: deadline reminders and announcements.

The database is the source of truth; the Timeline only wakes jobs up (job id = `reminder:<row>` or
`announce:<row>`). A job claims its row in a transaction before it posts and records the outcome
in another, so nothing is posted twice: not when discord.py retries a request (the message nonce
is stable and enforced), and not after a kill (a row left 'sending' is reported, never resent).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord

from bot.i18n import N_, Lang, Msg
from bot.replies import clip, recovery_notice, stable_nonce
from bot.scheduling import BackgroundTasks, sort_at_start, utcnow
from cogs.calls.recurrence import Repeat, catch_up, next_after, reminder_times
from cogs.calls.render import (
    announcement_label,
    call_embed,
    missed_announcement_notice,
    missed_reminder_notice,
    reminder_dm_text,
    reminder_label,
    reminder_text,
)
from storage.announcements import Advance, Announcement, AnnouncementInput, AnnouncementsRepository
from storage.calls import CallsRepository, Claim, Reminder, ReminderPlanner

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# A line of the moderators' recovery notice, written once the server's language is known.
Label = Callable[[Lang], str]
CLOSED_DMS = 50007  # Discord: "Cannot send messages to this user"
# On shutdown, sends already under way get this long to record their outcome before being cancelled
# (a cancelled one is left 'sending' and reported as uncertain at the next start).
DRAIN_SECONDS = 10.0


@dataclass
class StartReport:
    """What the start-up pass over pending rows did."""

    scheduled: int = 0
    resumed: int = 0
    missed: list[Label] = field(default_factory=list)
    uncertain: list[Label] = field(default_factory=list)


def reminder_job(reminder_id: int) -> str:
    """The Timeline job id of a reminder row."""
    return f"reminder:{reminder_id}"


def announcement_job(announcement_id: int) -> str:
    """The Timeline job id of an announcement row."""
    return f"announce:{announcement_id}"


def next_occurrence(item: Announcement, after: datetime) -> Advance | None:
    """The occurrence of a repeating announcement that follows the current one and `after`."""
    found = next_after(
        item.first_local, ZoneInfo(item.timezone), Repeat(item.repeat), after, start=item.occurrence + 1
    )
    return None if found is None else Advance(*found)


class Dispatcher:
    """Schedules, sends and recovers the calls capability's timed messages."""

    def __init__(self, bot: ClimaBot, *, clock: Clock = utcnow) -> None:
        """Use the bot's repositories, timeline and settings; `clock` gives the current UTC time."""
        self.bot = bot
        self.clock = clock
        self.calls: CallsRepository = bot.repos.calls
        self.announcements: AnnouncementsRepository = bot.repos.announcements
        self.timeline = bot.timeline
        self.offsets: list[timedelta] = bot.settings.defaults.reminder_deltas
        self.background = BackgroundTasks()

    async def zone(self, guild_id: int) -> ZoneInfo:
        """The time zone a server's typed dates and times are read in."""
        return ZoneInfo((await self.bot.repos.guild_settings.get(guild_id)).timezone)

    @property
    def grace(self) -> timedelta:
        """How late an item may still be sent."""
        return self.timeline.grace

    def planner(self) -> ReminderPlanner:
        """Return the function that plans a deadline's reminders at the configured offsets."""
        offsets = list(self.offsets)

        def plan(deadline: datetime, zone: str, now: datetime) -> list[tuple[timedelta, datetime]]:
            """Plan the reminders still ahead for one deadline."""
            return reminder_times(deadline, offsets, ZoneInfo(zone), now=now)

        return plan

    # --- jobs ------------------------------------------------------------------------------------

    def schedule_reminders(self, reminders: Sequence[Reminder]) -> None:
        """Wake each reminder's job at its due time."""
        for reminder in reminders:
            self.timeline.run_at(reminder_job(reminder.id), reminder.due_at, self.run_reminder, reminder.id)

    def cancel_reminders(self, ids: Sequence[int]) -> None:
        """Forget the jobs of reminders that were moved or removed."""
        for reminder_id in ids:
            self.timeline.cancel(reminder_job(reminder_id))

    def schedule_announcement(self, item: Announcement) -> None:
        """Wake an announcement's job at its next due time."""
        self.timeline.run_at(announcement_job(item.id), item.next_due_at, self.run_announcement, item.id)

    def cancel_announcements(self, ids: Sequence[int]) -> None:
        """Forget the jobs of cancelled announcements."""
        for announcement_id in ids:
            self.timeline.cancel(announcement_job(announcement_id))

    async def close(self) -> None:
        """Forget every pending job, let sends under way finish (briefly), then stop background work."""
        self.timeline.cancel_prefixed("reminder:", "announce:")
        await self.background.drain(DRAIN_SECONDS, "call sends")

    # --- start-up --------------------------------------------------------------------------------

    async def start(self) -> StartReport:
        """Schedule every pending row again; mark the missed and interrupted ones and tell moderators."""
        now = self.clock()
        report = StartReport()
        by_guild: dict[int, StartReport] = defaultdict(StartReport)
        await self._recover_reminders(now, report, by_guild)
        await self._recover_announcements(now, report, by_guild)
        for guild_id, found in by_guild.items():
            if found.missed or found.uncertain:
                self.background.spawn(self._report_recovery(guild_id, found))
        log.info(
            "calls: %d jobs scheduled, %d reminders resumed, %d missed, %d uncertain",
            report.scheduled,
            report.resumed,
            len(report.missed),
            len(report.uncertain),
        )
        return report

    async def _recover_reminders(
        self, now: datetime, report: StartReport, by_guild: dict[int, StartReport]
    ) -> None:
        """Sort open reminders into scheduled, resumed, missed and uncertain."""
        rows = await self.calls.open_reminders()
        for reminder in rows:
            # Posted in the channel, direct messages not all tried: carry on with those.
            if reminder.state == "posted":
                report.resumed += 1
                self.background.spawn(self._deliver_dms(reminder))
        found = sort_at_start([r for r in rows if r.state != "posted"], now, self.grace)
        missed, uncertain = found.missed, found.uncertain
        self.schedule_reminders(found.to_schedule)
        report.scheduled += len(found.to_schedule)
        if missed:
            await self.calls.mark_reminders([r.id for r in missed], "missed", now=now, note="bot was offline")
        if uncertain:
            await self.calls.mark_reminders(
                [r.id for r in uncertain], "uncertain", now=now, note="bot stopped while sending"
            )
        for kind, rows in (("missed", missed), ("uncertain", uncertain)):
            for reminder in rows:
                text = await self._describe_reminder(reminder)
                getattr(report, kind).append(text)
                getattr(by_guild[reminder.guild_id], kind).append(text)

    async def _recover_announcements(
        self, now: datetime, report: StartReport, by_guild: dict[int, StartReport]
    ) -> None:
        """Sort open announcements: schedule, run one late occurrence, skip missed, flag interrupted."""
        updates: list[tuple[int, str, Advance | None]] = []
        to_schedule: list[tuple[int, datetime]] = []
        for item in await self.announcements.open_rows():
            label = partial(announcement_label, item=item, later=0)
            if item.state == "sending":
                advance = next_occurrence(item, now)
                updates.append((item.id, "uncertain", advance))
                if advance is not None:
                    to_schedule.append((item.id, advance.due_at))
                report.uncertain.append(label)
                by_guild[item.guild_id].uncertain.append(label)
                continue
            plan = catch_up(
                item.first_local,
                ZoneInfo(item.timezone),
                Repeat(item.repeat),
                occurrence=item.occurrence,
                due=item.next_due_at,
                now=now,
                grace=self.grace,
            )
            if plan.missed:
                target = plan.run or plan.following
                updates.append((item.id, "missed", None if target is None else Advance(*target)))
                text = partial(announcement_label, item=item, later=plan.missed - 1)
                report.missed.append(text)
                by_guild[item.guild_id].missed.append(text)
                if target is not None:
                    to_schedule.append((item.id, target[1]))
            else:
                to_schedule.append((item.id, item.next_due_at))
        if updates:
            await self.announcements.record_many(updates, now=now, note="bot was offline")
        for announcement_id, due in to_schedule:
            self.timeline.run_at(
                announcement_job(announcement_id), due, self.run_announcement, announcement_id
            )
        report.scheduled += len(to_schedule)

    async def _describe_reminder(self, reminder: Reminder) -> Label:
        """Name a reminder for moderators (in the language given later)."""
        call = await self.calls.get_by_id(reminder.call_id)
        name = f"`{call.identifier}`" if call else f"#{reminder.call_id}"
        return partial(reminder_label, reminder=reminder, name=name)

    async def _guild_lang(self, guild_id: int) -> Lang:
        """The language of a server's public posts and moderators' notices."""
        return await self.bot.languages.for_guild(guild_id)

    async def _notify(self, guild_id: int, notice: Msg) -> None:
        """Tell a server's moderators something, in the server's language."""
        t = await self._guild_lang(guild_id)
        await self.bot.notify_moderators(guild_id, t.render(notice))

    async def _report_recovery(self, guild_id: int, found: StartReport) -> None:
        """Tell a server's moderators what was missed or may not have been sent while the bot was down."""
        t = await self._guild_lang(guild_id)
        missed = [label(t) for label in found.missed]
        uncertain = [label(t) for label in found.uncertain]
        await self.bot.notify_moderators(guild_id, recovery_notice(t, missed, uncertain, self.grace))

    # --- reminders -------------------------------------------------------------------------------

    async def run_reminder(self, reminder_id: int) -> None:
        """Post a due reminder to the announcements channel and DM the subscribers, once."""
        await self.background.run_job(self._run_reminder(reminder_id), log, "reminder %s failed", reminder_id)

    async def _run_reminder(self, reminder_id: int) -> None:
        """Claim, post, DM: the body of run_reminder."""
        claim = await self.calls.claim_reminder(reminder_id, now=self.clock(), grace=self.grace)
        reminder = await self.calls.reminder(reminder_id)
        if reminder is None or claim is Claim.GONE:
            return
        if claim is Claim.EARLY:
            self.schedule_reminders([reminder])
            return
        if claim is Claim.MISSED:
            label = await self._describe_reminder(reminder)
            t = await self._guild_lang(reminder.guild_id)
            await self.bot.notify_moderators(
                reminder.guild_id, missed_reminder_notice(t, label(t), self.grace)
            )
            return
        await self._post_reminder(reminder)
        await self._deliver_dms(reminder)

    async def _post_reminder(self, reminder: Reminder) -> None:
        """Post a claimed reminder in the server's announcements channel and record it as posted."""
        call = await self.calls.get_by_id(reminder.call_id)
        settings = await self.bot.repos.guild_settings.get(reminder.guild_id)
        message_id: int | None = None
        note: str | None = None
        if call is None:
            note = "call removed"
        elif settings.announcements_channel_id is None:
            note = "no announcements channel configured"
        else:
            channel = self.bot.get_partial_messageable(
                settings.announcements_channel_id, guild_id=reminder.guild_id
            )
            t = await self._guild_lang(reminder.guild_id)
            try:
                message = await channel.send(
                    reminder_text(t, call, reminder.offset),
                    embed=call_embed(t, call, now=self.clock()),
                    allowed_mentions=discord.AllowedMentions.none(),
                    nonce=stable_nonce("reminder", reminder.id),
                )
                message_id = message.id
            except discord.HTTPException as problem:
                note = await self._send_failed(
                    reminder.guild_id,
                    problem,
                    N_(
                        "I could not post the deadline reminder for `{identifier}` in <#{channel}> "
                        "({status}: {error})."
                    ),
                    identifier=call.identifier,
                    channel=settings.announcements_channel_id,
                )
        await self.calls.mark_posted(reminder.id, message_id=message_id, note=note, now=self.clock())

    async def _deliver_dms(self, reminder: Reminder) -> None:
        """DM every subscriber not yet tried for this reminder; closed DMs are skipped and counted."""
        try:
            call = await self.calls.get_by_id(reminder.call_id)
            if call is None:
                return
            interrupted = await self.calls.uncertain_dms(reminder.id)
            if interrupted:
                log.warning(
                    "reminder %s: DMs to %d members may not have been sent (bot stopped mid-send)",
                    reminder.id,
                    len(interrupted),
                )
            guild = self.bot.get_guild(reminder.guild_id)
            name = guild.name if guild else None
            # Each subscriber reads the DM in their own language; the text is built once per language.
            texts: dict[str, tuple[str, discord.Embed]] = {}
            for user_id in await self.calls.recipients(reminder.id, reminder.guild_id, call.programme):
                t = await self.bot.languages.for_member(reminder.guild_id, user_id)
                if t.code not in texts:
                    texts[t.code] = (
                        reminder_dm_text(t, call, reminder.offset, name),
                        call_embed(t, call, now=self.clock()),
                    )
                await self._send_dm(reminder, user_id, *texts[t.code])
            await self.calls.finish_reminder(reminder.id, now=self.clock())
        except Exception:
            log.exception("reminder %s: direct messages failed", reminder.id)

    async def _send_dm(self, reminder: Reminder, user_id: int, text: str, embed: discord.Embed) -> None:
        """Send one subscriber their reminder, claimed first so it is never sent twice."""
        if not await self.calls.claim_dm(reminder.id, user_id, now=self.clock()):
            return
        outcome = "sent"
        try:
            channel = await self.bot.create_dm(discord.Object(user_id))
            await channel.send(
                text,
                embed=embed,
                allowed_mentions=discord.AllowedMentions.none(),
                nonce=stable_nonce("reminder-dm", reminder.id, user_id),
            )
        except discord.Forbidden as problem:
            outcome = "closed" if problem.code == CLOSED_DMS else "failed"
            log.info(
                "reminder %s: skipped member %s: direct messages refused (%s)",
                reminder.id,
                user_id,
                problem.code,
            )
        except discord.HTTPException as problem:
            outcome = "failed"
            log.warning(
                "reminder %s: DM to member %s failed: %s %s",
                reminder.id,
                user_id,
                problem.status,
                problem.text,
            )
        await self.calls.finish_dm(reminder.id, reminder.guild_id, user_id, outcome, now=self.clock())

    # --- announcements ---------------------------------------------------------------------------

    async def add_announcement(
        self, guild_id: int, data: AnnouncementInput, *, created_by: int
    ) -> Announcement:
        """Store a new announcement and wake its job when it is due."""
        item = await self.announcements.schedule(guild_id, data, created_by=created_by, now=self.clock())
        self.schedule_announcement(item)
        return item

    async def run_announcement(self, announcement_id: int) -> str:
        """Post a due announcement once and move a repeating one on; return what happened."""
        return await self.background.run_job(
            self._run_announcement(announcement_id), log, "announcement %s failed", announcement_id
        )

    async def _run_announcement(self, announcement_id: int) -> str:
        """Claim, send, record: the body of run_announcement."""
        now = self.clock()
        claim = await self.announcements.claim(announcement_id, now=now, grace=self.grace)
        item = await self.announcements.get(announcement_id)
        if item is None or claim is Claim.GONE:
            return "gone"
        if claim is Claim.EARLY:
            self.schedule_announcement(item)
            return "early"
        if claim is Claim.MISSED:
            updated = await self.announcements.record(
                item.id, outcome="missed", message_id=None, advance=next_occurrence(item, now), now=now
            )
            t = await self._guild_lang(item.guild_id)
            await self.bot.notify_moderators(item.guild_id, missed_announcement_notice(t, item, self.grace))
            if updated is not None and updated.state == "pending":
                self.schedule_announcement(updated)
            return "missed"
        outcome, message_id, note = await self._post_announcement(item)
        updated = await self.announcements.record(
            item.id,
            outcome=outcome,
            message_id=message_id,
            advance=next_occurrence(item, self.clock()),
            now=self.clock(),
            note=note,
        )
        if updated is not None and updated.state == "pending":
            self.schedule_announcement(updated)
        return outcome

    async def _post_announcement(self, item: Announcement) -> tuple[str, int | None, str | None]:
        """Send a claimed announcement; return (outcome, message id, note)."""
        channel = self.bot.get_partial_messageable(item.channel_id, guild_id=item.guild_id)
        content = item.message
        mentions = discord.AllowedMentions.none()
        if item.ping_role_id is not None:
            # The only ping climabot ever sends: the role a moderator chose for this announcement.
            content = f"<@&{item.ping_role_id}> {content}"
            mentions = discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(item.ping_role_id)]
            )
        call = await self.calls.get_by_id(item.call_id) if item.call_id is not None else None
        # The frame of a public post (the call's embed) speaks the server's language.
        embed = discord.utils.MISSING
        if call is not None:
            embed = call_embed(await self._guild_lang(item.guild_id), call, now=self.clock())
        try:
            message = await channel.send(
                clip(content),
                embed=embed,
                allowed_mentions=mentions,
                nonce=stable_nonce("announce", item.id, item.occurrence),
            )
        except discord.HTTPException as problem:
            note = await self._send_failed(
                item.guild_id,
                problem,
                N_("I could not post announcement #{id} in <#{channel}> ({status}: {error})."),
                id=item.id,
                channel=item.channel_id,
            )
            return "failed", None, note
        return "sent", message.id, None

    # --- moderators ------------------------------------------------------------------------------

    async def _send_failed(
        self, guild_id: int, problem: discord.HTTPException, notice: str, **params: Any
    ) -> str:
        """Log a post Discord refused, tell the moderators, and return the note to store with the row.

        `notice` is the English msgid of the moderators' notice; `{status}` and `{error}` are filled in.
        """
        note = f"send failed: {problem.status} {problem.text}"[:300]
        message = Msg(notice, status=problem.status, error=clip(problem.text, 200), **params)
        log.warning("guild %s: %s (%s)", guild_id, message, note)
        await self._notify(guild_id, message)
        return note
