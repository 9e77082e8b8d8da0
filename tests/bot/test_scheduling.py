"""Deciding what happens to items that came due while the bot was down, and running jobs."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.scheduling import (
    BackgroundTasks,
    Misfire,
    Timeline,
    misfire_decision,
    new_scheduler,
    sort_at_start,
    utcnow,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_future_items_are_scheduled():
    """An item due in the future is scheduled."""
    assert misfire_decision(NOW + timedelta(seconds=1), NOW, HOUR) is Misfire.SCHEDULE


def test_late_items_within_grace_run_now():
    """An item late by at most the grace period runs at once."""
    assert misfire_decision(NOW, NOW, HOUR) is Misfire.RUN_NOW
    assert misfire_decision(NOW - HOUR, NOW, HOUR) is Misfire.RUN_NOW


def test_items_later_than_grace_are_missed():
    """An item later than the grace period is missed."""
    assert misfire_decision(NOW - HOUR - timedelta(seconds=1), NOW, HOUR) is Misfire.MISSED


def test_zero_grace_means_any_late_item_is_missed():
    """With no grace, even one second late is missed."""
    assert misfire_decision(NOW - timedelta(seconds=1), NOW, timedelta(0)) is Misfire.MISSED


@dataclass(frozen=True)
class Row:
    """An open row as a repository returns it (a reminder, an event notice)."""

    name: str
    state: str
    due_at: datetime


def test_sort_at_start_flags_interrupted_rows_misses_late_ones_and_schedules_the_rest():
    """'sending' is uncertain whenever due; pending rows past the grace are missed; the rest stay in order."""
    rows = [
        Row("ahead", "pending", NOW + HOUR),
        Row("interrupted", "sending", NOW - 5 * HOUR),
        Row("late within grace", "pending", NOW - HOUR),
        Row("too late", "pending", NOW - HOUR - timedelta(seconds=1)),
        Row("interrupted ahead", "sending", NOW + HOUR),
        Row("due now", "pending", NOW),
    ]
    found = sort_at_start(rows, NOW, HOUR)
    assert [r.name for r in found.to_schedule] == ["ahead", "late within grace", "due now"]
    assert [r.name for r in found.missed] == ["too late"]
    assert [r.name for r in found.uncertain] == ["interrupted", "interrupted ahead"]
    assert sort_at_start([], NOW, HOUR).to_schedule == []


async def test_timeline_runs_a_past_job_at_once_and_replaces_by_id():
    """A job whose time has passed runs at once, and a second job with the same id replaces the first."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.start()
    timeline = Timeline(scheduler, HOUR)
    ran: list[str] = []
    done = asyncio.Event()

    async def job(tag: str) -> None:
        """Record which job ran."""
        ran.append(tag)
        done.set()

    try:
        timeline.run_at("poll:1", utcnow() + timedelta(days=1), job, "first")
        timeline.run_at("poll:1", utcnow() - timedelta(minutes=5), job, "second")
        assert timeline.pending("poll:") == ["poll:1"]
        await asyncio.wait_for(done.wait(), timeout=5)
        assert ran == ["second"]
        assert timeline.pending() == []
        assert timeline.cancel("poll:1") is False
    finally:
        scheduler.shutdown(wait=False)


async def test_cancel_removes_a_pending_job_before_it_runs():
    """Cancelling a pending job removes it, reports True, and the job never runs."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.start()
    timeline = Timeline(scheduler, HOUR)
    ran: list[str] = []

    async def job() -> None:
        """Record that the job ran."""
        ran.append("ran")

    try:
        timeline.run_at("event:7", utcnow() + timedelta(days=1), job)
        timeline.run_at("poll:8", utcnow() + timedelta(days=1), job)
        assert timeline.cancel("event:7") is True
        assert timeline.pending() == ["poll:8"] and timeline.pending("event:") == []
    finally:
        scheduler.shutdown(wait=False)
    assert ran == []


async def test_cancel_prefixed_forgets_only_the_named_kinds():
    """A capability stopping forgets its own jobs, of every prefix it names, and leaves the others."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.start()
    timeline = Timeline(scheduler, HOUR)

    async def job() -> None:
        """Do nothing (never due in this test)."""

    try:
        for job_id in ("reminder:1", "announce:2", "announce:3", "poll:4"):
            timeline.run_at(job_id, utcnow() + timedelta(days=1), job)
        timeline.cancel_prefixed("reminder:", "announce:")
        assert timeline.pending() == ["poll:4"]
    finally:
        scheduler.shutdown(wait=False)


async def test_drain_waits_for_a_running_job_and_cancels_one_that_overstays(caplog):
    """Shutdown lets a running job finish; a job still running after the grace is cancelled and logged."""
    scheduler, executor = new_scheduler()
    scheduler.start()
    finished: list[str] = []
    started = asyncio.Event()

    async def job(name: str, seconds: float) -> None:
        """Sleep like a job sending messages, then record that it finished."""
        started.set()
        await asyncio.sleep(seconds)
        finished.append(name)

    try:
        assert await executor.drain(1.0) == 0
        Timeline(scheduler, HOUR).run_at("short", utcnow(), job, "short", 0.3)
        await asyncio.wait_for(started.wait(), 2)
        assert await executor.drain(2.0) == 0
        assert finished == ["short"]
        started.clear()
        Timeline(scheduler, HOUR).run_at("long", utcnow(), job, "long", 30)
        await asyncio.wait_for(started.wait(), 2)
        assert await executor.drain(0.2) == 1
        await asyncio.sleep(0)
        assert finished == ["short"]
        assert "cancelled 1 scheduled job" in caplog.text
    finally:
        scheduler.shutdown(wait=False)


async def test_background_tasks_drain_spawned_and_tracked_work_but_not_the_caller(caplog):
    """Shutdown waits for spawned and tracked tasks, cancels the late one, and never waits for itself."""
    background = BackgroundTasks()
    finished: list[str] = []
    tracked = asyncio.Event()

    async def work(name: str, seconds: float) -> None:
        """Sleep like a post under way, then record that it finished."""
        await asyncio.sleep(seconds)
        finished.append(name)

    async def job() -> None:
        """A scheduler job that keeps its own task, then works briefly."""
        background.track_current()
        tracked.set()
        await work("job", 0.2)

    async def closing() -> int:
        """Drain from a task that is itself kept (as a job calling close would be)."""
        background.track_current()
        return await background.drain(0.5, "test tasks")

    background.spawn(work("quick", 0.1))
    background.spawn(work("slow", 30))
    running = asyncio.create_task(job())
    await asyncio.wait_for(tracked.wait(), 2)
    assert await asyncio.wait_for(closing(), 5) == 1
    assert sorted(finished) == ["job", "quick"]
    assert "cancelled 1 test tasks" in caplog.text
    await running
    assert await background.drain(0.1, "test tasks") == 0


async def test_run_job_returns_the_body_result_and_keeps_its_task_for_shutdown():
    """A job run through run_job gives back what its body returns, and shutdown waits for it."""
    background = BackgroundTasks()
    started = asyncio.Event()

    async def body() -> str:
        """A job body that takes a moment."""
        started.set()
        await asyncio.sleep(0.1)
        return "sent"

    logger = logging.getLogger("tests.jobs")
    running = asyncio.create_task(background.run_job(body(), logger, "job %s failed", 7))
    await asyncio.wait_for(started.wait(), 2)
    assert await background.drain(5, "test jobs") == 0
    assert running.done() and running.result() == "sent"


async def test_run_job_logs_a_failure_with_its_trace_on_the_callers_logger_and_returns_error(caplog):
    """A body that raises gives "error" and one line on the caller's logger naming the row, with the trace."""
    background = BackgroundTasks()

    async def body() -> str:
        """A job body that breaks."""
        raise RuntimeError("database is locked")

    caplog.set_level(logging.ERROR)
    assert (
        await background.run_job(body(), logging.getLogger("tests.jobs"), "announcement %s failed", 42)
        == "error"
    )
    [record] = [r for r in caplog.records if r.name == "tests.jobs"]
    assert record.getMessage() == "announcement 42 failed"
    assert record.exc_info is not None and "database is locked" in str(record.exc_info[1])


async def test_run_job_lets_cancellation_through():
    """Cancelling a job at shutdown is not a failure to swallow: the CancelledError reaches the task."""
    background = BackgroundTasks()

    async def body() -> str:
        """A job body that waits forever."""
        await asyncio.sleep(30)
        return "sent"

    running = asyncio.create_task(background.run_job(body(), logging.getLogger("tests.jobs"), "job failed"))
    await asyncio.sleep(0.05)
    assert await background.drain(0.1, "test jobs") == 1
    assert running.cancelled()
