"""Department inbox: tabs with counts, claim/release/hand over, filters, sorting, urgency, paging."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.workorders import open_work_order
from tests.engine.conftest import INTAKE
from tests.web.conftest import post

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _rows(html: str) -> list[tuple[str, str]]:
    """(row urgency class, work-order number) of each inbox row, in page order."""
    return re.findall(r'<tr class="row-(\w+)" data-task-id="\d+">.*?>((?:WO|TS|GZ)\d+)<', html, re.S)


def _count(html: str, tab: str) -> int:
    return int(re.search(rf'id="tab-{tab}">.*?<span class="count">(\d+)</span>', html, re.S).group(1))


def test_empty_inbox_says_so(login_as, ticket):
    page = login_as("handler", "business").get("/inbox").get_data(as_text=True)
    assert "部门待办为空" in page and _count(page, "group") == 0 and _count(page, "mine") == 0
    mine = login_as("handler").get("/inbox?view=mine").get_data(as_text=True)
    assert "您的个人待办为空" in mine


def test_group_queue_lists_only_the_users_departments(login_as, ticket):
    for _ in range(2):
        ticket.open("test_ticket", **INTAKE)
    assert _count(login_as("handler", "business").get("/inbox").get_data(as_text=True), "group") == 2
    assert _count(login_as("crew", "repair_crew").get("/inbox").get_data(as_text=True), "group") == 0


def test_claim_moves_a_step_from_the_group_queue_to_mine(login_as, ticket):
    wo = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo, "handle")
    handler = login_as("handler", "business")
    response = post(handler, f"/tasks/{task.id}/claim", {"next": "/inbox"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/inbox")
    page = handler.get("/inbox").get_data(as_text=True)
    assert _count(page, "group") == 0 and _count(page, "mine") == 1 and "环节已进入您的待办" in page
    mine = handler.get("/inbox?view=mine").get_data(as_text=True)
    assert f'href="/tasks/{task.id}"' in mine


def test_a_lost_claim_race_is_a_message_not_an_error(login_as, ticket):
    wo = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo, "handle")
    first, second = login_as("h1", "business"), login_as("h2", "business")
    post(first, f"/tasks/{task.id}/claim")
    response = post(second, f"/tasks/{task.id}/claim", {"next": "/inbox"}, follow_redirects=True)
    assert response.status_code == 200 and "已被 h1 认领" in response.get_data(as_text=True)


def test_release_and_reassign_within_the_group(login_as, make_user, ticket):
    wo = ticket.open("test_ticket", **INTAKE)
    task = ticket.task(wo, "handle")
    make_user("colleague", "business", display_name="同事")
    handler = login_as("handler", "business")
    post(handler, f"/tasks/{task.id}/claim")
    page = handler.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert '<option value="colleague">同事 (colleague)</option>' in page
    post(handler, f"/tasks/{task.id}/reassign", {"assignee": "colleague"})
    assert ticket.task(wo, "handle").claimed_by == "colleague"
    outsider = make_user("outsider", "repair_crew")
    refused = post(login_as("colleague"), f"/tasks/{task.id}/reassign", {"assignee": outsider})
    assert refused.status_code == 403 and "outsider 不属于「业务部门」" in refused.get_data(as_text=True)
    assert ticket.task(wo, "handle").claimed_by == "colleague"
    post(login_as("colleague"), f"/tasks/{task.id}/unclaim")
    assert ticket.task(wo, "handle").claimed_by is None


def test_filter_by_flow_and_sort_by_priority(login_as, ticket, linkable):
    handler = login_as("handler", "business", "repair_dispatch")
    agent = ticket.user_in("call_centre")
    low = open_work_order(ticket.db, "test_ticket", INTAKE, actor=agent, priority=0).number
    high = open_work_order(ticket.db, "test_ticket", INTAKE, actor=agent, priority=5).number
    other = open_work_order(ticket.db, "web_linkable", {**INTAKE, "customer_address": "幸福路1号"}, actor=agent).number
    everything = handler.get("/inbox").get_data(as_text=True)
    assert {n for _, n in _rows(everything)} == {low, high, other}
    only_tickets = handler.get("/inbox?flow=test_ticket").get_data(as_text=True)
    assert {n for _, n in _rows(only_tickets)} == {low, high}
    assert _count(only_tickets, "group") == 2, "counts follow the filter"
    by_priority = handler.get("/inbox?flow=test_ticket&sort=priority").get_data(as_text=True)
    assert [n for _, n in _rows(by_priority)] == [high, low]
    assert "P5" in by_priority


def test_overdue_rows_are_red_and_due_soon_rows_amber_with_overdue_filter(login_as, ticket):
    late = ticket.work_order(ticket.open("test_ticket", **INTAKE)).number
    ticket.advance(to=datetime(2026, 10, 9, 17, 0, tzinfo=SHANGHAI))  # 2 working days after 09-30 16:00, +1 h
    later_id = ticket.open("test_ticket", **INTAKE)
    later = ticket.work_order(later_id).number
    ticket.clock.move_to(ticket.task(later_id, "handle").due_at - timedelta(minutes=30))
    handler = login_as("handler", "business")
    rows = dict((n, level) for level, n in _rows(handler.get("/inbox").get_data(as_text=True)))
    assert rows == {late: "overdue", later: "soon"}
    page = handler.get("/inbox?overdue=1").get_data(as_text=True)
    assert [n for _, n in _rows(page)] == [late]
    assert "已超期" in page and 'class="countdown" data-due="2026-10-09T08:00:00+00:00"' in page


def test_inbox_pages_through_long_queues(app, login_as, ticket):
    app.config["INBOX_PER_PAGE"] = 2
    numbers = [ticket.work_order(ticket.open("test_ticket", **INTAKE)).number for _ in range(3)]
    handler = login_as("handler", "business")
    first = handler.get("/inbox").get_data(as_text=True)
    second = handler.get("/inbox?page=2").get_data(as_text=True)
    assert len(_rows(first)) == 2 and len(_rows(second)) == 1
    assert "第 1 / 2 页" in first and 'rel="next"' in first and 'rel="prev"' in second
    assert {n for _, n in _rows(first) + _rows(second)} == set(numbers)
    assert _count(first, "group") == 3
