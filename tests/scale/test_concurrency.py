"""Several OS processes on one PostgreSQL: handlers racing handlers, timers and each other.

The server is ``ticketflow serve`` with four gunicorn workers; each handler is its own process
(``clients.post_together``); schedulers are ``ticketflow scheduler`` processes.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from engine.audit import verify_chain
from engine.models import HumanTask, Timer
from engine.testing import PROCESSES
from tests.scale.cloning import clone_work_order
from tests.scale.clients import post_together
from tests.scale.conftest import COMPLAINT, FINAL_RESULT, needs_postgres
from tests.scale.consistency import disagreements, events_per_work_order
from tests.scale.running import wait_for

pytestmark = needs_postgres


def chain_ok(db) -> bool:
    with db.reading() as session:
        return verify_chain(session).ok


def test_fifty_handlers_completing_one_task_leave_one_winner_and_forty_nine_409s(
        open_complaint, complaints, handler_token, web_server, db):
    work_order, alone = open_complaint(overdue=False), open_complaint(overdue=False)
    task = complaints.task(work_order, "handle")
    version = complaints.work_order(work_order).lock_version
    server = web_server(workers=4, threads=4)
    url = f"{server.url}/api/v1/tasks/{task.id}/complete"
    solo = post_together([(f"{server.url}/api/v1/tasks/{complaints.task(alone, 'handle').id}/complete",
                           {"data": FINAL_RESULT})], handler_token[1])
    assert solo[0][0] == 200
    # Half send the version they saw (optimistic check), half do not (the row lock decides).
    bodies = [{"data": FINAL_RESULT, "expected_version": version if i % 2 else None} for i in range(50)]

    answers = post_together([(url, body) for body in bodies], handler_token[1])

    assert Counter(status for status, _ in answers) == {200: 1, 409: 49}
    assert {payload["error"] for status, payload in answers if status == 409} == {"conflict"}
    winner = next(payload for status, payload in answers if status == 200)
    assert winner["task"]["state"] == "completed"
    # The losers wrote nothing: the order moved on exactly as far as one uncontested completion.
    assert complaints.work_order(work_order).lock_version - version == complaints.work_order(alone).lock_version - version
    assert events_per_work_order(db, "task.completed")[work_order] == 1
    assert sorted(name for name, _ in complaints.ready_names(work_order)) == ["reply"]
    assert disagreements(db, work_order) == []
    assert chain_ok(db)


def test_a_deadline_firing_while_its_handler_completes_gives_one_consistent_outcome(
        open_complaint, complaints, handler_token, web_server, scheduler, db):
    orders = [open_complaint(overdue=True) for _ in range(20)]
    tasks = [complaints.task(work_order, "handle").id for work_order in orders]
    answers = _complete_while_schedulers_sweep(tasks, handler_token[1], web_server, scheduler, db)

    # The deadline does not interrupt: whoever came first, the handler's result stands, the
    # deadline fired once (by a scheduler or inside the completion), and the overdue
    # explanation task was created once.
    assert [status for status, _ in answers] == [200] * 20
    fired, breached = events_per_work_order(db, "timer.fired"), events_per_work_order(db, "deadline.breached")
    for work_order in orders:
        assert fired[work_order] == 1 and breached[work_order] == 1
        assert sorted(name for name, _ in complaints.ready_names(work_order)) == ["explain1", "reply"]
        assert disagreements(db, work_order) == []
    assert chain_ok(db)


def test_an_interrupting_deadline_racing_its_handler_withdraws_the_task_once(
        complaints, clock, handler_token, web_server, scheduler, db, tmp_path):
    # The same complaint flow, but its department deadline interrupts: once due, the task is
    # withdrawn whether a scheduler or the completion itself notices first, so every handler
    # must get 409 and every order must show one firing and one withdrawn task.
    diagram = (PROCESSES / "complaint.bpmn").read_text(encoding="utf-8").replace(
        'id="handle_due" name="处理时限" cancelActivity="false"', 'id="handle_due" name="处理时限" cancelActivity="true"')
    (tmp_path / "complaint.bpmn").write_text(diagram, encoding="utf-8")
    complaints.deploy(tmp_path / "complaint.bpmn")
    orders = [complaints.open("complaint", **COMPLAINT) for _ in range(20)]
    tasks = [complaints.task(work_order, "handle").id for work_order in orders]
    answers = _complete_while_schedulers_sweep(tasks, handler_token[1], web_server, scheduler, db)

    assert [status for status, _ in answers] == [409] * 20
    assert {payload["error"] for _, payload in answers} == {"conflict"}
    fired = events_per_work_order(db, "timer.fired")
    with db.reading() as session:
        states = dict(session.execute(select(HumanTask.id, HumanTask.state).where(HumanTask.id.in_(tasks))).all())
    assert set(states.values()) == {"cancelled"}
    for work_order in orders:
        assert fired[work_order] == 1
        assert events_per_work_order(db, "task.completed")[work_order] == 0
        assert disagreements(db, work_order) == []
    assert chain_ok(db)


def test_two_schedulers_fire_each_of_ten_thousand_timers_exactly_once(open_complaint, complaints, scheduler, db):
    template = open_complaint(overdue=True)
    orders = [template, *clone_work_order(db, template, 9_999)]
    assert _timer_rows(db) == 10_000

    schedulers = [scheduler(batch=200), scheduler(batch=200)]
    wait_for(lambda: _timer_rows(db) == 0, timeout=1200, interval=2, what="10 000 timers to fire")
    for process in schedulers:
        process.stop()

    fired = events_per_work_order(db, "timer.fired")
    assert len(fired) == 10_000 and set(fired) == set(orders)
    assert set(fired.values()) == {1}
    assert all(process.fired() > 0 for process in schedulers), "both schedulers took a share"
    assert sum(process.fired() for process in schedulers) == 10_000
    with db.reading() as session:
        explanations = session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.bpmn_id == "explain1"))
    assert explanations == 10_000
    for work_order in orders[::500]:
        assert disagreements(db, work_order) == []
    assert chain_ok(db)


def _complete_while_schedulers_sweep(tasks: list[int], token: str, web_server, scheduler, db) -> list:
    """Complete each task from its own process while two schedulers sweep every 50 ms; wait for
    every department deadline to have fired; return each handler's ``(status, json)``."""
    server = web_server(workers=3, threads=2)
    for _ in range(2):
        scheduler(sweep_seconds=0.05, batch=1)
    answers = post_together([(f"{server.url}/api/v1/tasks/{task}/complete", {"data": FINAL_RESULT})
                             for task in tasks], token)
    wait_for(lambda: _timer_rows(db, "handle_due") == 0, timeout=120, what="every overdue deadline to fire")
    return answers


def _timer_rows(db, bpmn_id: str | None = None) -> int:
    query = select(func.count()).select_from(Timer)
    if bpmn_id:
        query = query.where(Timer.bpmn_id == bpmn_id)
    with db.reading() as session:
        return session.scalar(query)
