"""A sealed reporter identity (tip-off, art. 15.12) never reaches a token outside discipline inspection and audit."""
import json
from pathlib import Path

import pytest
from marshmallow import Schema, fields

from engine.confidentiality import MASK
from forms import register_form
from forms.validators import check_phone, long_text, text
from tests.engine.conftest import TICKET_BPMN

REPORTER = "王五"
REPORTER_PHONE = "13912345678"


@register_form("apitest.sealed_intake", "保密受理", "Sealed intake")
class SealedIntake(Schema):
    customer_name = text("举报人", "Reporter", sealed=True)
    customer_phone = fields.String(required=True, validate=check_phone, metadata={"sealed": True})
    summary = long_text("内容", "Report")


@pytest.fixture
def sealed_flow(flow, tmp_path) -> str:
    """ticket.bpmn as ``api_sealed``: sealed intake, handled by discipline inspection."""
    xml = (TICKET_BPMN.read_text(encoding="utf-8").replace("test_ticket", "api_sealed")
           .replace('"test.intake"', '"apitest.sealed_intake"').replace('"business"', '"discipline"'))
    path = Path(tmp_path / "api_sealed.bpmn")
    path.write_text(xml, encoding="utf-8")
    flow.deploy(path)
    return "api_sealed"


def _leaks(response) -> bool:
    body = json.dumps(response.json, ensure_ascii=False)
    return REPORTER in body or REPORTER_PHONE in body


def test_the_reporter_is_masked_for_every_response_outside_discipline_and_audit(client, sealed_flow, ivr, api_token):
    discipline = api_token("discipline_sys", ["discipline"])
    shift_lead = api_token("shift_lead_sys", ["shift_lead"])
    intake = {"customer_name": REPORTER, "customer_phone": REPORTER_PHONE, "summary": f"{REPORTER}举报抄表员收受贿赂"}
    opened = client.post("/api/v1/work-orders", json={"flow": sealed_flow, "intake": intake}, headers=ivr)
    assert opened.status_code == 201 and not _leaks(opened)
    assert opened.json["customer"]["customer_name"] == MASK and opened.json["intake"]["customer_phone"] == MASK
    number = opened.json["number"]
    for headers in (ivr, shift_lead):
        read = client.get(f"/api/v1/work-orders/{number}", headers=headers)
        assert read.status_code == 200 and not _leaks(read)

    [task] = client.get("/api/v1/tasks", headers=discipline).json["items"]
    assert task["work_order"]["customer_name"] == MASK
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"result": "已立案"}}, headers=discipline)
    assert done.status_code == 200 and done.json["work_order"]["customer"]["customer_name"] == REPORTER
    assert _leaks(done), "the leak detector must see what discipline inspection is allowed to see"

    listed = client.get("/api/v1/tasks", headers=ivr)
    [reply] = listed.json["items"]
    assert not _leaks(listed) and not _leaks(client.get(f"/api/v1/tasks/{reply['id']}", headers=ivr))
    replied = client.post(f"/api/v1/tasks/{reply['id']}/complete", json={"data": {"reply": "已答复"}}, headers=ivr)
    assert replied.status_code == 200 and not _leaks(replied)
    assert replied.json["work_order"]["status"] == "closed"


@pytest.mark.parametrize("group", ["discipline", "auditor"])
def test_discipline_inspection_and_auditors_see_the_reporter(client, flow, sealed_flow, ivr, api_token, group):
    intake = {"customer_name": REPORTER, "customer_phone": REPORTER_PHONE, "summary": "举报"}
    number = client.post("/api/v1/work-orders", json={"flow": sealed_flow, "intake": intake}, headers=ivr).json["number"]
    read = client.get(f"/api/v1/work-orders/{number}", headers=api_token(f"{group}_sys", [group]))
    assert read.status_code == 200
    assert read.json["customer"]["customer_name"] == REPORTER and read.json["intake"]["customer_phone"] == REPORTER_PHONE
    reads = [k for k in flow.events(read.json["id"]) if k == "sealed.read"]
    assert reads == (["sealed.read"] if group == "auditor" else [])  # an auditor's look is itself on record


def test_the_real_tip_off_flow_hides_the_reporter_from_the_call_centre_and_shift_lead(client, flow, ivr, api_token):
    flow.deploy("tip_off")
    intake = {"anonymous": False, "customer_name": REPORTER, "customer_phone": REPORTER_PHONE,
              "allegation": "bribery", "accused": "城东供电所抄表员", "summary": f"{REPORTER}反映抄表员收受贿赂"}
    opened = client.post("/api/v1/work-orders", json={"flow": "tip_off", "intake": intake}, headers=ivr)
    assert opened.status_code == 201 and opened.json["number"].startswith("JB")
    assert not _leaks(opened)
    number = opened.json["number"]
    assert not _leaks(client.get(f"/api/v1/work-orders/{number}", headers=api_token("lead_sys", ["shift_lead"])))
    discipline = api_token("discipline_sys", ["discipline"])
    [task] = client.get("/api/v1/tasks", query_string={"flow": "tip_off"}, headers=discipline).json["items"]
    assert task["group"] == "discipline" and task["work_order"]["customer_name"] == MASK
    read = client.get(f"/api/v1/work-orders/{number}", headers=discipline)
    assert read.json["customer"]["customer_phone"] == REPORTER_PHONE and _leaks(read)
