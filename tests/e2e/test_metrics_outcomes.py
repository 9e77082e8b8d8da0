"""Errors and stale clicks, forms and slash commands in /metrics (issue #15): a bot in this process,
scraped over HTTP.

The probe capability (tests/e2e/metrics_probe_extension.py) has a button, a form and a slash command
that fail as a bug would, and a button and a form that outlive their cog; the form probe's one-second
form goes stale.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot import metrics
from bot.components import Outcomes
from bot.error_handler import CommandOutcomes
from bot.settings import Settings
from sandbox.emulator import Emulator
from tests.e2e.conftest import AppLogWatch
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_metrics import free_port

EXTENSIONS = ("tests.e2e.metrics_probe_extension", "tests.e2e.form_probe_extension")


class Scraper:
    """The /metrics endpoint of the bot under test."""

    def __init__(self, harness: BotHarness, port: int) -> None:
        """Remember the bot and the port."""
        self.harness, self.port = harness, port

    async def counts(self) -> dict[tuple[str, str, str], float]:
        """climabot_interactions_total by (kind, command, outcome), read over HTTP."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{self.port}/metrics") as page,
        ):
            text = await page.text()
        found: dict[tuple[str, str, str], float] = {}
        for line in text.splitlines():
            series, _, value = line.rpartition(" ")
            if series.startswith("climabot_interactions_total{"):
                labels = dict(re.findall(r'(\w+)="([^"]*)"', series))
                found[labels["kind"], labels["command"], labels["outcome"]] = float(value)
        return found


@pytest.fixture
async def scraper(
    emulator: Emulator,
    settings: Settings,
    discord_log,
    app_log: AppLogWatch,  # type: ignore[no-untyped-def]
) -> AsyncIterator[Scraper]:
    """A ClimaBot with the probes, instrumented and serving /metrics on a free port, as `run` does."""
    app_log.allow(r"^error \w+ in (metricsprobe:boom|form metricsprobe:boom|/metricsprobe)")
    harness = BotHarness(emulator, settings, extra_extensions=EXTENSIONS)
    bot = await harness.start()
    metrics.instrument(bot)
    server = metrics.MetricsServer(free_port())
    await server.start(metrics.live_values(bot))
    try:
        yield Scraper(harness, server.port)
    finally:
        Outcomes.observer = CommandOutcomes.observer = None
        await server.stop()
        await harness.stop()


def grown(before: dict[tuple[str, str, str], float], after: dict[tuple[str, str, str], float]) -> dict:
    """The series that grew between two scrapes, by how much (click and form kinds only)."""
    return {
        key: after[key] - before.get(key, 0.0)
        for key in after
        if key[0] in ("component", "modal_submit") and after[key] != before.get(key, 0.0)
    }


async def test_failures_and_stale_clicks_and_forms_are_counted_by_outcome(
    emulator: Emulator, town: Town, scraper: Scraper
) -> None:
    """A failing button and form count as error; a stale form, its retry button and a switched-off
    capability's button and form as expired; a refusal and a plain click as refused and ok."""
    guild, alice = town.guild, town.member
    before = await scraper.counts()
    posted = await (await emulator.slash(guild, town.moderator, "metricsprobe")).reply()
    broke = await (await emulator.click(guild, alice, posted, "metricsprobe:boom:1")).reply()
    assert "Something went wrong" in broke.content, broke.content
    fine = await (await emulator.click(guild, alice, posted, "metricsprobe:fine:1")).reply()
    assert fine.content == "fine 1"
    boom_form = await emulator.slash(guild, alice, "metricsprobe", form=True)
    await boom_form.wait_modal()
    failed = await (await emulator.submit_modal(guild, alice, boom_form, {"note": "hello"})).reply()
    assert "Something went wrong" in failed.content, failed.content

    quick = await emulator.slash(guild, alice, "probe", item=4, kind="quick")
    await quick.wait_modal()
    refused = await (await emulator.submit_modal(guild, alice, quick, {"note": "bad"})).reply()
    (retry,) = refused.buttons()
    await asyncio.sleep(1.2)  # the one-second form's retry is now stale
    stale = await (await emulator.click(guild, alice, refused, retry["custom_id"])).reply()
    assert "expired" in stale.content, stale.content

    late_form = await emulator.slash(guild, alice, "metricsprobe", form=True)
    await late_form.wait_modal()
    bot = scraper.harness.bot
    assert bot is not None
    await bot.remove_cog("MetricsProbe")
    off = await (await emulator.click(guild, alice, posted, "metricsprobe:fine:1")).reply()
    assert "switched off" in off.content, off.content
    off_form = await (await emulator.submit_modal(guild, alice, late_form, {"note": "late"})).reply()
    assert "switched off" in off_form.content, off_form.content

    expected = {
        ("component", "metricsprobe:boom", "error"): 1,
        ("component", "metricsprobe:boom", "received"): 1,
        ("component", "metricsprobe:fine", "ok"): 1,
        ("component", "metricsprobe:fine", "expired"): 1,
        ("component", "metricsprobe:fine", "received"): 2,
        ("modal_submit", "metricsprobe:boom", "error"): 1,
        ("modal_submit", "metricsprobe:boom", "expired"): 1,
        ("modal_submit", "metricsprobe:boom", "received"): 2,
        ("modal_submit", "probe:quick", "refused"): 1,
        ("modal_submit", "probe:quick", "received"): 1,
        ("component", "forms:retry", "expired"): 1,
        ("component", "forms:retry", "received"): 1,
    }
    for _ in range(50):  # outcomes are counted just after the answer is sent
        growth = grown(before, await scraper.counts())
        if growth == expected:
            break
        await asyncio.sleep(0.05)
    assert growth == expected


async def test_slash_commands_are_counted_once_by_outcome(
    emulator: Emulator, town: Town, scraper: Scraper
) -> None:
    """A command refused for bad input or a missing permission counts as refused, one that raises as
    error, one that finishes as ok; two members at once are counted once each, and for every command
    received is the sum of its outcomes."""
    guild, admin, alice = town.guild, town.admin, town.member
    bob, cleo = guild.add_member("bob"), guild.add_member("cleo")
    before = await scraper.counts()
    errors_before = metrics.ERRORS.labels("/metricsprobe", "RuntimeError")._value.get()  # type: ignore[attr-defined]

    bad = await (await emulator.slash(guild, admin, "setup timezone", tz="Mars/Olympus")).reply()
    assert bad.ephemeral and "not a time zone" in bad.content, bad.content
    denied = await emulator.slash(
        guild, alice, "setup timezone", tz="Europe/Lisbon", override_permissions=True
    )
    assert "administrators" in (await denied.reply()).content
    broke = await (await emulator.slash(guild, alice, "metricsprobe", crash=True)).reply()
    assert broke.ephemeral and "Something went wrong" in broke.content, broke.content
    done = await (await emulator.slash(guild, admin, "setup timezone", tz="Europe/Lisbon")).reply()
    assert "Europe/Lisbon" in done.content, done.content

    at_once = await asyncio.gather(
        *(
            emulator.slash(guild, person, "setup timezone", tz="Europe/Rome", override_permissions=True)
            for person in (bob, cleo)
        ),
        *(emulator.slash(guild, person, "metricsprobe", crash=True) for person in (bob, cleo)),
    )
    answers = await asyncio.gather(*(it.reply() for it in at_once))
    assert ["administrators" in a.content for a in answers[:2]] == [True, True], [a.content for a in answers]
    assert ["Something went wrong" in a.content for a in answers[2:]] == [True, True]

    expected = {
        ("setup timezone", "received"): 5,
        ("setup timezone", "refused"): 4,
        ("setup timezone", "ok"): 1,
        ("metricsprobe", "received"): 3,
        ("metricsprobe", "error"): 3,
    }
    for _ in range(50):  # outcomes are counted just after the answer is sent
        after = await scraper.counts()
        growth = {
            (command, outcome): after[kind, command, outcome] - before.get((kind, command, outcome), 0.0)
            for kind, command, outcome in after
            if kind == "application_command"
            and after[kind, command, outcome] != before.get((kind, command, outcome), 0.0)
        }
        if growth == expected:
            break
        await asyncio.sleep(0.05)
    assert growth == expected
    for command in ("setup timezone", "metricsprobe"):
        outcomes = sum(
            v for (name, outcome), v in growth.items() if name == command and outcome != "received"
        )
        assert outcomes == growth[command, "received"], command
    errors = metrics.ERRORS.labels("/metricsprobe", "RuntimeError")._value.get()  # type: ignore[attr-defined]
    assert errors - errors_before == 3
