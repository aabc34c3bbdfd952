"""(d) How late timers fire under the real scheduler, with 100 000 far-future timers waiting.

A separate ``ticketflow scheduler`` process sweeps the database while a stream of a few
hundred real work orders' deadline timers falls due at known instants. Lateness is the
``timer.fired`` audit event's time minus the timer's due time. The 100 000 waiting timers are
copies of an engine-opened work order (``bench.bulk.clone_waiting``) due days ahead, so the
sweeper's query must skip past them. Target: p99 ≤ 2 s.

The stream's work orders are opened through the engine with the clock moved back
(``time-machine``), on a version of the test ticket whose handling deadline is 30 minutes:
each one's timer is due exactly 30 minutes after the instant it was "opened".
"""
from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import func, select

from bench import bulk, services
from bench.fixtures import INTAKE, TICKET_BPMN, discard, fresh_database, percentiles
from engine.audit.models import AuditEvent
from engine.config import load_settings
from engine.deployment import deploy_process
from engine.models import Timer
from engine.timers import TimerSweeper
from engine.workorders import open_work_order

DEADLINE = timedelta(minutes=30)


def _deploy_short_deadline(db) -> None:
    xml = TICKET_BPMN.read_text().replace('value="2 working days"', 'value="30 minutes"')
    with db.transaction() as session:
        deploy_process(session, xml.encode(), actor="bench")


def _open_stream(db, due_instants: list[datetime]) -> dict[int, datetime]:
    """One work order per instant, opened ``DEADLINE`` earlier; returns work order id → timer due."""
    opened = {}
    for due in due_instants:
        with time_machine.travel(due - DEADLINE, tick=False):
            work_order = open_work_order(db, "test_ticket", INTAKE, actor="call_centre_user")
        opened[work_order.id] = due
    with db.reading() as session:
        stored = dict(session.execute(select(Timer.work_order_id, Timer.due_at)
                                      .where(Timer.work_order_id.in_(list(opened)))).all())
    assert stored == opened, "the stream's timers are not due when planned"
    return opened


def _idle_sweep_ms(db, repeats: int = 50) -> float:
    sweeper = TimerSweeper(db)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        assert sweeper.sweep().fired == 0
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _fired_at(db, work_orders: list[int]) -> dict[int, datetime]:
    with db.reading() as session:
        rows = session.execute(select(AuditEvent.work_order_id, AuditEvent.at).where(
            AuditEvent.kind == "timer.fired", AuditEvent.work_order_id.in_(work_orders))).all()
    return {wo: at if at.tzinfo else at.replace(tzinfo=timezone.utc) for wo, at in rows}


def measure(url: str | None, waiting: int, stream: int, window_s: float, sweep_seconds: float, lead_s: float) -> dict:
    """Load one database, run the scheduler through the stream's due times; returns the figures."""
    db = fresh_database(url)
    try:
        template = open_work_order(db, "test_ticket", INTAKE, actor="call_centre_user")
        started = time.perf_counter()
        bulk.clone_waiting(db, template.id, waiting)
        load_s = time.perf_counter() - started
        idle_ms = _idle_sweep_ms(db)
        _deploy_short_deadline(db)
        # Leave time to open the stream (~20 ms each) and start the scheduler before the first is due.
        first_due = datetime.now(timezone.utc) + timedelta(seconds=lead_s + stream * 0.05)
        rng = random.Random(5)
        dues = sorted(first_due + timedelta(seconds=rng.uniform(0, window_s)) for _ in range(stream))
        planned = _open_stream(db, dues)
        env = services.environment(db.url, sweep_seconds=sweep_seconds)
        with services.running(services.ticketflow_command() + ["scheduler"], env) as scheduler:
            cpu_before = services.cpu_seconds(scheduler.pid)
            scheduler_started = datetime.now(timezone.utc)
            give_up = dues[-1] + timedelta(seconds=30)
            fired: dict[int, datetime] = {}
            while len(fired) < len(planned) and datetime.now(timezone.utc) < give_up:
                time.sleep(1)
                fired = _fired_at(db, list(planned))
            cpu_s = services.cpu_seconds(scheduler.pid) - cpu_before
            ran_s = (datetime.now(timezone.utc) - scheduler_started).total_seconds()
        lateness = [(fired[wo] - due).total_seconds() for wo, due in planned.items() if wo in fired]
        with db.reading() as session:
            still_waiting = session.scalar(select(func.count()).select_from(Timer))
        figures = percentiles(lateness) if lateness else {}
        return {
            "backend": db.dialect, "waiting_timers": waiting, "load_s": round(load_s, 1),
            "idle_sweep_ms": round(idle_ms, 2), "sweep_seconds": sweep_seconds, "stream": stream,
            "fired": len(fired), "late_by_s": {k: round(v, 2) for k, v in figures.items()},
            "started_before_first_due": scheduler_started < dues[0],
            "timers_left_waiting": still_waiting, "scheduler_cpu_share": round(cpu_s / ran_s, 3),
        }
    finally:
        discard(db)


def run(short: bool = False, postgres: str | None = None) -> dict:
    sizes = (5_000, 20, 3.0, 5.0) if short else (100_000, 300, 60.0, 8.0)
    sweep_seconds = load_settings().sweep_seconds
    results = {"target_p99_s": 2, "sqlite": measure(None, *sizes[:3], sweep_seconds, sizes[3])}
    if postgres:
        results["postgresql"] = measure(postgres, *sizes[:3], sweep_seconds, sizes[3])
    return results


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(short="--short" in sys.argv, postgres=next((a for a in sys.argv[1:] if "://" in a), None)),
                     indent=1))
