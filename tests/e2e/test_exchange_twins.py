"""Twinning end to end: a private thread for two cities, check-ins every four weeks, restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.client import ClimaBot
from bot.scheduling import utcnow
from bot.settings import Settings
from cogs.exchange.rules import CHECKIN_PERIOD
from sandbox import perms
from sandbox.emulator import Emulator
from sandbox.state import PRIVATE_THREAD, Member, Message
from storage.repositories import open_storage
from storage.twins import Twin
from tests.e2e.harness import BotHarness, Town


async def twin_town(harness: BotHarness, town: Town) -> ClimaBot:
    """Register Lyon and Riga directly in the register (/city add has its own tests); return the bot."""
    bot = harness.bot
    assert bot is not None
    for name, country in (("Lyon", "FR"), ("Riga", "LV")):
        await bot.repos.cities.add(town.guild.id, name, country, mission_city=True, created_by=None)
    return bot


async def say(emu: Emulator, town: Town, who: Member, command: str, **options: str) -> Message:
    """Run a slash command in the town and return the first message the person sees."""
    return await (await emu.slash(town.guild, who, command, options=options)).reply()


async def move_next_checkin(settings: Settings, twin: Twin, when: datetime) -> None:
    """While the bot is stopped, move a twinning's next check-in to `when`, as if time had passed."""
    assert twin.next_checkin_at is not None
    db, repos = await open_storage(settings.storage.database_path, default_timezone="UTC")
    try:
        assert await repos.twins.skip_missed(twin.id, twin.next_checkin_at, when, 0)
    finally:
        await db.close()


async def test_twinning_thread_checkins_and_restarts(
    emulator: Emulator, town: Town, settings: Settings, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    neighbour = guild.add_member("neighbour")
    bot = await twin_town(harness, town)
    await say(emu, town, town.member, "city join", name="Lyon")
    await say(emu, town, neighbour, "city join", name="Riga")
    reply = await say(emu, town, town.member, "twin create", city_a="Lyon", city_b="Riga")
    assert "for moderators" in reply.content
    reply = await say(emu, town, town.moderator, "twin create", city_a="Lyon", city_b="lyon")
    assert "two different cities" in reply.content

    reply = await say(emu, town, town.moderator, "twin create", city_a="Lyon", city_b="Riga")
    assert "Twinned **Lyon** and **Riga**" in reply.content
    (thread,) = [t for t in guild.threads if t.type == PRIVATE_THREAD]
    assert thread.parent_id == town.announcements.id and not thread.invitable
    assert {town.member.id, neighbour.id, town.moderator.id} <= thread.member_ids
    assert "are twinned" in emu.messages_in(thread)[0].content
    (twin,) = await bot.repos.twins.of_guild(guild.id)
    assert bot.timeline.pending("twin:") == [f"twin:{twin.id}"]
    job = bot.scheduler.get_job(f"twin:{twin.id}")
    assert job is not None and job.next_run_time == twin.next_checkin_at

    reply = await say(emu, town, town.moderator, "twin create", city_a="Riga", city_b="Lyon")
    assert "already twinned" in reply.content
    newcomer = guild.add_member("newcomer")
    await say(emu, town, newcomer, "city join", name="Riga")
    assert newcomer.id in thread.member_ids
    listing = await say(emu, town, town.member, "twin list")
    assert "Lyon ↔ Riga" in listing.embeds[0]["description"]
    info = await say(emu, town, town.member, "city info", name="Riga")
    fields = {f["name"]: f["value"] for f in info.embeds[0]["fields"]}
    assert "Lyon" in fields["Twin cities"] and f"/{thread.id}" in fields["Twin cities"]

    # The check-in comes due while the bot is down, within the grace period: it runs once on start.
    await harness.stop()
    due = (utcnow() - timedelta(minutes=5)).replace(microsecond=0)
    await move_next_checkin(settings, twin, due)
    bot = await harness.start()
    prompt = await emu.wait_for_message(thread, lambda m: "Check-in" in m.content)
    assert "**Lyon** and **Riga**" in prompt.content and not prompt.mention_ids
    after = await bot.repos.twins.get(twin.id)
    assert after is not None and after.checkins_sent == 1
    assert after.next_checkin_at == due + CHECKIN_PERIOD

    # A later restart keeps the next check-in scheduled, and running a stale due time does nothing.
    bot = await harness.restart()
    job = bot.scheduler.get_job(f"twin:{twin.id}")
    assert job is not None and job.next_run_time == after.next_checkin_at
    cog = bot.get_cog("Twins")
    # A restart imports the cog anew, so its class is not the one this test imported.
    assert type(cog).__name__ == "TwinCog"
    await cog.checkins.run_checkin(twin.id, due)  # type: ignore[attr-defined]
    assert len([m for m in emu.messages_in(thread) if "Check-in" in m.content]) == 1


async def test_checkins_missed_while_down_are_skipped_and_moderators_told(
    emulator: Emulator, town: Town, settings: Settings, harness: BotHarness
) -> None:
    bot = await twin_town(harness, town)
    await say(emulator, town, town.moderator, "twin create", city_a="Lyon", city_b="Riga")
    (twin,) = await bot.repos.twins.of_guild(town.guild.id)
    await harness.stop()
    await move_next_checkin(settings, twin, utcnow() - timedelta(days=30))
    bot = await harness.start()
    notice = await emulator.wait_for_message(town.moderation, lambda m: "were missed" in m.content)
    assert "2 check-ins" in notice.content
    (twin,) = await bot.repos.twins.of_guild(town.guild.id)
    assert twin.checkins_missed == 2 and twin.checkins_sent == 0
    job = bot.scheduler.get_job(f"twin:{twin.id}")
    assert job is not None and job.next_run_time == twin.next_checkin_at


async def test_a_refused_private_thread_creates_no_twinning(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    bot = await twin_town(harness, town)
    for role in (town.guild.bot_role, town.guild.everyone):
        role.permissions &= ~perms.CREATE_PRIVATE_THREADS
    reply = await say(emulator, town, town.moderator, "twin create", city_a="Lyon", city_b="Riga")
    assert (
        reply.ephemeral
        and "Create Private Threads" in reply.content
        and "Nothing was created" in reply.content
    )
    assert town.guild.threads == []
    assert await bot.repos.twins.of_guild(town.guild.id, include_ended=True) == []
    assert bot.timeline.pending("twin:") == []
