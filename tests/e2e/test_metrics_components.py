"""Buttons, selects and forms counted by outcome in the /metrics of a `climabot run` process (issue #15).

An operator's view: the bot runs as a process with `metrics.port` set, people click and send forms
through the emulator, and /metrics is scraped over HTTP. Each click and each form is counted exactly
once, under its component prefix or form kind and its outcome, never under an id or a token.
"""

from __future__ import annotations

import asyncio
import re
import signal
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.settings import Settings
from sandbox.emulator import Emulator
from sandbox.interactions import InteractionRecord
from sandbox.state import Member, Message
from tests.e2e.harness import Town
from tests.e2e.test_metrics import free_port, sample, start_with_metrics

STORY = "Since the tram line opened I leave the car at home and reach work in twenty minutes."
ITEM = re.compile(r"#(\d+)")
COMPONENT, FORM = "component", "modal_submit"


class Operator:
    """A running `climabot run` with metrics, and what an operator and the town's people do with it."""

    def __init__(self, emu: Emulator, town: Town, port: int) -> None:
        """Remember the emulator, the town and the metrics port."""
        self.emu, self.town, self.port = emu, town, port

    async def scrape(self) -> str:
        """GET /metrics as Prometheus would."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{self.port}/metrics") as page,
        ):
            assert page.status == 200
            return await page.text()

    async def settled(self, outcomes: int) -> str:
        """Scrape until clicks and forms with an outcome add up to `outcomes` (they are counted after
        the answer is sent), then once more to show no late count follows."""
        for _ in range(100):
            text = await self.scrape()
            if counted(text) >= outcomes:
                await asyncio.sleep(0.3)
                return await self.scrape()
            await asyncio.sleep(0.05)
        raise AssertionError(f"only {counted(text)} of {outcomes} outcomes counted:\n{text}")

    async def open_form(self, person: Member) -> InteractionRecord:
        """Run /testimonial submit and wait for the form."""
        it = await self.emu.slash(self.town.guild, person, "testimonial submit", campaign="Trams")
        await it.wait_modal()
        return it

    async def send_form(self, person: Member, it: InteractionRecord, story: str = STORY) -> Message:
        """Send the testimonial form with consent and return the bot's answer."""
        fields: dict[str, Any] = {
            "story": story,
            "city": "Leuven",
            "group": "citizen",
            "usage": "named",
            "licence": True,
        }
        sent = await self.emu.submit_modal(self.town.guild, person, it, fields)
        return await sent.reply(timeout=10)

    def card(self, testimonial: int) -> Message:
        """The moderation card of a testimonial."""
        for message in self.emu.messages_in(self.town.moderation):
            if message.component(f"testimonials:approve:{testimonial}") is not None:
                return message
        raise AssertionError(f"no moderation card for #{testimonial}")

    async def approve(self, person: Member, testimonial: int) -> Message:
        """Press Approve on a card and return the answer."""
        custom_id = f"testimonials:approve:{testimonial}"
        return await (await self.emu.click(self.town.guild, person, self.card(testimonial), custom_id)).reply(
            timeout=10
        )


def counted(text: str) -> int:
    """How many clicks and forms have an outcome in a scrape."""
    total = 0.0
    for line in text.splitlines():
        series, _, value = line.rpartition(" ")
        if not series.startswith("climabot_interactions_total{"):
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if labels["kind"] in (COMPONENT, FORM) and labels["outcome"] != "received":
            total += float(value)
    return int(total)


@pytest.fixture
async def operator(emulator: Emulator, town: Town, settings: Settings) -> AsyncIterator[Operator]:
    """`climabot run` with metrics on a free port; stopped with SIGTERM (exit 0) afterwards."""
    port = free_port()
    identifies = emulator.identify_count + 1
    proc = await start_with_metrics(emulator, settings, port)
    try:
        await emulator.wait_for_gateway(identifies=identifies, timeout=20)
        await emulator.wait_for_commands(town.guild, {"campaign", "testimonial", "poll"})
        yield Operator(emulator, town, port)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_clicks_and_forms_are_counted_once_by_prefix_and_outcome(
    operator: Operator, emulator: Emulator, town: Town
) -> None:
    """Form refused, stale, sent, two at once; Approve refused and done; two votes at once: each once."""
    guild, alice = town.guild, town.member
    bob, cleo = guild.add_member("bob"), guild.add_member("cleo")
    campaign = await emulator.slash(
        guild, town.moderator, "campaign create", name="Trams", prompt="How did it change your day?"
    )
    await campaign.reply(timeout=10)

    first = await operator.open_form(alice)
    refused = await operator.send_form(alice, first, story="\u200b" * 25)
    assert refused.ephemeral and refused.buttons(), refused.content  # the "Fix and send again" button
    stale = await operator.send_form(alice, first)
    assert "expired or was already sent" in stale.content, stale.content
    thanks = await operator.send_form(alice, await operator.open_form(alice))
    assert "Thank you" in thanks.content, thanks.content
    forms = [await operator.open_form(bob), await operator.open_form(cleo)]
    both = await asyncio.gather(*(operator.send_form(p, f) for p, f in zip((bob, cleo), forms, strict=True)))
    assert all("Thank you" in answer.content for answer in both), [a.content for a in both]

    testimonial = int(ITEM.findall(thanks.content)[0])
    not_allowed = await operator.approve(alice, testimonial)
    assert not_allowed.ephemeral and "moderator" in not_allowed.content.lower(), not_allowed.content
    approved = await operator.approve(town.moderator, testimonial)
    assert f"Approved testimonial #{testimonial}" in approved.content, approved.content

    poll = await emulator.slash(
        guild,
        town.moderator,
        "poll create",
        channel=town.general,
        options={"question": "Q?", "options": "A; B"},
    )
    poll_id = int(ITEM.findall((await poll.reply(timeout=10)).content)[0])
    message = await emulator.wait_for_message(
        town.general, lambda m: any(e.get("title") == f"Poll #{poll_id}" for e in m.embeds)
    )
    sent = await asyncio.gather(
        *(emulator.click(guild, p, message, f"polls:vote:{poll_id}:{i}") for i, p in enumerate((bob, cleo)))
    )
    votes = await asyncio.gather(*(it.reply(timeout=10) for it in sent))
    assert all("counted" in vote.content for vote in votes), [v.content for v in votes]

    text = await operator.settled(outcomes=9)
    expected = {
        (FORM, "testimonials:submit", "refused"): 1,
        (FORM, "testimonials:submit", "expired"): 1,
        (FORM, "testimonials:submit", "ok"): 3,
        (FORM, "testimonials:submit", "received"): 5,
        (COMPONENT, "testimonials:approve", "refused"): 1,
        (COMPONENT, "testimonials:approve", "ok"): 1,
        (COMPONENT, "testimonials:approve", "received"): 2,
        (COMPONENT, "polls:vote", "ok"): 2,
        (COMPONENT, "polls:vote", "received"): 2,
    }
    for (kind, command, outcome), count in expected.items():
        found = sample(text, "climabot_interactions_total", kind=kind, command=command, outcome=outcome)
        assert found == count, (kind, command, outcome, found)
    assert counted(text) == 9, "no other click or form was counted"
    assert 'outcome="error"' not in text
    for kind, command, count in ((FORM, "testimonials:submit", 5), (COMPONENT, "testimonials:approve", 2)):
        latency = sample(text, "climabot_interaction_latency_seconds_count", kind=kind, command=command)
        assert latency == count, (kind, command, latency)
    assert (
        sample(text, "climabot_interaction_latency_seconds_count", kind=COMPONENT, command="polls:vote") == 2
    )
    slowest = sample(
        text,
        "climabot_interaction_latency_seconds_bucket",
        kind=FORM,
        command="testimonials:submit",
        le="10.0",
    )
    assert slowest == 5, "every form was answered within 10 s of Discord creating it"
    tokens = [str(first.modal["custom_id"]).rpartition(":")[2]] if first.modal else []
    for private in (str(guild.id), str(alice.user.id), str(bob.user.id), f"polls:vote:{poll_id}", *tokens):
        assert private not in text, f"{private!r} must not appear in metrics"
