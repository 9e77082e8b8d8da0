"""Prometheus metrics, served at http://127.0.0.1:PORT/metrics when `metrics.port` is set (off by default).

Labels are bounded and never name a member, a server or a message: commands by their name, components
by the `cog:action` start of their custom_id (the PersistentButton/PersistentSelect prefix), forms by
their kind, Discord routes with every id replaced by `{id}`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from aiohttp import web
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from discord import app_commands
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.components import Outcomes
from bot.error_handler import CommandOutcomes

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

INTERACTIONS = Counter(
    "climabot_interactions",
    "Interactions: received (every one); ok (a slash command finished; a click or form done); refused "
    "(a slash command, click or form the member was told no, in words); error (one that failed with an "
    "error id); expired (a stale form, or a click or form whose part of climabot is switched off).",
    ["kind", "command", "outcome"],
    registry=REGISTRY,
)
INTERACTION_LATENCY = Histogram(
    "climabot_interaction_latency_seconds",
    "From the interaction's creation at Discord to the end of its handler, by kind and command.",
    ["kind", "command"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
ERRORS = Counter(
    "climabot_errors",
    "Unexpected errors (a member got an error id), by where they happened and exception type.",
    ["where", "error"],
    registry=REGISTRY,
)
SCHEDULER_LAG = Histogram(
    "climabot_scheduler_lag_seconds",
    "How late a scheduled job started after its due time, by job kind.",
    ["kind"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 60.0, 300.0, 3600.0),
    registry=REGISTRY,
)
TRANSACTION_TIME = Histogram(
    "climabot_db_transaction_seconds",
    "Time a database write transaction held the writer, from BEGIN to COMMIT or ROLLBACK.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
    registry=REGISTRY,
)
HTTP_RESPONSES = Counter(
    "climabot_discord_http_errors",
    "Discord REST responses with status 400 or more (429 included), by method, route and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
UP = Gauge("climabot_up", "1 while the bot process serves metrics.", registry=REGISTRY)

_ID = re.compile(r"/\d{5,}(?=/|$)")
_TOKENISH = re.compile(r"/(webhooks|interactions)/\{id\}/[^/]+")


def route_of(path: str) -> str:
    """Turn a REST path into a label: ids become {id}, interaction and webhook tokens are dropped."""
    path = path.split("?", 1)[0]
    for marker in ("/api/v10", "/api/v9"):
        if marker in path:
            path = path.split(marker, 1)[1]
    path = _ID.sub("/{id}", path)
    return _TOKENISH.sub(lambda m: f"/{m.group(1)}/{{id}}/{{token}}", path)


def component_name(custom_id: str) -> str:
    """The `cog:action` start of a custom_id: which button, never which item or member."""
    return ":".join(custom_id.split(":")[:2])[:60] or "?"


def job_kind(job_id: str) -> str:
    """The kind of a scheduled job: its id up to the first colon or digit."""
    return re.split(r"[:\d]", job_id, maxsplit=1)[0] or "job"


def seconds_since(moment: datetime) -> float:
    """Seconds from moment to now, never negative (clocks may differ slightly)."""
    return max(0.0, (datetime.now(UTC) - moment).total_seconds())


_DIGITS = re.compile(r"\d+")


def where_label(where: str) -> str:
    """A bounded label for where an error happened: a command, a component's cog:action, a form kind."""
    if where.startswith("/"):
        return where[:60]
    return _DIGITS.sub("{id}", component_name(where) if ":" in where else where)[:60]


def interaction_labels(interaction: discord.Interaction[Any]) -> tuple[str, str]:
    """(kind, name) of an interaction: a command's name, or a component's or form's cog:action."""
    kind = interaction.type.name
    if interaction.command is not None:
        return kind, interaction.command.qualified_name
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = data.get("custom_id")
    if isinstance(custom_id, str):
        return kind, _DIGITS.sub("{id}", component_name(custom_id))
    name = data.get("name")
    return kind, str(name)[:60] if name else "?"


class _UnexpectedErrors(logging.Handler):
    """Counts the unexpected errors the error reporter logs with an error id."""

    def emit(self, record: logging.LogRecord) -> None:
        """Count a record that carries an error id."""
        if getattr(record, "error_id", None) is None:
            return
        error = record.exc_info[1] if record.exc_info else None
        where = where_label(str(getattr(record, "command", "?")))
        ERRORS.labels(where, type(error).__name__ if error is not None else "?").inc()


_ERROR_COUNTER = _UnexpectedErrors(logging.ERROR)


def http_trace() -> aiohttp.TraceConfig:
    """An aiohttp trace for discord.py's REST client that counts error responses by route."""
    trace = aiohttp.TraceConfig()

    async def on_request_end(session: Any, context: SimpleNamespace, params: Any) -> None:
        """Count responses Discord refused or failed."""
        status = params.response.status
        if status >= 400:
            HTTP_RESPONSES.labels(params.method, route_of(params.url.path), str(status)).inc()

    trace.on_request_end.append(on_request_end)
    return trace


class LiveCollector(Collector):
    """Values read at scrape time: gateway latency and pending scheduled jobs by kind."""

    def __init__(self, latency: Callable[[], float], job_ids: Callable[[], Iterable[str]]) -> None:
        """Remember where to read the values."""
        self._latency = latency
        self._job_ids = job_ids

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """Yield the current values."""
        latency = GaugeMetricFamily(
            "climabot_gateway_latency_seconds", "Time between a gateway heartbeat and its acknowledgement."
        )
        value = self._latency()
        latency.add_metric([], value if value == value and value != float("inf") else 0.0)
        yield latency
        pending = GaugeMetricFamily(
            "climabot_pending_jobs", "Scheduled jobs waiting, by kind.", labels=["kind"]
        )
        counts: dict[str, int] = {}
        for job_id in self._job_ids():
            counts[job_kind(job_id)] = counts.get(job_kind(job_id), 0) + 1
        for kind, count in sorted(counts.items()):
            pending.add_metric([kind], count)
        yield pending


class MetricsServer:
    """The /metrics endpoint on 127.0.0.1, run in the bot's own event loop."""

    def __init__(self, port: int) -> None:
        """Remember the port; nothing listens until start()."""
        self.port = port
        self._runner: web.AppRunner | None = None
        self._live: LiveCollector | None = None

    async def start(self, live: LiveCollector) -> None:
        """Register the live values and start listening."""
        self._live = live
        REGISTRY.register(live)
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        # Loopback only: an operator who wants it elsewhere puts a proxy or a sidecar in front.
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        UP.set(1)
        log.info("metrics at http://127.0.0.1:%d/metrics", self.port)

    async def stop(self) -> None:
        """Stop listening and unregister the live values."""
        UP.set(0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._live is not None:
            REGISTRY.unregister(self._live)
            self._live = None

    async def _metrics(self, request: web.Request) -> web.Response:
        """Answer a scrape with the Prometheus text format."""
        started = time.perf_counter()
        body = generate_latest(REGISTRY)
        log.debug("metrics scraped in %.1f ms", (time.perf_counter() - started) * 1000)
        return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})


def count_outcome(interaction: discord.Interaction[Any], name: str, outcome: str) -> None:
    """Count how a click or form ended (name: its prefix or form kind) and how long it took."""
    kind = interaction.type.name
    INTERACTIONS.labels(kind, name, outcome).inc()
    INTERACTION_LATENCY.labels(kind, name).observe(seconds_since(interaction.created_at))


def count_command_outcome(interaction: discord.Interaction[Any], outcome: str) -> None:
    """Count a slash command that raised (refused or error) under the labels it was received with."""
    kind, name = interaction_labels(interaction)
    INTERACTIONS.labels(kind, name, outcome).inc()
    INTERACTION_LATENCY.labels(kind, name).observe(seconds_since(interaction.created_at))


def instrument(bot: ClimaBot) -> None:
    """Count the bot's interactions, jobs, transactions and errors (call it only when metrics are on)."""

    async def on_interaction(interaction: discord.Interaction[Any]) -> None:
        """Count every interaction as it arrives."""
        INTERACTIONS.labels(*interaction_labels(interaction), "received").inc()

    async def on_app_command_completion(
        interaction: discord.Interaction[Any], command: app_commands.Command[Any, ..., Any] | Any
    ) -> None:
        """Count a command that finished without error, and how long it took since Discord created it."""
        kind, name = interaction_labels(interaction)
        INTERACTIONS.labels(kind, name, "ok").inc()
        INTERACTION_LATENCY.labels(kind, name).observe(seconds_since(interaction.created_at))

    async def on_connect() -> None:
        """Time the database's write transactions, now that storage is open (setup_hook has run)."""
        bot.database.on_transaction = TRANSACTION_TIME.observe

    def job_ran(event: JobExecutionEvent) -> None:
        """Record how late a job started (its due time to now; the job's own run time is small)."""
        if event.scheduled_run_time is not None:
            SCHEDULER_LAG.labels(job_kind(event.job_id)).observe(seconds_since(event.scheduled_run_time))

    Outcomes.observer = count_outcome
    CommandOutcomes.observer = count_command_outcome
    bot.add_listener(on_interaction)
    bot.add_listener(on_app_command_completion)
    bot.add_listener(on_connect)
    bot.scheduler.add_listener(job_ran, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    error_logger = logging.getLogger("bot.error_handler")
    if _ERROR_COUNTER not in error_logger.handlers:
        error_logger.addHandler(_ERROR_COUNTER)


def live_values(bot: ClimaBot) -> LiveCollector:
    """The values read from the running bot at each scrape."""
    return LiveCollector(lambda: bot.latency, lambda: [job.id for job in bot.scheduler.get_jobs()])
