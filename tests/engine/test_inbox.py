"""Inboxes: a user sees only their groups' tasks; tabs, filters, sorting, paging, urgency."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.directory import create_user
from engine.inbox import InboxQuery, inbox, tasks_of_group, urgency
from engine.tasks import claim_task
from tests.engine.conftest import INTAKE

SH = ZoneInfo("Asia/Shanghai")


def _page(db, user, **query):
    with db.reading() as session:
        return inbox(session, user, InboxQuery(**query))


def test_a_user_sees_only_the_tasks_of_their_groups(ticket, db):
    ticket.open("test_ticket", **INTAKE)
    assert _page(db, ticket.user_in("business")).total == 1
    assert _page(db, ticket.user_in("billing")).total == 0
    assert _page(db, ticket.user_in("business"), group="billing").total == 0


def test_claiming_moves_a_task_from_group_queue_to_mine_with_counts(ticket, db):
    ids = [ticket.open("test_ticket", **INTAKE) for _ in range(3)]
    user = ticket.user_in("business")
    claim_task(db, ticket.task(ids[0], "handle").id, actor=user)
    page = _page(db, user)
    assert (page.total, page.counts) == (2, {"group": 2, "mine": 1})
    mine = _page(db, user, view="mine")
    assert [t.work_order_id for t in mine.tasks] == [ids[0]]


def test_overdue_filter_sorting_and_paging(ticket, db):
    early = ticket.open("test_ticket", **INTAKE)
    ticket.clock.shift(timedelta(days=1))
    late = ticket.open("test_ticket", **INTAKE)
    ticket.advance(to=datetime(2026, 10, 9, 17, 0, tzinfo=SH))  # only the first is past its deadline
    user = ticket.user_in("business")
    overdue = _page(db, user, overdue_only=True)
    assert [t.work_order_id for t in overdue.tasks] == [early]
    by_due = _page(db, user, sort="due")
    assert [t.work_order_id for t in by_due.tasks] == [early, late]
    by_created = _page(db, user, sort="created")
    assert [t.work_order_id for t in by_created.tasks] == [late, early]
    second = _page(db, user, per_page=1, page=2)
    assert (second.total, [t.work_order_id for t in second.tasks]) == (2, [late])
    assert _page(db, user, flow="complaint").total == 0


def test_urgency_is_red_when_overdue_and_amber_within_an_hour(ticket, db):
    wo = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo, "handle")
    assert urgency(task, task.due_at - timedelta(hours=2)) == "ok"
    assert urgency(task, task.due_at - timedelta(minutes=30)) == "soon"
    assert urgency(task, task.due_at + timedelta(seconds=1)) == "overdue"


def test_group_listing_is_soonest_due_first(ticket, db):
    first = ticket.open("test_ticket", **INTAKE)
    ticket.clock.shift(timedelta(hours=3))
    second = ticket.open("test_ticket", **INTAKE)
    with db.transaction() as session:
        create_user(session, "reader", "reader", ["business"])
    with db.reading() as session:
        assert [t.work_order_id for t in tasks_of_group(session, "business")] == [first, second]
