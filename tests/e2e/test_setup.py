"""/setup end to end: an administrator configures the server through the real bot."""

from __future__ import annotations

import pytest

from tests.e2e.harness import BotHarness, Town
from tests.emulator.emulator import Emulator
from tests.emulator.options import NotPossible


async def test_bot_connects_syncs_setup_and_answers_show(emulator: Emulator, town: Town, harness: BotHarness):
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
    reply = await (await emulator.slash(town.guild, town.admin, "setup channels")).reply()
    assert reply.ephemeral
    assert "Choose at least one channel" in reply.content
    assert harness.bot is not None
    stored = await harness.bot.repos.guild_settings.get(town.guild.id)
    assert stored.announcements_channel_id == town.announcements.id


async def test_exchange_forum_takes_only_a_forum(emulator: Emulator, town: Town, harness: BotHarness):
    with pytest.raises(NotPossible):
        await emulator.slash(town.guild, town.admin, "setup channels", exchange_forum=town.general)
    forum = town.guild.add_forum_channel("city-questions")
    reply = await (
        await emulator.slash(town.guild, town.admin, "setup channels", exchange_forum=forum)
    ).reply()
    assert f"<#{forum.id}>" in reply.content


async def test_moderator_role_cannot_be_everyone(emulator: Emulator, town: Town, harness: BotHarness):
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
    reply = await (await emulator.slash(town.guild, town.admin, "setup timezone", tz="@everyone")).reply()
    assert not reply.mention_everyone
    assert "@everyone" not in reply.content
