"""Prometheus metrics of a `climabot run` process during a journey through the emulator."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from prometheus_client import generate_latest

from bot import metrics
from bot.components import Outcomes
from bot.error_handler import CommandOutcomes
from bot.settings import Settings
from sandbox.emulator import Emulator
from tests.e2e.harness import Town


def free_port() -> int:
    """A local TCP port that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_with_metrics(emu: Emulator, settings: Settings, port: int) -> asyncio.subprocess.Process:
    """Start `python -m bot run` against the emulator with metrics on the given port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIMABOT_")}
    env.update(
        CLIMABOT_DISCORD__TOKEN=emu.token,
        CLIMABOT_DISCORD__API_BASE_URL=emu.api_base_url,
        CLIMABOT_DISCORD__GATEWAY_URL=emu.gateway_url,
        CLIMABOT_DISCORD__COMMAND_GUILD_IDS=str(settings.discord.command_guild_ids),
        CLIMABOT_STORAGE__DATABASE_PATH=str(settings.storage.database_path),
        CLIMABOT_STORAGE__MEDIA_DIR=str(settings.storage.media_dir),
        CLIMABOT_METRICS__PORT=str(port),
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus text, or fail saying which is missing."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if series.split("{")[0] == name and found == labels:
            return float(value)
    raise AssertionError(f"no series {name}{labels} in:\n{text}")


async def test_metrics_answer_with_the_named_series_during_a_journey(
    emulator: Emulator, town: Town, settings: Settings
):
    """Commands, a rate-limited reply, a write: /metrics counts them, naming no member, server or token."""
    port = free_port()
    identifies = emulator.identify_count + 1
    proc = await start_with_metrics(emulator, settings, port)
    try:
        await emulator.wait_for_gateway(identifies=identifies, timeout=20)
        show = await emulator.slash(town.guild, town.admin, "setup show", override_permissions=False)
        await show.reply(timeout=10)
        denied = await emulator.slash(town.guild, town.member, "setup show", override_permissions=True)
        assert "administrators" in (await denied.reply(timeout=10)).content
        emulator.faults.rate_limit("POST", r"^/interactions/\d+/[^/]+/callback$", retry_after=0.2)
        zone = await emulator.slash(town.guild, town.admin, "setup timezone", tz="Europe/Lisbon")
        await zone.reply(timeout=10)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/metrics") as page,
        ):
            assert page.status == 200 and page.content_type == "text/plain"
            text = await page.text()
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    command = {"kind": "application_command"}
    assert sample(text, "climabot_interactions_total", **command, command="setup show", outcome="ok") == 1
    assert (
        sample(text, "climabot_interactions_total", **command, command="setup show", outcome="refused") == 1
    )
    assert (
        sample(text, "climabot_interactions_total", **command, command="setup show", outcome="received") == 2
    )
    assert (
        sample(text, "climabot_interactions_total", **command, command="setup timezone", outcome="received")
        == 1
    )
    for name, count in (("setup show", 2), ("setup timezone", 1)):
        assert sample(text, "climabot_interaction_latency_seconds_count", **command, command=name) == count
    assert sample(text, "climabot_pending_jobs", kind="health") == 1
    assert sample(text, "climabot_pending_jobs", kind="forms") >= 1
    assert sample(text, "climabot_gateway_latency_seconds") >= 0
    assert sample(text, "climabot_db_transaction_seconds_count") >= 1
    route = "/interactions/{id}/{token}/callback"
    assert sample(text, "climabot_discord_http_errors_total", method="POST", route=route, status="429") == 1
    for declared in ("climabot_scheduler_lag_seconds", "climabot_errors_total"):
        assert f"# TYPE {declared.removesuffix('_total')}" in text
    for private in (str(town.guild.id), str(town.admin.id), "ada", emulator.token, "Lisbon"):
        assert private not in text, f"{private!r} must not appear in metrics"


async def test_metrics_are_off_by_default_and_a_taken_port_is_one_line(
    emulator: Emulator, town: Town, settings: Settings
):
    """Without metrics.port nothing listens; a port already taken stops run with exit 2 before Discord."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        proc = await start_with_metrics(emulator, settings, port)
        output, _ = await asyncio.wait_for(proc.communicate(), 20)
    lines = output.decode().splitlines()
    assert proc.returncode == 2 and len(lines) == 1, lines
    assert lines[0].startswith("climabot: cannot serve metrics on 127.0.0.1:") and "metrics.port" in lines[0]
    assert emulator.count_requests("GET", r"^/users/@me$") == 0


async def test_scheduler_lag_is_observed_per_job_kind():
    """A job that runs records how late it started, under its kind (the id up to the first colon)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    ran = asyncio.Event()

    async def job() -> None:
        """Do nothing but say it ran."""
        ran.set()

    before = metrics.SCHEDULER_LAG.labels("lagtest")._sum.get()  # type: ignore[attr-defined]
    fake = type("Bot", (), {"scheduler": scheduler, "add_listener": lambda self, f: None})()
    metrics.instrument(fake)  # type: ignore[arg-type]
    scheduler.start()
    try:
        due = datetime.now(UTC) - timedelta(seconds=2)
        scheduler.add_job(job, "date", run_date=due, id="lagtest:1", misfire_grace_time=60)
        await asyncio.wait_for(ran.wait(), 5)
        await asyncio.sleep(0.05)
    finally:
        scheduler.shutdown(wait=False)
        # instrument() turned outcome counting on for this whole process
        Outcomes.observer = CommandOutcomes.observer = None
    assert metrics.SCHEDULER_LAG.labels("lagtest")._sum.get() - before >= 2  # type: ignore[attr-defined]


def test_labels_never_carry_ids_or_tokens():
    """Routes, components and error places are labelled without ids or interaction tokens."""
    token_path = "/api/v10/interactions/123456789012345678/aW50ZXJhY3Rpb24abc/callback"
    assert metrics.route_of(token_path) == "/interactions/{id}/{token}/callback"
    assert (
        metrics.route_of("/api/v10/channels/123456789012345678/messages?limit=5") == "/channels/{id}/messages"
    )
    assert metrics.route_of("/api/v10/webhooks/111111111111/tok-en/messages/@original") == (
        "/webhooks/{id}/{token}/messages/@original"
    )
    assert metrics.component_name("polls:vote:42:3") == "polls:vote"
    assert metrics.where_label("polls:vote:42:3") == "polls:vote"
    assert metrics.where_label("lesson form of exchange 17") == "lesson form of exchange {id}"
    assert metrics.where_label("/poll create") == "/poll create"
    assert metrics.job_kind("health:heartbeat") == "health" and metrics.job_kind("17") == "job"


def test_the_grafana_dashboard_plots_only_series_the_bot_exports():
    """docs/grafana-dashboard.json is valid JSON and every query names a metric climabot defines."""
    root = Path(__file__).resolve().parents[2]
    dashboard = json.loads((root / "docs" / "grafana-dashboard.json").read_text(encoding="utf-8"))
    exported = {
        "climabot_interactions_total",
        "climabot_interaction_latency_seconds_bucket",
        "climabot_scheduler_lag_seconds_bucket",
        "climabot_pending_jobs",
        "climabot_db_transaction_seconds_bucket",
        "climabot_gateway_latency_seconds",
        "climabot_discord_http_errors_total",
        "climabot_errors_total",
    }
    named = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"climabot_\w+", target["expr"])
    }
    assert named == exported
    defined = generate_latest(metrics.REGISTRY).decode()
    for name in exported - {"climabot_pending_jobs", "climabot_gateway_latency_seconds"}:
        assert f"# TYPE {name.removesuffix('_bucket')} " in defined, name
    labels = {
        "climabot_interactions_total": set(metrics.INTERACTIONS._labelnames),
        "climabot_interaction_latency_seconds_bucket": {*metrics.INTERACTION_LATENCY._labelnames, "le"},
        "climabot_scheduler_lag_seconds_bucket": {*metrics.SCHEDULER_LAG._labelnames, "le"},
        "climabot_pending_jobs": {"kind"},
        "climabot_db_transaction_seconds_bucket": {"le"},
        "climabot_gateway_latency_seconds": set(),
        "climabot_discord_http_errors_total": set(metrics.HTTP_RESPONSES._labelnames),
        "climabot_errors_total": set(metrics.ERRORS._labelnames),
    }
    outcomes = {"received", "ok", "refused", "error", "expired"}
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expr = target["expr"]
            (name,) = set(re.findall(r"climabot_\w+", expr))
            grouped = {g.strip() for by in re.findall(r"by \(([^)]*)\)", expr) for g in by.split(",")}
            matched = set(re.findall(r"(\w+)(?:=~|!=|=)\"", expr))
            assert grouped | matched <= labels[name], (panel["title"], expr)
            for values in re.findall(r'outcome(?:=~|!=|=)"([^"]*)"', expr):
                assert set(values.split("|")) <= outcomes, expr
    clicks = [p for p in dashboard["panels"] if 'kind=~"component|modal_submit"' in p["targets"][0]["expr"]]
    assert len(clicks) == 3, "outcomes and latency of buttons, selects and forms have panels"
    slash = [
        p["targets"][0]["expr"]
        for p in dashboard["panels"]
        if 'kind="application_command"' in p["targets"][0]["expr"]
    ]
    assert sum('outcome=~"refused|error"' in expr for expr in slash) == 1, "refused and failed commands"
    assert len(slash) == 3, "outcomes and latency of slash commands have panels"
