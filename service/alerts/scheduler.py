"""APScheduler's part, and the only module that imports it: waking the engine up.

APScheduler holds no job per alert and is never the record of what is due: the database is.
It keeps one wake-up job at the next moment work falls due (re-armed as the plan changes), a
safety-net interval job in case a wake-up was missed, and a maintenance job. Every job only
calls back into the engine, which claims its work in the database. Misfires are never
dropped: a job that runs late still runs (misfire_grace_time=None).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

_WAKE = "wake"
_JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


class Wakeups:
    """Calls `wake` at armed moments and every `safety_interval`; `maintain` periodically."""

    def __init__(
        self,
        wake: Callable[[], None],
        maintain: Callable[[], None],
        safety_interval: timedelta,
        maintenance_interval: timedelta,
    ) -> None:
        self._wake = wake
        self._scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(2)},
            job_defaults=_JOB_DEFAULTS,
            timezone=UTC,
        )
        self._scheduler.add_job(
            wake, IntervalTrigger(seconds=_seconds(safety_interval)), id="safety"
        )
        self._scheduler.add_job(
            maintain, IntervalTrigger(seconds=_seconds(maintenance_interval)), id="maintenance"
        )

    def start(self) -> None:
        self._scheduler.start()

    def arm(self, at: datetime | None) -> None:
        """Wake at `at` (replacing the previous wake-up), or not at all when nothing is due."""
        if at is None:
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(_WAKE)
            return
        self._scheduler.add_job(
            self._wake, DateTrigger(run_date=at.astimezone(UTC)), id=_WAKE, replace_existing=True
        )

    def armed_at(self) -> datetime | None:
        job = self._scheduler.get_job(_WAKE)
        return None if job is None else job.next_run_time

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def _seconds(interval: timedelta) -> float:
    return max(interval.total_seconds(), 0.05)
