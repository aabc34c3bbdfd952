"""In Chromium: a process owner changes a deadline in the properties panel and deploys it (issue 5, "Done when")."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.versions import list_versions
from tests.processes.test_complaint import NAMED
from tests.web.browser import Person, needs_chromium
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser, needs_chromium]
PANEL = "#bio-properties-panel-pool_complaint-extensionProperty-{}-{}"


def _open_modeller(owner: Person) -> None:
    owner.page.goto("/modeller/complaint")
    owner.page.wait_for_selector("#canvas[data-ready=true]", timeout=15000)


def _select_pool(page) -> None:
    page.locator('g.djs-element[data-element-id="pool_complaint"] > rect.djs-hit-all').first.click(force=True)
    page.wait_for_selector('[data-group-id="group-CamundaPlatform__ExtensionProperties"] .bio-properties-panel-group-header')


def _department_deadline_input(page):
    """Open the process's extension properties and return the value input of deadline.department_result."""
    page.click('[data-group-id="group-CamundaPlatform__ExtensionProperties"] .bio-properties-panel-group-header')
    page.locator(".bio-properties-panel-collapsible-entry-header", has_text="deadline.department_result").first.click()
    for index in range(page.locator("input[id$='-name'][id*='extensionProperty']").count()):
        if page.locator(PANEL.format(index, "name")).input_value() == "deadline.department_result":
            value = page.locator(PANEL.format(index, "value"))
            value.wait_for(state="visible")
            return value
    raise AssertionError("deadline.department_result is not among the process's extension properties")


def test_owner_changes_the_department_deadline_in_the_panel_and_only_new_complaints_get_it(
        flow, make_user, live_server, chromium, shots):
    flow.deploy("complaint")
    older = flow.open("complaint", **NAMED)
    make_user("heping", "process_owner", display_name="何平")
    owner = Person(chromium, live_server, "heping", PASSWORD)
    page = owner.page
    assert page.locator("nav.mainnav a", has_text="流程建模").count() == 1
    _open_modeller(owner)
    _select_pool(page)
    value = _department_deadline_input(page)
    assert value.input_value() == "2 working days"
    value.fill("3 working days")
    value.press("Tab")
    shots(page, "department-deadline-edited")
    page.fill("#deploy-note", "部门处理时限改为3个工作日")
    page.click("#deploy")
    page.wait_for_selector("body[data-deployed-version='2']", timeout=15000)
    shots(page, "deployed")
    assert owner.offsite == []

    newer = flow.open("complaint", **NAMED)
    assert flow.work_order(older).process_version.version == 1
    assert flow.work_order(newer).process_version.settings["deadline.department_result"] == "3 working days"
    assert flow.task(older, "handle").due_at == datetime(2026, 10, 9, 8, 0, tzinfo=timezone.utc)
    assert flow.task(newer, "handle").due_at == datetime(2026, 10, 10, 8, 0, tzinfo=timezone.utc)


def test_refused_deploy_lists_and_marks_the_problems_and_a_dry_run_shows_failing_scenarios(flow, make_user, live_server, chromium,
                                                                                 shots):
    flow.deploy("complaint")
    make_user("heping", "process_owner", display_name="何平")
    owner = Person(chromium, live_server, "heping", PASSWORD)
    page = owner.page
    _open_modeller(owner)
    _select_pool(page)
    value = _department_deadline_input(page)
    value.fill("3 fortnights")
    value.press("Tab")
    page.click("#deploy")
    page.wait_for_selector("#problems li", timeout=15000)
    problems = page.locator("#problems li").all_inner_texts()
    assert any(text.startswith("handle_due «处理时限»") for text in problems), problems
    assert page.locator('.djs-element.tf-problem[data-element-id="handle_due"]').count() == 1
    shots(page, "refused-with-markers")
    page.click("#dry-run")
    page.wait_for_selector("body[data-dry-run=done]", timeout=120000)
    assert page.locator("#dry-run-results tr.row-overdue").count() >= 1
    assert page.locator("#dry-run-results tr.row-ok").count() == 0  # nothing deploys with "3 fortnights"
    assert "失败" in page.locator("#modeller-status").inner_text()
    shots(page, "dry-run")
    with flow.db.reading() as session:
        assert [v.version for v in list_versions(session, "complaint")] == [1]
