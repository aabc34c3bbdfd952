"""Run the :class:`TimerSweeper` on a schedule with APScheduler (in the web process or alone)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.config import Settings
from engine.db import Database
from engine.timers import TimerSweeper

log = logging.getLogger(__name__)


def _add_sweep_job(scheduler, db: Database, settings: Settings) -> None:
    sweeper = TimerSweeper(db, batch=settings.sweep_batch)

    def sweep() -> None:
        # A full batch means more timers are due (a backlog after downtime, a typhoon's evening):
        # keep draining instead of waiting a whole interval per batch.
        while True:
            result = sweeper.sweep()
            if result.fired or result.failed:
                log.info("timers fired=%s failed=%s skipped=%s", result.fired, result.failed, result.skipped)
            if result.fired + result.failed < sweeper.batch:
                return

    # next_run_time unset = run at once: timers that fell due while nothing ran fire at start-up.
    scheduler.add_job(sweep, "interval", seconds=settings.sweep_seconds, id="timer-sweep",
                      max_instances=1, coalesce=True, next_run_time=datetime.now(timezone.utc))


def start_background(db: Database, settings: Settings) -> BackgroundScheduler:
    """Start sweeping in a background thread (the web app does this unless disabled)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_sweep_job(scheduler, db, settings)
    scheduler.start()
    return scheduler


def run_forever(db: Database, settings: Settings) -> None:
    """Sweep in the foreground until interrupted (``ticketflow scheduler``)."""
    scheduler = BlockingScheduler(timezone="UTC")
    _add_sweep_job(scheduler, db, settings)
    log.info("scheduler sweeping every %ss", settings.sweep_seconds)
    scheduler.start()
