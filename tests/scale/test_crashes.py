"""``kill -9`` in the middle of work: a scheduler mid-sweep, the web server mid-completion.

After a restart no timer is lost or fired twice, no work order is half-saved (its workflow,
task rows, timer rows and audit events agree) and the audit chain still verifies.
"""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from engine.audit import verify_chain
from engine.models import HumanTask, Timer
from tests.scale.cloning import clone_work_order
from tests.scale.clients import post_together
from tests.scale.conftest import FINAL_RESULT, needs_postgres
from tests.scale.consistency import disagreements, events_per_work_order
from tests.scale.running import wait_for

pytestmark = needs_postgres


def test_a_scheduler_killed_mid_sweep_loses_and_doubles_no_timer(open_complaint, scheduler, db):
    template = open_complaint(overdue=True)
    orders = [template, *clone_work_order(db, template, 1_999)]
    first = scheduler(batch=50)
    wait_for(lambda: sum(events_per_work_order(db, "timer.fired").values()) >= 200, timeout=300,
             what="the first scheduler to fire 200 timers")

    first.kill()

    fired = events_per_work_order(db, "timer.fired")
    assert 200 <= sum(fired.values()) < 2_000, "the kill landed in the middle of the sweep"
    with db.reading() as session:
        waiting = set(session.scalars(select(Timer.work_order_id)))
    assert all((order in waiting) != (order in fired) for order in orders), "each timer fired or still waits"
    last = max(fired)  # the orders around the kill, and a sample of the rest
    for order in sorted({*orders[::100], *(o for o in orders if abs(o - last) <= 3)}):
        assert disagreements(db, order) == [], order

    restarted = [scheduler(batch=50), scheduler(batch=50)]
    wait_for(lambda: _count(db, Timer) == 0, timeout=600, interval=1, what="the rest to fire after the restart")
    for process in restarted:
        process.stop()
    fired = events_per_work_order(db, "timer.fired")
    assert set(fired) == set(orders) and set(fired.values()) == {1}
    with db.reading() as session:
        assert verify_chain(session).ok


def test_a_web_server_killed_mid_completion_leaves_whole_work_orders(
        open_complaint, complaints, handler_token, web_server, db):
    template = open_complaint(overdue=False)
    orders = [template, *clone_work_order(db, template, 119)]
    with db.reading() as session:
        tasks = dict(session.execute(select(HumanTask.work_order_id, HumanTask.id).where(
            HumanTask.work_order_id.in_(orders), HumanTask.bpmn_id == "handle")).all())
    server = web_server(workers=2, threads=4)
    requests = [(f"{server.url}/api/v1/tasks/{tasks[order]}/complete", {"data": FINAL_RESULT}) for order in orders]
    answers: list = []
    sender = threading.Thread(target=lambda: answers.extend(post_together(requests, handler_token[1])))
    sender.start()
    wait_for(lambda: _completed(db) >= 20, timeout=300, interval=0.05, what="20 completions to commit")

    server.kill()
    sender.join(timeout=300)

    assert 20 <= _completed(db) < 120, "the kill landed while completions were in flight"
    assert any(status == 0 for status, _ in answers), "some handlers saw the connection die"
    completed = events_per_work_order(db, "task.completed")
    for order, (status, _) in zip(orders, answers, strict=True):
        assert disagreements(db, order) == [], order
        if status == 200:
            assert completed[order] == 1, "an acknowledged completion survives the crash"

    restarted = web_server(workers=2, threads=4)
    retry = [(url.replace(server.url, restarted.url), body) for url, body in requests]
    statuses = [status for status, _ in post_together(retry, handler_token[1])]
    assert all(status in (200, 409) for status in statuses)
    assert statuses.count(200) == 120 - sum(completed.values())
    completed = events_per_work_order(db, "task.completed")
    assert set(completed) == set(orders) and set(completed.values()) == {1}
    with db.reading() as session:
        assert verify_chain(session).ok


def _count(db, model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def _completed(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.bpmn_id == "handle", HumanTask.state == "completed"))
