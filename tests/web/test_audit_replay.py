"""Replay: each audit event yields the diagram markers, data, changes and deadlines as they were then."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from engine.directory import create_user
from engine.replay import replay
from tests.engine.conftest import INTAKE

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _viewer(flow, username: str, *groups: str) -> str:
    with flow.db.transaction() as session:
        create_user(session, username, username, list(groups))
    return username


def _frames(flow, wo_id: int, username: str):
    with flow.db.reading() as session:
        return replay(session, wo_id, username).frames


def test_each_step_shows_what_was_done_active_and_breached_at_that_moment(ticket):
    wo_id = ticket.open("test_ticket", **INTAKE)
    ticket.advance(to=datetime(2026, 10, 9, 16, 1, tzinfo=SHANGHAI))
    ticket.complete(wo_id, "handle", result="已核实退费", needs_visit=True)
    ticket.send(wo_id, "visit_done", note="上门完成")
    ticket.complete(wo_id, "reply", reply="已回复")
    frames = _frames(ticket, wo_id, _viewer(ticket, "aud", "auditor"))
    kinds = [f.kind for f in frames]
    opened = frames[kinds.index("work_order.opened")]
    assert opened.completed == ["start"] and opened.active == [] and opened.data["customer_name"] == "张三"
    ready = frames[kinds.index("task.ready")]
    assert ready.active == ["handle"] and ready.deadlines[0]["task"] == "handle"
    assert ready.deadlines[0]["due_at"].startswith("2026-10-09T08:00")
    breached = frames[kinds.index("deadline.breached")]
    assert breached.breached == ["handle", "late"] and breached.active == ["handle"]
    done = frames[kinds.index("task.completed")]
    assert "handle" in done.completed and "handle" not in done.active and done.deadlines == []
    assert done.changed["result"] == {"before": None, "after": "已核实退费"} and done.data["needs_visit"] is True
    received = frames[kinds.index("event.received")]
    assert "wait_visit" in received.completed and received.data["visit_done"] == {"note": "上门完成"}
    closed = frames[kinds.index("work_order.closed")]
    assert closed.active == [] and {"start", "handle", "reply"} <= set(closed.completed)
    assert frames[-1].data["reply"] == "已回复"


def test_replay_masks_sealed_fields_except_for_discipline_and_auditors(sealed):
    from tests.web.test_ui_confidentiality import NAME, SEALED_INTAKE

    wo_id = sealed.open("web_sealed", **SEALED_INTAKE)
    lead = _frames(sealed, wo_id, _viewer(sealed, "lead", "shift_lead"))
    assert all(NAME not in repr(f.data) + repr(f.changed) + repr(f.event) for f in lead)
    assert lead[0].data["customer_name"] == "【保密】"
    auditor = _frames(sealed, wo_id, _viewer(sealed, "aud", "auditor"))
    assert auditor[0].data["customer_name"] == NAME


def test_replaying_a_complaint_shows_each_steps_markers_data_and_deadline(flow):
    """Issue 6: a real complaint — missed department deadline, late result, reply, callback."""
    from tests.processes.test_complaint import EXPLAIN, FINAL, NAMED, REPLY, SATISFIED

    flow.deploy("complaint")
    wo_id = flow.open("complaint", **NAMED)
    flow.advance(to=datetime(2026, 10, 9, 16, 1, tzinfo=SHANGHAI))
    flow.complete(wo_id, "handle", **FINAL)
    flow.complete(wo_id, "reply", **REPLY)
    flow.complete(wo_id, "callback", **SATISFIED)
    flow.complete(wo_id, "explain1", **EXPLAIN)  # the missed deadline still owes its explanation
    frames = _frames(flow, wo_id, _viewer(flow, "aud", "auditor"))
    kinds = [f.kind for f in frames]
    first_ready = frames[kinds.index("task.ready")]
    assert first_ready.active == ["handle"] and first_ready.data["category"] == "billing_metering"
    assert first_ready.deadlines[0]["due_at"].startswith("2026-10-09T08:00")  # 16:00 Beijing, National Day skipped
    breach = frames[kinds.index("deadline.breached")]
    assert "handle" in breach.breached and "handle" in breach.active
    handled = next(f for f in frames if f.kind == "task.completed" and f.event.get("task") == "handle")
    assert "handle" in handled.completed and "handle" not in handled.active
    assert handled.changed["result"]["after"] == FINAL["result"] and handled.changed["result"]["before"] is None
    called = next(f for f in frames if f.kind == "task.completed" and f.event.get("task") == "callback")
    assert called.data["satisfaction"] == "satisfied" and "handle" in called.breached
    assert frames[-1].kind == "work_order.closed" and frames[-1].active == []
