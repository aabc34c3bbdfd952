"""Deploying diagrams: versions, idempotence, and refusals that name the element."""
import pytest
from sqlalchemy import select

from engine.deployment import deploy_process
from engine.errors import DeployRejected
from engine.models import ProcessVersion
from tests.engine.conftest import TICKET_BPMN

XML = TICKET_BPMN.read_text()


def _deploy(db, xml):
    with db.transaction() as session:
        return deploy_process(session, xml, actor="owner")


def _problems(db, xml) -> list[dict]:
    with pytest.raises(DeployRejected) as caught:
        _deploy(db, xml)
    return caught.value.problems


def test_redeploying_identical_bytes_creates_no_new_version(flow, db):
    _, created = _deploy(db, XML)
    _, again = _deploy(db, XML)
    assert (created, again) == (True, False)
    with db.reading() as session:
        [version] = session.scalars(select(ProcessVersion)).all()
        assert version.bpmn_xml == XML and len(version.sha256) == 64 and version.deployed_by == "owner"
        assert version.lane_map["handle"] == "business"
        assert version.settings == {"deadline.handle": "2 working days"}


def test_unsafe_script_is_rejected_with_element_id_and_name(flow, db):
    xml = XML.replace("late_marked = True", "import os\nos.system('rm -rf /')")
    problems = _problems(db, xml)
    assert any(p["element_id"] == "mark_late" and p["element_name"] == "标记超期" and "import" in p["message"] for p in problems)


def test_unsafe_timer_expression_is_rejected(flow, db):
    xml = XML.replace('deadline("deadline.handle", opened_at)', "__import__('os').getcwd()")
    assert [p["element_id"] for p in _problems(db, xml)] == ["late"]


def test_unsafe_condition_is_rejected(flow, db):
    xml = XML.replace("needs_visit == True", "open('/etc/passwd').read() != ''")
    assert [p["element_id"] for p in _problems(db, xml)] == ["f_visit"]


def test_malformed_xml_is_rejected_cleanly(flow, db):
    [problem] = _problems(db, XML[:-40])
    assert "well-formed" in problem["message"]


def test_unknown_lane_and_missing_form_are_named(flow, db):
    xml = XML.replace('id="business"', 'id="marketing"').replace('"test.reply"', '"test.nope"')
    messages = {(p["element_id"], p["message"]) for p in _problems(db, xml)}
    assert ("handle", "the lane 'marketing' is not a known department group") in messages
    assert ("reply", "the form 'test.nope' does not exist in forms/") in messages


def test_entity_declarations_are_refused(flow, db):
    xml = XML.replace('<?xml version="1.0" encoding="UTF-8"?>',
                      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>')
    [problem] = _problems(db, xml)
    assert "entities" in problem["message"]


def test_service_task_is_refused_by_name(flow, db):
    xml = XML.replace('<bpmn:scriptTask id="mark_late" name="标记超期">', '<bpmn:serviceTask id="mark_late" name="标记超期">').replace(
        "</bpmn:scriptTask>", "</bpmn:serviceTask>")
    assert any(p["element_id"] == "mark_late" and "serviceTask" in p["message"] for p in _problems(db, xml))


def test_missing_layout_is_reported(flow, db):
    xml = XML.replace('<bpmndi:BPMNShape id="reply_di" bpmnElement="reply">', '<bpmndi:BPMNShape id="reply_di" bpmnElement="nothing">')
    assert any(p["element_id"] == "reply" and "layout" in p["message"] for p in _problems(db, xml))
