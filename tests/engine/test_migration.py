"""Moving running work orders to a newer version: preview, move, refuse changed history, revert."""
from datetime import datetime, timezone

import pytest

from engine.drafts import deploy_xml
from engine.errors import InvalidState
from engine.migration import candidates, migrate, migrate_many, preview, revert
from engine.testing import PROCESSES
from tests.processes.test_complaint import FINAL, NAMED

COMPLAINT = (PROCESSES / "complaint.bpmn").read_text()
THREE_DAYS = COMPLAINT.replace('value="2 working days"', 'value="3 working days"')
TWO_DAYS_DUE = datetime(2026, 10, 9, 8, 0, tzinfo=timezone.utc)
THREE_DAYS_DUE = datetime(2026, 10, 10, 8, 0, tzinfo=timezone.utc)


def _deploy(db, xml: str) -> int:
    with db.transaction() as session:
        return deploy_xml(session, "complaint", xml, actor="owner1", note="").id


@pytest.fixture
def versions(flow, db):
    """complaint v1 deployed, one complaint opened on it, then v2 with a 3-working-day department deadline."""
    old = flow.deploy("complaint")
    wo = flow.open("complaint", **NAMED)
    return old, _deploy(db, THREE_DAYS), wo


def test_preview_shows_the_open_step_and_its_deadline_moving_without_changing_anything(flow, db, versions):
    old, new, wo = versions
    with db.transaction() as session:
        found = preview(session, wo, new)
        assert [w.id for w in candidates(session, old)] == [wo]
    assert found.movable and found.reasons == [], found
    assert {"name": "部门处理", "effect": "stays open", "due_before": TWO_DAYS_DUE, "due_after": THREE_DAYS_DUE} in found.open_steps
    assert {"element": "handle_due", "due_before": TWO_DAYS_DUE, "due_after": THREE_DAYS_DUE} in found.timers
    assert flow.work_order(wo).process_version_id == old
    assert flow.task(wo, "handle").due_at == TWO_DAYS_DUE
    assert "work_order.migrated" not in flow.events(wo)


def test_migration_moves_the_work_order_recomputes_its_deadline_and_it_runs_on(flow, db, versions):
    _old, new, wo = versions
    with db.transaction() as session:
        migrate(session, wo, new, actor="owner1")
    assert flow.work_order(wo).process_version_id == new
    assert flow.task(wo, "handle").due_at == THREE_DAYS_DUE
    assert "work_order.migrated" in flow.events(wo)
    flow.complete(wo, "handle", **FINAL)
    assert flow.task(wo, "reply").group_name == "call_centre"


def test_revert_puts_the_work_order_back_on_its_old_version_and_deadline(flow, db, versions):
    old, new, wo = versions
    with db.transaction() as session:
        record = migrate(session, wo, new, actor="owner1")
    with db.transaction() as session:
        revert(session, record.id, actor="owner1")
    assert flow.work_order(wo).process_version_id == old
    assert flow.task(wo, "handle").due_at == TWO_DAYS_DUE
    assert flow.events(wo)[-1] == "work_order.migration_reverted"
    with db.transaction() as session, pytest.raises(InvalidState):
        revert(session, record.id, actor="owner1")


def test_revert_is_refused_once_the_work_order_moved_on(flow, db, versions):
    _old, new, wo = versions
    with db.transaction() as session:
        record = migrate(session, wo, new, actor="owner1")
    flow.complete(wo, "handle", **FINAL)
    with db.transaction() as session, pytest.raises(InvalidState, match="moved on"):
        revert(session, record.id, actor="owner1")


def test_a_work_order_whose_completed_step_changed_cannot_move(flow, db, versions):
    _old, _new, wo = versions
    flow.complete(wo, "handle", **FINAL)
    renamed = _deploy(db, THREE_DAYS.replace('name="部门处理"', 'name="部门核查处理"'))
    with db.transaction() as session:
        found = preview(session, wo, renamed)
        assert not found.movable and "the completed step '部门处理' was changed" in found.reasons
        with pytest.raises(InvalidState, match="cannot move"):
            migrate(session, wo, renamed, actor="owner1")


def test_migrate_many_moves_only_the_movable_ones(flow, db, versions):
    old, _new, done_handle = versions
    waiting = flow.open("complaint", **NAMED)
    flow.complete(done_handle, "handle", **FINAL)
    renamed = _deploy(db, THREE_DAYS.replace('name="部门处理"', 'name="部门核查处理"'))
    with db.transaction() as session:
        moved = migrate_many(session, [done_handle, waiting], renamed, actor="owner1")
    assert [m.work_order_id for m in moved] == [waiting]
    assert flow.work_order(done_handle).process_version_id == old
    assert flow.task(waiting, "handle").name == "部门核查处理"
