"""Calls at Discord's limits through the emulator (which fails a test on any request Discord would refuse):
the longest calls in every view, mention-shaped file text, double clicks, long announcement lists."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.emulator import Emulator
from storage.announcements import AnnouncementInput
from tests.e2e.harness import BotHarness, Town


def later(days: int) -> str:
    """A date `days` from now, as a moderator types it."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d")


def longest(identifier: str, deadline: str) -> dict[str, str]:
    """The form fields of a call with every field at its longest and full of Markdown and mentions."""
    return {
        "identifier": identifier,
        "title": "_@everyone" * 25 + "_" * 6,
        "deadline": deadline,
        "link": "https://ec.europa.eu/" + "a" * (512 - 21),
        "summary": "*@everyone " * 136,
    }


async def test_the_longest_calls_fit_every_view(emulator: Emulator, town: Town, harness: BotHarness) -> None:
    """Nine maximal calls: every list page shows all its calls, show/share, announce and calendar work,
    nobody is pinged; an over-long title and a mention-shaped identifier are rejected inertly."""
    rows: list[dict[str, object]] = [
        {**longest(f"X{i}" + "A" * 98, later(30 + i)), "tags": [f"{j}" + "*" * 29 for j in range(10)]}
        for i in range(9)
    ]
    rows.append({"identifier": "LONG-TITLE", "title": "t" * 257, "deadline": later(40)})
    rows.append({"identifier": f"<@&{town.moderators.id}>", "title": "x", "deadline": later(40)})
    upload = emulator.upload("calls.json", json.dumps(rows).encode(), "application/json")
    report = await (await emulator.slash(town.guild, town.moderator, "calls import", file=upload)).reply(
        timeout=10
    )
    assert report.content.startswith("Import finished: 9 added, 0 updated, 0 unchanged, 2 rejected.")
    assert "item 10 (`LONG-TITLE`): The title is 257 characters long; at most 256 fit." in report.content
    assert "<@&" not in report.content and report.mention_role_ids == []

    first = await (await emulator.slash(town.guild, town.member, "calls list")).reply()
    description = first.embeds[0]["description"]
    assert [f"X{i}" + "A" * 98 in description for i in range(9)] == [True] * 8 + [False]
    page = await emulator.click(town.guild, town.member, first, "calls:page:open:*:1:n")
    await page.responded()
    assert "X8" + "A" * 98 in emulator.world.messages[first.id].embeds[0]["description"]

    shared = await (
        await emulator.slash(town.guild, town.member, "calls show", identifier="X0" + "A" * 98, share=True)
    ).reply()
    assert not shared.ephemeral and not shared.mention_everyone and shared.mention_role_ids == []
    calendar = await (await emulator.slash(town.guild, town.member, "calls calendar")).reply(timeout=10)
    assert calendar.attachments[0].data.count(b"BEGIN:VEVENT") == 9

    it = await emulator.slash(town.guild, town.moderator, "calls add")
    await it.wait_modal()
    form = await emulator.submit_modal(town.guild, town.moderator, it, longest("Y" * 100, later(60)))
    confirmation = await form.reply()
    assert "Registered" in confirmation.content
    call = await harness.bot.repos.calls.get(town.guild.id, "Y" * 100)  # type: ignore[union-attr]
    assert call is not None
    clicked = await emulator.click(town.guild, town.moderator, confirmation, f"calls:announce:{call.id}")
    assert "Announced" in (await clicked.reply()).content
    posted = await emulator.wait_for_message(town.announcements, lambda m: "New funding call" in m.content)
    assert not posted.mention_everyone and posted.mention_ids == [] and posted.mention_role_ids == []
    assert "@everyone" not in posted.content  # the title's mention-shaped text is shown inert


async def test_announce_now_clicked_twice_at_once_posts_once(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Two clicks that reach the bot together: one post, and the other click is told it was announced."""
    it = await emulator.slash(town.guild, town.moderator, "calls add")
    await it.wait_modal()
    values = {"identifier": "DUT-2027", "title": "DUT call", "deadline": later(60), "link": "", "summary": ""}
    confirmation = await (await emulator.submit_modal(town.guild, town.moderator, it, values)).reply()
    call = await harness.bot.repos.calls.get(town.guild.id, "DUT-2027")  # type: ignore[union-attr]
    assert call is not None
    button = f"calls:announce:{call.id}"
    clicks = [await emulator.click(town.guild, town.moderator, confirmation, button) for _ in range(2)]
    answers = sorted([(await click.reply()).content for click in clicks])
    assert answers[0].startswith("Announced `DUT-2027`"), answers
    assert "already announced" in answers[1], answers
    await emulator.wait_for_message(town.announcements, lambda m: "DUT call" in m.content)
    assert len(emulator.messages_in(town.announcements)) == 1


async def test_a_long_announcement_list_fits_and_says_how_many_more(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Forty long pending announcements that ping a role: whole lines only, then "… and N more"."""
    bot = harness.bot
    assert bot is not None
    now = datetime.now(UTC).replace(microsecond=0)
    for i in range(40):
        due = now + timedelta(days=i + 1)
        await bot.repos.announcements.schedule(
            town.guild.id,
            AnnouncementInput(
                town.announcements.id,
                f"Digest {i:02d} " + "x" * 1800,
                "weekly",
                "Europe/Brussels",
                due.astimezone(ZoneInfo("Europe/Brussels")).replace(tzinfo=None),
                due,
                ping_role_id=town.moderators.id,
            ),
            created_by=town.moderator.id,
            now=now,
        )
    listing = await (await emulator.slash(town.guild, town.moderator, "announce list")).reply()
    description = listing.embeds[0]["description"]
    assert len(description) <= 4096
    shown = re.findall(r"Digest ([0-9]{2})", description)
    assert shown == [f"{i:02d}" for i in range(len(shown))] and len(shown) > 5
    assert description.endswith(f"… and {40 - len(shown)} more")
