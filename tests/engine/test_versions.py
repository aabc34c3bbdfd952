"""Process versions: the list, the element diff, drafts, and which version a work order runs on."""
from datetime import datetime, timezone

import pytest

from engine.drafts import deploy_xml, draft_of, discard_draft, save_draft
from engine.errors import DeployRejected, NotFound
from engine.testing import PROCESSES
from engine.versions import diff_versions, get_version, list_processes, list_versions
from tests.processes.test_complaint import NAMED

COMPLAINT = (PROCESSES / "complaint.bpmn").read_text()
THREE_DAYS = COMPLAINT.replace('name="deadline.department_result" value="2 working days"',
                               'name="deadline.department_result" value="3 working days"')


def _deploy(db, xml: str, note: str = "") -> int:
    with db.transaction() as session:
        return deploy_xml(session, "complaint", xml, actor="owner1", note=note).version


def _handle_due(flow, wo: int) -> datetime:
    return flow.task(wo, "handle").due_at


def test_versions_are_listed_newest_first_with_who_when_why_and_open_work_orders(flow, db):
    flow.deploy("complaint")
    flow.open("complaint", **NAMED)
    _deploy(db, THREE_DAYS, "部门处理时限改为3个工作日")
    with db.reading() as session:
        v2, v1 = list_versions(session, "complaint")
        processes = list_processes(session)
    assert (v2.version, v2.deployed_by, v2.note, v2.open_work_orders) == (2, "owner1", "部门处理时限改为3个工作日", 0)
    assert (v1.version, v1.deployed_by, v1.open_work_orders) == (1, "owner", 1)
    assert v2.deployed_at.tzinfo is not None
    assert processes == [("complaint", v2.name, 2)]


def test_new_work_orders_use_the_newest_version_and_running_ones_keep_theirs(flow, db):
    flow.deploy("complaint")
    old = flow.open("complaint", **NAMED)
    _deploy(db, THREE_DAYS)
    new = flow.open("complaint", **NAMED)
    assert flow.work_order(old).process_version.version == 1
    assert flow.work_order(new).process_version.version == 2
    assert _handle_due(flow, old) == datetime(2026, 10, 9, 8, 0, tzinfo=timezone.utc)
    assert _handle_due(flow, new) == datetime(2026, 10, 10, 8, 0, tzinfo=timezone.utc)


def test_diff_names_added_removed_and_changed_elements_and_properties(flow, db):
    flow.deploy("complaint")
    edited = (THREE_DAYS.replace('name="部门处理"', 'name="部门核查处理"')
              .replace('camunda:formKey="complaint.reply"', 'camunda:formKey="complaint.callback"'))
    _deploy(db, edited)
    with db.reading() as session:
        diff = diff_versions(session, "complaint", 1, 2)
        assert diff_versions(session, "complaint", 1, 1) == {"added": [], "removed": [], "changed": {}, "properties": {}}
    assert diff["properties"] == {"deadline.department_result": ("2 working days", "3 working days")}
    assert diff["changed"]["handle"] == {"name": ("部门处理", "部门核查处理")}
    assert diff["changed"]["reply"] == {"form_key": ("complaint.reply", "complaint.callback")}
    assert diff["added"] == [] and diff["removed"] == []


def test_diff_reports_a_removed_and_an_added_element_by_id(flow, db):
    flow.deploy("complaint")
    _deploy(db, COMPLAINT.replace('"handle_due"', '"handle_deadline"'))
    with db.reading() as session:
        diff = diff_versions(session, "complaint", 1, 2)
    assert diff["removed"] == [{"id": "handle_due", "type": "boundaryEvent", "name": diff["removed"][0]["name"]}]
    assert [a["id"] for a in diff["added"]] == ["handle_deadline"]


def test_diff_of_a_missing_version_is_not_found(flow, db):
    flow.deploy("complaint")
    with db.reading() as session, pytest.raises(NotFound):
        diff_versions(session, "complaint", 1, 7)


def test_a_draft_is_kept_unvalidated_and_cleared_by_deploying_it(flow, db):
    flow.deploy("complaint")
    with db.transaction() as session:
        half_done = THREE_DAYS.replace('camunda:formKey="complaint.reply"', "")  # well-formed, not deployable
        save_draft(session, "complaint", half_done, based_on_version=1, actor="owner1")
        save_draft(session, "complaint", THREE_DAYS, based_on_version=1, actor="owner1")
    with db.reading() as session:
        assert draft_of(session, "complaint").bpmn_xml == THREE_DAYS
    assert _deploy(db, THREE_DAYS) == 2
    with db.transaction() as session:
        assert draft_of(session, "complaint") is None
        assert discard_draft(session, "complaint") is False


def test_deploying_a_diagram_of_another_process_under_this_one_is_refused(flow, db):
    flow.deploy("complaint")
    with pytest.raises(DeployRejected) as caught:
        with db.transaction() as session:
            deploy_xml(session, "fault_repair", COMPLAINT, actor="owner1", note="")
    assert "keep the process id" in caught.value.problems[0]["message"]
    with db.reading() as session:
        assert [v.version for v in list_versions(session, "complaint")] == [1]
        assert get_version(session, "complaint", 1).process_id == "complaint"
