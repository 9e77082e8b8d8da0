"""Twinning end to end: a private thread for two cities, check-ins every four weeks, restarts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.client import ClimaBot
from bot.scheduling import utcnow
from cogs.exchange.checkins import CHECKIN_PERIOD
from storage.cities import from_iso, to_iso
from storage.repositories import open_storage
from tests.e2e.harness import BotHarness, Town
from tests.emulator import perms
from tests.emulator.emulator import Emulator
from tests.emulator.guild import Guild
from tests.emulator.state import PRIVATE_THREAD, Channel, Member, Message


@dataclass
class Net:
    """The standard test server seen from the exchange capability, with a second member and the bot."""

    emu: Emulator
    town: Town
    harness: BotHarness
    neighbour: Member

    @property
    def guild(self) -> Guild:
        """The server."""
        return self.town.guild

    @property
    def bot(self) -> ClimaBot:
        """The running bot."""
        assert self.harness.bot is not None
        return self.harness.bot

    async def run(self, who: Member, command: str, *, channel: Channel | None = None, **options: Any):
        """Run a slash command and return the interaction record."""
        return await self.emu.slash(self.guild, who, command, channel=channel, options=options)

    async def reply(
        self, who: Member, command: str, *, channel: Channel | None = None, **options: Any
    ) -> Message:
        """Run a slash command and return the first message the person sees."""
        return await (await self.run(who, command, channel=channel, **options)).reply()


@pytest.fixture
def net(emulator: Emulator, town: Town, harness: BotHarness) -> Net:
    """The running bot on the standard server, plus a member of a second city."""
    return Net(emulator, town, harness, town.guild.add_member("neighbour"))


async def add_cities(net: Net, *cities: tuple[str, str]) -> None:
    """Register cities as the moderator."""
    for name, country in cities:
        reply = await net.reply(net.town.moderator, "city add", name=name, country=country, mission_city=True)
        assert "Registered" in reply.content, reply.content


async def test_twinning_thread_checkins_and_restarts(net: Net) -> None:
    emu = net.emu
    # A bot invited with the permissions the README lists may open private threads.
    net.guild.bot_role.permissions |= perms.CREATE_PRIVATE_THREADS
    await add_cities(net, ("Lyon", "FR"), ("Riga", "LV"))
    await net.reply(net.town.member, "city join", name="Lyon")
    await net.reply(net.neighbour, "city join", name="Riga")
    reply = await net.reply(net.town.member, "twin create", city_a="Lyon", city_b="Riga")
    assert "for moderators" in reply.content
    reply = await net.reply(net.town.moderator, "twin create", city_a="Lyon", city_b="lyon")
    assert "two different cities" in reply.content

    reply = await net.reply(net.town.moderator, "twin create", city_a="Lyon", city_b="Riga")
    assert "Twinned **Lyon** and **Riga**" in reply.content
    (thread,) = [t for t in net.guild.threads if t.type == PRIVATE_THREAD]
    assert thread.parent_id == net.town.announcements.id and not thread.invitable
    assert {net.town.member.id, net.neighbour.id, net.town.moderator.id} <= thread.member_ids
    bot = net.bot
    assert bot is not None
    (twin,) = await bot.repos.twins.of_guild(net.guild.id)
    assert bot.timeline.pending("twin:") == [f"twin:{twin.id}"]
    job = bot.scheduler.get_job(f"twin:{twin.id}")
    assert job is not None and job.next_run_time == twin.next_checkin_at

    reply = await net.reply(net.town.moderator, "twin create", city_a="Riga", city_b="Lyon")
    assert "already twinned" in reply.content
    newcomer = net.guild.add_member("newcomer")
    await net.reply(newcomer, "city join", name="Riga")
    assert newcomer.id in thread.member_ids
    listing = await net.reply(net.town.member, "twin list")
    assert "Lyon ↔ Riga" in listing.embeds[0]["description"]

    # The check-in comes due while the bot is down, within the grace period: it runs once on start.
    await net.harness.stop()
    db, _ = await open_storage(net.harness.settings.storage.database_path, default_timezone="UTC")
    try:
        async with db.transaction() as conn:
            due = to_iso(utcnow() - timedelta(minutes=5))
            await conn.execute("UPDATE twins SET next_checkin_at = ?", (due,))
    finally:
        await db.close()
    bot = await net.harness.start()
    prompt = await emu.wait_for_message(thread, lambda m: "Check-in" in m.content)
    assert "**Lyon** and **Riga**" in prompt.content and not prompt.mention_ids
    after = await bot.repos.twins.get(twin.id)
    assert after is not None and after.checkins_sent == 1
    assert after.next_checkin_at == from_iso(due) + CHECKIN_PERIOD

    # A later restart keeps the next check-in scheduled, and running a stale due time does nothing.
    bot = await net.harness.restart()
    job = bot.scheduler.get_job(f"twin:{twin.id}")
    assert job is not None and job.next_run_time == after.next_checkin_at
    cog = bot.get_cog("Twins")
    await cog.run_checkin(twin.id, from_iso(due))  # type: ignore[union-attr]
    assert len([m for m in emu.messages_in(thread) if "Check-in" in m.content]) == 1


async def test_checkins_missed_while_down_are_skipped_and_moderators_told(net: Net) -> None:
    emu = net.emu
    net.guild.bot_role.permissions |= perms.CREATE_PRIVATE_THREADS
    await add_cities(net, ("Lyon", "FR"), ("Riga", "LV"))
    await net.reply(net.town.moderator, "twin create", city_a="Lyon", city_b="Riga")
    await net.harness.stop()
    db, _ = await open_storage(net.harness.settings.storage.database_path, default_timezone="UTC")
    try:
        async with db.transaction() as conn:
            due = to_iso(utcnow() - timedelta(days=30))
            await conn.execute("UPDATE twins SET next_checkin_at = ?", (due,))
    finally:
        await db.close()
    bot = await net.harness.start()
    notice = await emu.wait_for_message(net.town.moderation, lambda m: "were missed" in m.content)
    assert "2 check-in(s)" in notice.content
    (twin,) = await bot.repos.twins.of_guild(net.guild.id)
    assert twin.checkins_missed == 2 and twin.checkins_sent == 0
    assert bot.scheduler.get_job(f"twin:{twin.id}").next_run_time == twin.next_checkin_at  # type: ignore[union-attr]
