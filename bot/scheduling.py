"""Run coroutines at given times; the database stays the source of truth for what is pending."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Literal, Protocol, TypeVar

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

log = logging.getLogger(__name__)

T = TypeVar("T")


class Misfire(enum.Enum):
    """What to do with a pending item when the bot (re)starts."""

    SCHEDULE = "schedule"  # still in the future
    RUN_NOW = "run_now"  # late, but within the grace period
    MISSED = "missed"  # too late: mark it missed and tell the moderators


def misfire_decision(due: datetime, now: datetime, grace: timedelta) -> Misfire:
    """Decide whether an item due at `due` is still ahead, late but runnable, or missed."""
    if due > now:
        return Misfire.SCHEDULE
    return Misfire.RUN_NOW if now - due <= grace else Misfire.MISSED


class OpenRow(Protocol):
    """A row a job acts on, as the start-up pass sees it: its state and when it is due."""

    @property
    def state(self) -> str:
        """The row's state ('sending' means a send was under way when the bot stopped)."""
        ...

    @property
    def due_at(self) -> datetime:
        """When the row's job is due."""
        ...


R = TypeVar("R", bound=OpenRow)


@dataclass
class StartSort(Generic[R]):
    """Open rows found at start, sorted: to schedule again, missed while down, interrupted mid-send."""

    to_schedule: list[R] = field(default_factory=list)
    missed: list[R] = field(default_factory=list)
    uncertain: list[R] = field(default_factory=list)


def sort_at_start(rows: Iterable[R], now: datetime, grace: timedelta) -> StartSort[R]:
    """Sort open rows: 'sending' ones are uncertain, those later than the grace missed, the rest scheduled."""
    found: StartSort[R] = StartSort()
    for row in rows:
        if row.state == "sending":
            found.uncertain.append(row)
        elif misfire_decision(row.due_at, now, grace) is Misfire.MISSED:
            found.missed.append(row)
        else:
            found.to_schedule.append(row)
    return found


class DrainingExecutor(AsyncIOExecutor):
    """APScheduler's asyncio executor, able to wait for the jobs it is running before shutdown.

    Its own shutdown cancels running jobs at once, so a reminder half-sent would meet a closed
    database; draining first lets each job finish (and mark its row) within a bounded time.
    """

    async def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for running jobs; cancel and return how many were still running."""
        # _pending_futures is the executor's own set of running jobs (APScheduler 3.x, pinned < 4).
        return await drain(getattr(self, "_pending_futures", ()), timeout, "scheduled job(s)")


async def drain(tasks: Iterable[asyncio.Future[Any]], timeout: float, what: str) -> int:
    """Wait up to `timeout` seconds for `tasks`; cancel, log and return how many were still running."""
    running = [task for task in tasks if not task.done()]
    if not running:
        return 0
    _, late = await asyncio.wait(running, timeout=timeout)
    for task in late:
        task.cancel()
    if late:
        log.warning("shutdown: cancelled %d %s still running after %g s", len(late), what, timeout)
        await asyncio.gather(*late, return_exceptions=True)
    return len(late)


class BackgroundTasks:
    """The tasks a jobs class spawned or runs a job in, kept so shutdown can let them finish recording."""

    def __init__(self) -> None:
        """Start with no task kept."""
        self._kept: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine in the background, keeping a reference until it ends."""
        task = asyncio.get_running_loop().create_task(coro)
        self._keep(task)
        return task

    def track_current(self) -> asyncio.Task[Any] | None:
        """Keep the task running this job until it ends, so shutdown waits for it too."""
        task = asyncio.current_task()
        if task is not None:
            self._keep(task)
        return task

    async def run_job(
        self, body: Awaitable[T], logger: logging.Logger, failure: str, *args: object
    ) -> T | Literal["error"]:
        """Await a job's body, its task kept for shutdown; on an exception log `failure`, return "error"."""
        self.track_current()
        try:
            return await body
        except Exception:
            # The caller's logger, so the line keeps naming the capability that failed.
            logger.exception(failure, *args)
            return "error"

    async def drain(self, timeout: float, what: str) -> int:
        """Wait up to `timeout` seconds for the kept tasks but the caller's own; cancel the late ones."""
        return await drain(self._kept - {asyncio.current_task()}, timeout, what)

    def _keep(self, task: asyncio.Task[Any]) -> None:
        """Hold a task until it is done."""
        self._kept.add(task)
        task.add_done_callback(self._kept.discard)


def new_scheduler() -> tuple[AsyncIOScheduler, DrainingExecutor]:
    """An asyncio scheduler in UTC whose executor can drain running jobs."""
    executor = DrainingExecutor()
    return AsyncIOScheduler(timezone="UTC", executors={"default": executor}), executor


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class Timeline:
    """One-shot jobs keyed by the id of the database row they act on."""

    def __init__(self, scheduler: AsyncIOScheduler, grace: timedelta) -> None:
        """Wrap a started or soon-started APScheduler scheduler."""
        self.scheduler = scheduler
        self.grace = grace

    def run_at(self, job_id: str, when: datetime, func: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Run func(*args) at `when` (at once if it has passed), replacing any job with the same id."""
        # misfire_grace_time=None: a job that comes due while the loop is busy still runs; whether
        # it is too late was decided from the database before scheduling it.
        self.scheduler.add_job(
            func,
            DateTrigger(run_date=max(when, utcnow())),
            args=args,
            id=job_id,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def cancel(self, job_id: str) -> bool:
        """Forget a pending job; return whether there was one."""
        if self.scheduler.get_job(job_id) is None:
            return False
        self.scheduler.remove_job(job_id)
        return True

    def pending(self, prefix: str = "") -> list[str]:
        """List the ids of pending jobs, optionally only those starting with prefix."""
        return [job.id for job in self.scheduler.get_jobs() if job.id.startswith(prefix)]

    def cancel_prefixed(self, *prefixes: str) -> None:
        """Forget every pending job whose id starts with one of these prefixes (a capability stopping)."""
        for prefix in prefixes:
            for job_id in self.pending(prefix):
                self.cancel(job_id)
