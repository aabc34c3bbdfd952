"""The modeller pages: process owners only, CSRF on every POST, validated deploys, drafts, downloads, diffs."""
from __future__ import annotations

import io

import pytest

from engine.testing import PROCESSES
from tests.processes.test_complaint import FINAL, NAMED
from tests.web.conftest import csrf_token, post

COMPLAINT = (PROCESSES / "complaint.bpmn").read_text()
THREE_DAYS = COMPLAINT.replace('value="2 working days"', 'value="3 working days"')


@pytest.fixture
def owner(flow, login_as):
    flow.deploy("complaint")
    return login_as("owner1", "process_owner")


def _json_post(client, url: str, body: dict):
    return client.post(url, json=body, headers={"X-CSRFToken": csrf_token(client)})


def test_only_process_owners_reach_the_modeller(flow, login_as):
    flow.deploy("complaint")
    agent = login_as("agent", "call_centre")
    assert agent.get("/modeller/").status_code == 403
    assert agent.get("/modeller/complaint").status_code == 403
    assert _json_post(agent, "/modeller/complaint/deploy", {"xml": THREE_DAYS}).status_code == 403


def test_owner_opens_the_current_version_in_the_modeller(owner):
    assert "complaint" in owner.get("/modeller/").get_data(as_text=True)
    page = owner.get("/modeller/complaint").get_data(as_text=True)
    assert "vendor/modeller/modeller.js" in page and "deadline.department_result" in page
    assert 'data-version="1"' in page


def test_posts_without_the_csrf_token_are_refused(owner):
    assert owner.post("/modeller/complaint/deploy", json={"xml": THREE_DAYS}).status_code == 400
    assert owner.post("/modeller/complaint/draft", json={"xml": THREE_DAYS}).status_code == 400


def test_deploy_creates_the_next_version_and_lists_it(owner):
    response = _json_post(owner, "/modeller/complaint/deploy", {"xml": THREE_DAYS, "note": "3 days"})
    assert response.status_code == 200 and response.get_json()["version"] == 2
    page = owner.get("/modeller/complaint").get_data(as_text=True)
    assert 'data-version="2"' in page and "3 days" in page


@pytest.mark.parametrize(("edit", "element_id", "words"), [
    (lambda x: x[:-60], "", "not well-formed"),
    (lambda x: x.replace('id="business"', 'id="marketing"'), "handle", "not a known department group"),
    (lambda x: x.replace('"complaint.reply"', '"complaint.nope"'), "reply", "does not exist in forms/"),
    (lambda x: x.replace('deadline("deadline.department_result", opened_at)', "PT45M"), "handle_due", "must be quoted"),
    (lambda x: x.replace('deadline("deadline.department_result", opened_at)', 'deadline("deadline.nope", opened_at)'),
     "handle_due", "no setting 'deadline.nope'"),
    (lambda x: x.replace('deadline("deadline.department_result", opened_at)', "__import__('os')"), "handle_due", "_"),
], ids=["malformed-xml", "unknown-lane", "missing-form", "unquoted-duration", "missing-property", "unsafe-timer"])
def test_refused_deploy_returns_each_problem_with_its_element(owner, edit, element_id, words):
    response = _json_post(owner, "/modeller/complaint/deploy", {"xml": edit(COMPLAINT)})
    assert response.status_code == 422
    problems = response.get_json()["problems"]
    assert any(p["element_id"] == element_id and words in p["message"] for p in problems), problems


def test_diagram_with_elements_we_cannot_run_is_refused_with_a_list_not_an_error_page(owner):
    foreign = COMPLAINT.replace("<bpmn:userTask id=\"reply\"", "<bpmn:serviceTask id=\"reply\"", 1)
    foreign = foreign.replace("</bpmn:userTask>\n    <bpmn:boundaryEvent id=\"reply_due\"",
                              "</bpmn:serviceTask>\n    <bpmn:boundaryEvent id=\"reply_due\"", 1)
    response = _json_post(owner, "/modeller/complaint/deploy", {"xml": foreign})
    assert response.status_code == 422
    assert any(p["element_id"] == "reply" and "serviceTask" in p["message"] for p in response.get_json()["problems"])


def test_draft_is_saved_and_reopened_then_discarded(owner):
    assert _json_post(owner, "/modeller/complaint/draft", {"xml": THREE_DAYS, "based_on": 1}).status_code == 200
    page = owner.get("/modeller/complaint").get_data(as_text=True)
    assert "3 working days" in page and ("Discard draft" in page or "丢弃草稿" in page)
    assert post(owner, "/modeller/complaint/discard").status_code == 302
    assert "3 working days" not in owner.get("/modeller/complaint").get_data(as_text=True)


def test_uploaded_file_becomes_the_draft(owner):
    response = post(owner, "/modeller/complaint/upload",
                    {"file": (io.BytesIO(THREE_DAYS.encode()), "complaint.bpmn")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert "3 working days" in owner.get("/modeller/complaint").get_data(as_text=True)


def test_any_version_downloads_as_its_exact_xml(owner):
    _json_post(owner, "/modeller/complaint/deploy", {"xml": THREE_DAYS})
    first = owner.get("/modeller/complaint/v1.bpmn")
    assert first.get_data(as_text=True) == COMPLAINT
    assert 'filename="complaint-v1.bpmn"' in first.headers["Content-Disposition"]
    assert owner.get("/modeller/complaint/v2.bpmn").get_data(as_text=True) == THREE_DAYS
    assert owner.get("/modeller/complaint/v9.bpmn").status_code == 404


def test_diff_page_names_the_changed_property(owner):
    _json_post(owner, "/modeller/complaint/deploy", {"xml": THREE_DAYS})
    page = owner.get("/modeller/complaint/diff?a=1&b=2").get_data(as_text=True)
    assert "deadline.department_result" in page and "2 working days" in page and "3 working days" in page


def test_migration_page_previews_moves_and_reverts_running_work_orders(owner, flow):
    waiting_id = flow.open("complaint", **NAMED)
    waiting = flow.work_order(waiting_id).number
    handled = flow.open("complaint", **NAMED)
    flow.complete(handled, "handle", **FINAL)
    renamed = THREE_DAYS.replace('name="部门处理"', 'name="部门核查处理"')
    assert _json_post(owner, "/modeller/complaint/deploy", {"xml": renamed}).status_code == 200
    page = owner.get("/modeller/complaint/migrate?from=1").get_data(as_text=True)
    assert f'data-work-order="{waiting}" class="row-ok"' in page
    assert "the completed step &#39;部门处理&#39; was changed" in page
    form = {"work_order": [str(handled), str(waiting_id)], "target_id": "2", "source": "1"}
    assert post(owner, "/modeller/complaint/migrate", form).status_code == 302
    assert flow.work_order(handled).process_version.version == 1
    assert flow.work_order(waiting_id).process_version.version == 2
    history = owner.get("/modeller/complaint/migrate?from=1").get_data(as_text=True)
    assert waiting in history and "v1 → v2" in history
    assert post(owner, "/modeller/complaint/migrations/1/revert").status_code == 302
    assert flow.work_order(waiting_id).process_version.version == 1


def test_dry_run_reports_each_scenario_of_the_flow_for_the_modeller_diagram(owner):
    response = _json_post(owner, "/modeller/complaint/dry-run", {"xml": THREE_DAYS})
    results = response.get_json()["results"]
    assert response.status_code == 200 and any(r["passed"] for r in results)
    assert any(not r["passed"] and r["name"].startswith("test_department_result") for r in results)
    assert 'id="dry-run"' in owner.get("/modeller/complaint").get_data(as_text=True)
