"""/setup end to end: an administrator configures the server through the real bot."""

from __future__ import annotations

import asyncio

import pytest

from bot.settings import Settings
from sandbox import perms
from sandbox.emulator import Emulator
from sandbox.options import NotPossible
from sandbox.state import Member
from tests.e2e.harness import BotHarness, Town


async def test_bot_connects_syncs_setup_and_answers_show(emulator: Emulator, town: Town, harness: BotHarness):
    """The bot syncs /setup to the server and /setup show lists the stored settings privately."""
    names = {c["name"] for c in emulator.commands(town.guild)}
    assert "setup" in names
    it = await emulator.slash(town.guild, town.admin, "setup show")
    reply = await it.reply()
    assert reply.ephemeral
    text = reply.text
    assert f"<#{town.announcements.id}>" in text
    assert f"<@&{town.moderators.id}>" in text
    assert "Europe/Brussels" in text and "(default)" in text


async def test_setup_channels_reports_old_and_new_and_survives_restart(
    emulator: Emulator, town: Town, harness: BotHarness
):
    """Changing a channel replies old → new, and the choice is still there after a restart."""
    news = town.guild.add_text_channel("news")
    it = await emulator.slash(town.guild, town.admin, "setup channels", announcements=news)
    reply = await it.reply()
    assert reply.ephemeral
    assert f"<#{town.announcements.id}> → <#{news.id}>" in reply.content

    await harness.restart()
    shown = await (await emulator.slash(town.guild, town.admin, "setup show")).reply()
    assert f"**announcements**: <#{news.id}>" in shown.text


async def test_setup_channels_without_any_channel_is_a_clear_error(
    emulator: Emulator, town: Town, harness: BotHarness
):
    """/setup channels with no option says what to choose and changes nothing."""
    reply = await (await emulator.slash(town.guild, town.admin, "setup channels")).reply()
    assert reply.ephemeral
    assert "Choose at least one channel" in reply.content
    assert harness.bot is not None
    stored = await harness.bot.repos.guild_settings.get(town.guild.id)
    assert stored.announcements_channel_id == town.announcements.id


async def test_exchange_forum_takes_only_a_forum(emulator: Emulator, town: Town, harness: BotHarness):
    """The exchange_forum option offers only forum channels, and a forum is stored."""
    with pytest.raises(NotPossible):
        await emulator.slash(town.guild, town.admin, "setup channels", exchange_forum=town.general)
    forum = town.guild.add_forum_channel("city-questions")
    reply = await (
        await emulator.slash(town.guild, town.admin, "setup channels", exchange_forum=forum)
    ).reply()
    assert f"<#{forum.id}>" in reply.content


async def test_moderator_role_cannot_be_everyone(emulator: Emulator, town: Town, harness: BotHarness):
    """@everyone is refused as moderator role; another role is stored without being pinged."""
    reply = await (
        await emulator.slash(town.guild, town.admin, "setup moderator-role", role=town.guild.everyone)
    ).reply()
    assert reply.ephemeral and "cannot be the moderator role" in reply.content
    assert harness.bot is not None
    assert (await harness.bot.repos.guild_settings.get(town.guild.id)).moderator_role_id == town.moderators.id
    stewards = town.guild.add_role("Stewards")
    reply = await (
        await emulator.slash(town.guild, town.admin, "setup moderator-role", role=stewards)
    ).reply()
    assert f"<@&{stewards.id}>" in reply.content and f"was <@&{town.moderators.id}>" in reply.content
    assert not reply.mention_role_ids, "confirming a role must not ping it"


async def test_timezone_validates_suggests_and_autocompletes(
    emulator: Emulator, town: Town, harness: BotHarness
):
    """A misspelt zone gets a suggestion, autocomplete offers zones, a miscased zone is stored as spelt."""
    bad = await (await emulator.slash(town.guild, town.admin, "setup timezone", tz="Europe/Lisbn")).reply()
    assert bad.ephemeral and "Europe/Lisbon" in bad.content and "not a time zone" in bad.content
    choices = await emulator.autocomplete(
        town.guild, town.admin, "setup timezone", focused="tz", value="lisb"
    )
    assert choices[0]["value"] == "Europe/Lisbon"
    good = await (await emulator.slash(town.guild, town.admin, "setup timezone", tz="europe/lisbon")).reply()
    assert "`Europe/Lisbon`" in good.content
    assert harness.bot is not None
    stored = await harness.bot.repos.guild_settings.get(town.guild.id)
    assert stored.timezone == "Europe/Lisbon" and not stored.timezone_is_default


async def test_members_cannot_see_setup_and_the_bot_refuses_them_anyway(
    emulator: Emulator, town: Town, harness: BotHarness
):
    """Members do not see /setup, and the bot refuses non-administrators even if Discord lets them run it."""
    with pytest.raises(NotPossible):
        await emulator.slash(town.guild, town.member, "setup show")
    # An admin may grant the command to everyone in Integrations settings: the bot still checks.
    for who in (town.member, town.moderator):
        it = await emulator.slash(town.guild, who, "setup timezone", tz="UTC", override_permissions=True)
        reply = await it.reply()
        assert reply.ephemeral and "administrators" in reply.content
    assert harness.bot is not None
    assert (await harness.bot.repos.guild_settings.get(town.guild.id)).timezone_is_default


async def test_mentions_typed_by_an_admin_stay_inert(emulator: Emulator, town: Town, harness: BotHarness):
    """An @everyone typed into /setup timezone is echoed without pinging anyone."""
    reply = await (await emulator.slash(town.guild, town.admin, "setup timezone", tz="@everyone")).reply()
    assert not reply.mention_everyone
    assert "@everyone" not in reply.content


async def test_setup_channels_names_permissions_the_bot_lacks(
    emulator: Emulator, town: Town, harness: BotHarness
):
    """Choosing a channel where the bot may not embed links or attach files says so in the reply."""
    assert harness.bot is not None
    gallery = town.guild.add_text_channel("gallery")
    updated = asyncio.create_task(harness.bot.wait_for("guild_channel_update", timeout=5))
    await asyncio.sleep(0)  # let wait_for register before the change is dispatched
    denied = perms.EMBED_LINKS | perms.ATTACH_FILES
    gallery.permission_overwrites = [
        {"id": str(town.guild.bot_role.id), "type": 0, "allow": "0", "deny": str(denied)}
    ]
    emulator.world.events.channel_updated(gallery)
    await updated
    reply = await (await emulator.slash(town.guild, town.admin, "setup channels", showcase=gallery)).reply()
    assert f"In <#{gallery.id}> I still need: Embed Links, Attach Files." in reply.content
    quiet = await (
        await emulator.slash(town.guild, town.admin, "setup channels", showcase=town.showcase)
    ).reply()
    assert "still need" not in quiet.content


async def test_moderator_check_follows_the_configured_role_or_manage_server(
    emulator: Emulator, town: Town, settings: Settings, discord_log, app_log
):
    """The bot's own moderator check admits the /setup moderator-role role or Manage Server, nobody else."""
    harness = BotHarness(emulator, settings, extra_extensions=("tests.e2e.faulty_extension",))
    bot = await harness.start()

    async def answer(who: Member) -> str:
        """Run the moderator-only test command as `who` and return the reply."""
        reply = await (await emulator.slash(town.guild, who, "modcheck")).reply()
        assert reply.ephemeral
        return reply.content

    try:
        assert await answer(town.moderator) == "moderator ok"
        refused = await answer(town.member)
        assert "for moderators" in refused and f"<@&{town.moderators.id}>" in refused
        stewards = town.guild.add_role("Stewards", permissions=perms.MANAGE_GUILD)
        assert await answer(town.guild.add_member("sam", roles=[stewards])) == "moderator ok"

        wardens = town.guild.add_role("Wardens")
        await (await emulator.slash(town.guild, town.admin, "setup moderator-role", role=wardens)).reply()
        assert "for moderators" in await answer(town.moderator)
        town.guild.give_role(town.member, wardens)
        assert await answer(town.member) == "moderator ok"

        await bot.repos.guild_settings.set_moderator_role(town.guild.id, None)
        assert "/setup moderator-role" in await answer(town.member)
    finally:
        await harness.stop()
