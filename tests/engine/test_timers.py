"""Deadlines fire by advancing the clock: breach marking, catch-up, exactly-once sweeps."""
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from engine.audit import verify_chain
from engine.audit.models import AuditEvent
from engine.models import Timer
from engine.timers import TimerSweeper
from tests.engine.conftest import INTAKE

SH = ZoneInfo("Asia/Shanghai")


def test_nothing_fires_before_the_two_working_day_deadline(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    result = ticket.advance(to=datetime(2026, 10, 9, 15, 59, tzinfo=SH))
    assert result.fired == 0
    assert ticket.task(wo_id, "handle").breached_at is None


def test_missed_department_deadline_marks_task_and_order_breached_and_notifies(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    result = ticket.advance(to=datetime(2026, 10, 9, 16, 5, tzinfo=SH))
    assert result.fired == 1
    task = ticket.task(wo_id, "handle")  # non-interrupting: still to do
    due = datetime(2026, 10, 9, 16, 0, tzinfo=SH)
    assert task.breached_at == due and ticket.work_order(wo_id).breached_at == due
    kinds = ticket.events(wo_id)
    assert kinds.count("timer.fired") == 1 and "deadline.breached" in kinds
    recipients = {m.recipient for m in ticket.outbox(wo_id)}
    assert {"group:business", "group:shift_lead"} <= recipients
    assert any("部门处理超期" in m.body for m in ticket.outbox(wo_id))  # the diagram's own script ran
    assert ticket.timers(wo_id) == []
    ticket.complete(wo_id, "handle", result="迟到的结果")
    assert ticket.ready_names(wo_id) == [("reply", "call_centre")]


def test_completing_in_time_withdraws_the_deadline_timer(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    ticket.advance(to=datetime(2026, 10, 8, 9, 0, tzinfo=SH))
    ticket.complete(wo_id, "handle", result="ok")
    assert ticket.timers(wo_id) == []
    assert ticket.advance(to=datetime(2026, 10, 20, tzinfo=SH)).fired == 0
    assert "deadline.breached" not in ticket.events(wo_id)


def test_timers_that_fell_due_during_downtime_fire_on_the_first_sweep(ticket):
    ids = [ticket.open("test_ticket", **INTAKE) for _ in range(3)]
    ticket.clock.move_to(datetime(2026, 11, 1, tzinfo=SH))  # nothing swept for a month
    result = ticket.advance()
    assert result.fired == 3
    assert all(ticket.task(i, "handle").breached_at is not None for i in ids)


def test_a_timer_fires_exactly_once_with_two_concurrent_sweepers(ticket, db):
    count = 12
    for _ in range(count):
        ticket.open("test_ticket", **INTAKE)
    ticket.clock.move_to(datetime(2026, 10, 12, tzinfo=SH))
    sweepers = [TimerSweeper(db, batch=100), TimerSweeper(db, batch=100)]
    results = []
    barrier = threading.Barrier(2)

    def run(sweeper):
        barrier.wait()
        results.append(sweeper.sweep())

    threads = [threading.Thread(target=run, args=(s,)) for s in sweepers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.fired for r in results) == count
    assert sum(r.failed for r in results) == 0
    with db.reading() as session:
        fired = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "timer.fired"))
        assert fired == count
        assert session.scalar(select(func.count()).select_from(Timer)) == 0
        assert verify_chain(session).ok


def test_a_broken_timer_is_parked_and_does_not_block_others(ticket, db, monkeypatch):
    first = ticket.open("test_ticket", **INTAKE)
    ticket.advance(timedelta(minutes=1))
    second = ticket.open("test_ticket", **INTAKE)
    from engine import timers as timers_module

    real = timers_module.persist

    def explode(step):
        if step.work_order.id == first:
            raise RuntimeError("disk on fire")
        real(step)

    monkeypatch.setattr(timers_module, "persist", explode)
    result = ticket.advance(to=datetime(2026, 10, 12, tzinfo=SH))
    assert (result.fired, result.failed) == (1, 1)
    [parked] = ticket.timers(first)
    assert "disk on fire" in parked.error
    assert ticket.timers(second) == []
