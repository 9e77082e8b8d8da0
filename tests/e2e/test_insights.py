"""/insights end to end: after real activity a moderator gets a private report and chart; others not."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from sandbox.emulator import Emulator
from sandbox.interactions import CB_DEFER
from sandbox.state import Member, Message
from storage.repositories import Repositories
from storage.testimonials import NewTestimonial
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_polls_stage import create_poll, vote


async def answer(emu: Emulator, town: Town, who: Member, command: str, **options: Any) -> Message:
    """Run a slash command in #general and return the first message the person sees."""
    it = await emu.slash(town.guild, who, command, channel=town.general, options=options)
    return await it.reply(timeout=10)


def field(message: Message, name: str) -> str:
    """The value of the report field whose name contains `name`."""
    (embed,) = message.embeds
    return next(str(f["value"]) for f in embed["fields"] if name in f["name"])


async def seed_stories(repos: Repositories, town: Town) -> None:
    """Five stories (four citizens, one researcher), one approved and one withdrawn, as the cog would."""
    now = datetime.now(UTC)
    await repos.testimonials.create_campaign(
        guild_id=town.guild.id, name="Trams", prompt="How did the tram change your day?",
        licence="CC-BY-4.0", max_photo_bytes=1 << 20, created_by=town.moderator.user.id, now=now,
    )  # fmt: skip
    ids = []
    for author, group in enumerate(["citizen"] * 4 + ["researcher"], start=1):
        new = NewTestimonial(
            guild_id=town.guild.id, campaign_name="Trams", author_id=author, author_name=f"m{author}",
            story="The tram made my mornings calmer and shorter.", city="Lyon", target_group=group,
            consent_scope="anonymous", consent_version="1", consent_text="I agree.", consented_at=now,
        )  # fmt: skip
        ids.append((await repos.testimonials.submit(new, None, now=now)).id)
    await repos.testimonials.decide(ids[0], approve=True, moderator_id=town.moderator.user.id, now=now)
    await repos.testimonials.withdraw(ids[1], author_id=2)


async def test_moderator_gets_a_private_report_with_chart_and_right_numbers(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Polls, cities and profiles made through commands, stories and an exchange through repositories."""
    await emulator.wait_for_commands(town.guild, {"insights", "poll", "city", "profile", "event"})
    assert harness.bot is not None
    repos = harness.bot.repos
    bob, carla, dan = (town.guild.add_member(name) for name in ("bob", "carla", "dan"))

    poll_id, message = await create_poll(emulator, town)
    for who, option in ((town.member, 0), (bob, 0), (carla, 1)):
        assert "counted" in await vote(emulator, town, who, message, poll_id, option)
    assert (
        "Registered"
        in (await answer(emulator, town, town.moderator, "city add", name="Lyon", country="FR")).content
    )
    for who in (town.member, bob, carla):
        reply = await answer(emulator, town, who, "profile set", group="citizen", city="Lyon")
        assert "Profile updated" in reply.content
    assert "Profile updated" in (await answer(emulator, town, dan, "profile set", group="researcher")).content
    await seed_stories(repos, town)
    await repos.exchanges.create(
        guild_id=town.guild.id, forum_id=town.exchange.id, thread_id=987654321, author_id=bob.user.id,
        from_city_id=None, title="Heat pumps?", question="How did you fund them?", theme="energy",
        city_ids=[],
    )  # fmt: skip

    await emulator.slash(
        town.guild,
        town.moderator,
        "event create",
        title="Heat pumps",
        start="in 3d",
        duration="1h",
        where="Town hall",
    )
    await emulator.wait_for_message(town.announcements, lambda m: "Heat pumps" in m.content)

    it = await emulator.slash(town.guild, town.moderator, "insights", channel=town.general, days=7)
    report = await it.reply(timeout=15)
    assert it.responses[0].kind == "callback" and it.responses[0].type == CB_DEFER, "deferred first"
    assert report.ephemeral
    (embed,) = report.embeds
    assert embed["title"] == "Engagement insights: the last 7 days"
    polls = field(report, "Polls")
    assert "Created: **1**" in polls and "Votes cast: **3**" in polls
    assert "Distinct voters (non-anonymous polls): **3**" in polls
    stories = field(report, "Testimonials")
    assert "Submitted: **4** · approved **1** · rejected **0**" in stories
    assert "Waiting for a decision now: **3**" in stories and "Withdrawn: not countable" in stories
    assert "By group: citizen 3 · researcher <3" in stories
    assert "By consent: named 0 · anonymous 4 · research 0" in stories
    exchanges = field(report, "Exchanges")
    assert "Asked: **1** · resolved **0**" in exchanges and "Top themes: Energy <3" in exchanges
    assert "Registered: **1** (1 in the register)" in field(report, "Cities")
    assert "Members who joined a city: **3**" in field(report, "Cities")
    events = field(report, "Events")
    assert "created **1**" in events and "Upcoming now: **1**" in events
    assert field(report, "Member profiles").startswith("citizen 3 · policy-maker 0 · researcher <3")
    assert "<3" in embed["footer"]["text"]

    (chart,) = report.attachments
    assert chart.filename.startswith("insights-") and chart.filename.endswith(".png")
    assert embed["image"]["url"] == f"attachment://{chart.filename}"
    assert chart.data.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(chart.data)).size[0] >= 800
    assert not report.mention_ids and not report.mention_role_ids and not report.mention_everyone
    assert emulator.messages_in(town.general)[-1].id == message.id, "nothing was posted publicly"


async def test_default_window_is_thirty_days(emulator: Emulator, town: Town, harness: BotHarness) -> None:
    """Without `days` the report covers the last 30 days, and an empty server still gets its chart."""
    report = await (await emulator.slash(town.guild, town.admin, "insights")).reply(timeout=15)
    assert report.ephemeral and report.embeds[0]["title"] == "Engagement insights: the last 30 days"
    assert "Created: **0**" in field(report, "Polls")
    assert len(report.attachments) == 1 and report.attachments[0].data.startswith(b"\x89PNG")


async def test_members_are_refused_and_bad_days_are_explained(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The bot itself refuses a member; days outside 1 to 365 get a clear private error and no report."""
    refused = await emulator.slash(town.guild, town.member, "insights", override_permissions=True)
    reply = await refused.reply()
    assert reply.ephemeral and "for moderators" in reply.content
    assert not reply.embeds and not reply.attachments
    assert refused.responses[0].type != CB_DEFER, "refused before any work"

    for days in (0, 400, -3):
        it = await emulator.slash(town.guild, town.moderator, "insights", days=days)
        error = await it.reply()
        assert error.ephemeral and "from 1 to 365" in error.content and f"you gave {days}" in error.content
        assert not error.embeds and not error.attachments
