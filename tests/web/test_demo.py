"""The set-up's demo data: every inbox has something, in several states, with a sound audit chain."""
from sqlalchemy import func, select

from engine.audit import verify_chain
from engine.commands import PROCESSES, _deploy_files
from engine.calendar import seed_from_holidays
from engine.directory import ensure_groups
from engine.models import HumanTask, WorkOrder
from web.demo import DEMO_USERS, load_demo


def test_demo_loads_all_five_flows_in_several_states_and_only_once(db):
    with db.transaction() as session:
        ensure_groups(session)
        seed_from_holidays(session)
    assert _deploy_files(db, sorted(PROCESSES.glob("*.bpmn")), actor="setup", note="") == 0
    assert "loaded" in load_demo(db)
    with db.reading() as session:
        flows = dict(session.execute(select(WorkOrder.flow_type, func.count()).group_by(WorkOrder.flow_type)).all())
        assert set(flows) == {"fault_repair", "complaint", "tip_off", "power_application", "arrears_reminder"}
        statuses = set(session.scalars(select(WorkOrder.status)))
        assert {"open", "closed"} <= statuses
        ready = session.scalars(select(HumanTask).where(HumanTask.state == "ready")).all()
        assert any(t.claimed_by for t in ready) and any(t.claimed_by is None for t in ready)
        assert any(t.breached_at for t in ready), "some task is overdue"
        lanes = {g for _, _, groups in DEMO_USERS for g in groups} - {"process_owner", "auditor", "experts"}
        assert lanes <= {t.group_name for t in ready}, "every working department has something in its inbox"
        assert verify_chain(session).ok
    assert load_demo(db) == "demo data already loaded"
