"""Fire due timers: the sweeper that enforces every deadline.

A sweep looks only at timer rows already due (an index range scan on ``timers.due_at``), so
its cost grows with the number of due timers, not with the number of waiting work orders.
Each firing is its own transaction: the timer row is taken with ``FOR UPDATE SKIP LOCKED`` and
its work order with ``SKIP LOCKED`` too, so two sweepers never fire the same timer and never
wait on a handler (SQLite serialises whole write transactions instead).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.db import Database
from engine.directory import SYSTEM_ACTOR
from engine.models import Timer, WorkOrder
from engine.runtime import load_step, utcnow
from engine.sync import persist

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    fired: int = 0
    skipped: int = 0
    failed: int = 0


class TimerSweeper:
    """Fires every timer whose due time has passed, once."""

    def __init__(self, db: Database, *, batch: int = 200):
        self.db = db
        self.batch = batch

    def sweep(self, now: datetime | None = None) -> SweepResult:
        """Fire up to ``batch`` due timers; return what happened."""
        result = SweepResult()
        busy: set[int] = set()
        while result.fired + result.failed < self.batch:
            outcome = self._fire_next(now or utcnow(), busy)
            if outcome is None:
                break
            setattr(result, outcome, getattr(result, outcome) + 1)
        return result

    def _fire_next(self, now: datetime, busy: set[int]) -> str | None:
        timer_id = None
        try:
            with self.db.transaction() as session:
                query = select(Timer.id, Timer.work_order_id).where(Timer.due_at < now, Timer.error.is_(None))
                # SpiffWorkflow fires a timer once its instant is strictly past, so "due" is "<".
                if busy:
                    query = query.where(Timer.work_order_id.not_in(busy))
                query = query.order_by(Timer.due_at).limit(1)
                if not self.db.is_sqlite:
                    query = query.with_for_update(skip_locked=True)
                row = session.execute(query).first()
                if row is None:
                    return None
                timer_id, work_order_id = row
                locked = session.scalars(self._lock_work_order(work_order_id)).first()
                if locked is None:
                    busy.add(work_order_id)
                    return "skipped"
                step = load_step(session, work_order_id, SYSTEM_ACTOR, lock=False)
                if step.work_order.status != "open":
                    session.query(Timer).filter_by(work_order_id=work_order_id).delete()
                    return "skipped"
                step.run_engine()
                persist(step)
                still_due = session.scalars(select(Timer).where(Timer.id == timer_id, Timer.due_at < now)).first()
                if still_due is not None:
                    still_due.error = "the timer was due but the process did not fire it"
                    log.error("timer %s of work order %s did not fire", timer_id, work_order_id)
                    return "failed"
                return "fired"
        except Exception as exc:  # noqa: BLE001 — one broken work order must not stop every deadline
            log.exception("timer %s failed", timer_id)
            self._mark_failed(timer_id, str(exc))
            return "failed"

    def _lock_work_order(self, work_order_id: int):
        query = select(WorkOrder).where(WorkOrder.id == work_order_id)
        if self.db.is_sqlite:
            return query
        return query.with_for_update(skip_locked=True, of=WorkOrder)

    def _mark_failed(self, timer_id: int | None, message: str) -> None:
        """Park a timer whose firing fails so it cannot block every later sweep."""
        if timer_id is None:
            return
        with self.db.transaction() as session:
            timer = session.get(Timer, timer_id)
            if timer is not None:
                timer.error = message[:2000]
