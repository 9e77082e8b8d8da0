"""Scheduled work of the testimonials capability: rejected photos go after the retention period."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from cogs.testimonials.moderation import Moderation

log = logging.getLogger(__name__)

RETENTION_JOB = "testimonials:photo-retention"
RETENTION_EVERY = timedelta(days=1)


class PhotoRetention:
    """Deletes the photos of testimonials rejected longer ago than the retention period, daily."""

    def __init__(self, scheduler: AsyncIOScheduler, moderation: Moderation, retention: timedelta) -> None:
        """Use the bot's scheduler, the moderation flows (files and cards) and the retention period."""
        self.scheduler = scheduler
        self.moderation = moderation
        self.retention = retention

    def start(self) -> None:
        """Run once now (photos may have come due while the bot was down), then once a day."""
        self.scheduler.add_job(
            self.run,
            "interval",
            seconds=RETENTION_EVERY.total_seconds(),
            next_run_time=datetime.now(UTC),
            id=RETENTION_JOB,
            replace_existing=True,
            coalesce=True,
        )

    def stop(self) -> None:
        """Stop the daily run."""
        if self.scheduler.get_job(RETENTION_JOB) is not None:
            self.scheduler.remove_job(RETENTION_JOB)

    async def run(self) -> int:
        """Delete the photos that came due; return how many (a failure is logged, retried tomorrow)."""
        try:
            return await self.moderation.drop_rejected_photos(self.retention)
        except Exception:
            log.exception("could not delete the photos of rejected testimonials")
            return 0
