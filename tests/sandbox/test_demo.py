"""The sandbox's demo server: what it holds, and climabot configured on it by its own slash commands."""

from __future__ import annotations

from pathlib import Path

import discord

from bot.sandbox_run import configure_demo, sandbox_settings
from bot.themes import RESOLVED_TAG, THEMES
from sandbox import perms, persist
from sandbox.demo import ADMIN_ROLE, GUILD_NAME, MODERATOR_ROLE, PEOPLE, build_demo, find_demo
from sandbox.emulator import Emulator
from sandbox.state import CATEGORY, FORUM, TEXT, VOICE
from tests.e2e.harness import BotHarness
from tests.sandbox.fixtures import DiscordLogWatch

EXCHANGE_TAGS = [*(t.tag for t in THEMES), RESOLVED_TAG]
PROPOSAL_TAGS = [t.tag for t in THEMES]


def test_the_demo_server_has_the_channels_roles_and_people_the_tour_needs() -> None:
    """Channels of each kind, forums with their tags, admin and moderator roles, people in many languages."""
    emu = Emulator()
    demo = build_demo(emu, exchange_tags=EXCHANGE_TAGS, proposal_tags=PROPOSAL_TAGS)
    guild = demo.guild
    assert guild.name == GUILD_NAME
    kinds = {c.name: c.type for c in guild.channels.values()}
    assert kinds == {
        "Welcome": CATEGORY,
        "general": TEXT,
        "announcements": TEXT,
        "Community": CATEGORY,
        "showcase": TEXT,
        "exchange": FORUM,
        "proposals": FORUM,
        "webinars": VOICE,
        "Team": CATEGORY,
        "moderation": TEXT,
    }
    assert [t["name"] for t in demo.exchange.available_tags] == EXCHANGE_TAGS
    assert [t["name"] for t in demo.proposals.available_tags] == PROPOSAL_TAGS
    # Commands typed without a channel land in #general, the first text channel.
    assert guild.text_channels[0] is demo.general
    assert demo.admin.id == guild.owner_id and demo.admin_role in demo.admin.roles
    assert demo.admin.permissions & perms.ADMINISTRATOR
    assert [m.user.username for m in guild.members.values() if demo.moderator_role in m.roles] == ["marco"]
    assert not demo.moderator.permissions & perms.ADMINISTRATOR
    people = [m for m in guild.members.values() if not m.user.bot]
    assert len(people) == len(PEOPLE) >= 6
    assert {m.user.locale for m in people} >= {"de", "fr", "it", "es-ES", "pl"}
    assert all(m.user.global_name for m in people)
    hidden = {o["id"]: o for o in demo.moderation.permission_overwrites}
    assert int(hidden[str(guild.id)]["deny"]) & perms.VIEW_CHANNEL
    [welcome] = emu.messages_in(demo.general)
    assert welcome.content.startswith("Welcome")


def test_the_demo_server_is_found_again_after_a_restart(tmp_path: Path) -> None:
    """find_demo on a reloaded world returns the same server, channels, roles and people."""
    emu = Emulator()
    demo = build_demo(emu, exchange_tags=EXCHANGE_TAGS, proposal_tags=PROPOSAL_TAGS)
    persist.save(emu, tmp_path)
    fresh = Emulator()
    persist.load(fresh, tmp_path)
    again = find_demo(fresh)
    assert again.guild.id == demo.guild.id
    assert [again.general.id, again.exchange.id, again.events.id] == [
        demo.general.id,
        demo.exchange.id,
        demo.events.id,
    ]
    assert (again.admin_role.name, again.moderator_role.name) == (ADMIN_ROLE, MODERATOR_ROLE)
    assert {u: m.id for u, m in again.people.items()} == {u: m.id for u, m in demo.people.items()}


async def test_climabot_is_configured_on_the_demo_server_through_its_commands(
    emulator: Emulator, tmp_path: Path, discord_log: DiscordLogWatch
) -> None:
    """The first-start set-up: /setup channels and moderator-role, /city add, /profile set for everyone."""
    demo = build_demo(emulator, exchange_tags=EXCHANGE_TAGS, proposal_tags=PROPOSAL_TAGS)
    harness = BotHarness(emulator, sandbox_settings(emulator, tmp_path, demo.guild.id))
    bot = await harness.start()
    try:
        voice = bot.get_channel(demo.events.id)
        assert isinstance(voice, discord.VoiceChannel) and voice.name == "webinars"
        await configure_demo(emulator, demo)
        [setup] = [it for it in emulator.interactions if it.command_name == "setup channels"]
        answer = (await setup.reply()).content
        # Every channel was set, and climabot lacks nothing in any of them (the hidden #moderation too).
        assert answer.count("\n") >= 4 and "#" in answer, answer
        assert "⚠️" not in answer and "still need" not in answer, answer
        moderation = bot.get_channel(demo.moderation.id)
        assert isinstance(moderation, discord.TextChannel)
        assert not moderation.permissions_for(moderation.guild.default_role).view_channel
        settings = await bot.repos.guild_settings.get(demo.guild.id)
        assert settings.moderation_channel_id == demo.moderation.id
        assert settings.exchange_forum_id == demo.exchange.id
        assert settings.moderator_role_id == demo.moderator_role.id
        cities = {c.name: c for c in await bot.repos.cities.all(demo.guild.id)}
        assert set(cities) == {p.city for p in PEOPLE}
        for person in PEOPLE:
            member = demo.people[person.username]
            profile = await bot.repos.profiles.get(demo.guild.id, member.id)
            assert profile is not None, person.username
            assert (profile.target_group, profile.city_id) == (person.group, cities[person.city].id)
            assert cities[person.city].role_id in member.role_ids, f"{person.username} has the city role"
    finally:
        await harness.stop()
