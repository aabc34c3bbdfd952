"""Races between handlers, and between a handler and the sweeper, leave one winner."""
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from engine.audit import verify_chain
from engine.audit.models import AuditEvent
from engine.errors import Conflict
from engine.models import HumanTask
from engine.tasks import claim_task, complete_task
from engine.timers import TimerSweeper
from tests.engine.conftest import INTAKE

SH = ZoneInfo("Asia/Shanghai")


def _race(n, action):
    barrier = threading.Barrier(n)
    outcomes = []

    def run(i):
        barrier.wait()
        try:
            action(i)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        except Exception as exc:  # noqa: BLE001 — the test reports any other failure
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_concurrent_completion_of_one_task_has_exactly_one_winner(ticket, db):
    wo_id = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo_id, "handle")
    actor = ticket.user_in("business")
    outcomes = _race(6, lambda i: complete_task(db, task.id, {"result": f"r{i}"}, actor=actor))
    assert outcomes == ["conflict"] * 5 + ["ok"]
    assert ticket.ready_names(wo_id) == [("reply", "call_centre")]
    with db.reading() as session:
        done = session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "handle")).all()
        assert [t.state for t in done] == ["completed"]
        completed = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "task.completed"))
        assert completed == 1
        assert verify_chain(session).ok


def test_concurrent_claims_have_exactly_one_winner(ticket, db):
    wo_id = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo_id, "handle")
    from engine.directory import create_user

    with db.transaction() as session:
        for i in range(5):
            create_user(session, f"biz{i}", f"biz{i}", ["business"])
    outcomes = _race(5, lambda i: claim_task(db, task.id, actor=f"biz{i}"))
    assert outcomes == ["conflict"] * 4 + ["ok"]


def test_sweeper_and_handler_racing_on_one_task_leave_one_consistent_outcome(ticket, db):
    wo_id = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo_id, "handle")
    actor = ticket.user_in("business")
    ticket.clock.move_to(datetime(2026, 10, 9, 16, 1, tzinfo=SH))
    sweeper = TimerSweeper(db)
    outcomes = _race(2, lambda i: sweeper.sweep() if i == 0 else complete_task(db, task.id, {"result": "x"}, actor=actor))
    assert outcomes == ["ok", "ok"]
    kinds = ticket.events(wo_id)
    assert kinds.count("timer.fired") == 1 and kinds.count("task.completed") == 1
    assert ticket.ready_names(wo_id) == [("reply", "call_centre")]
    assert ticket.timers(wo_id) == []
