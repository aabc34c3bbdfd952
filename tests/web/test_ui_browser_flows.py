"""End to end in a real browser: a complaint and a fault repair, each walked by several people.

Every page visited is saved under ``test-output/browser/<test>/`` for a person to look at.
"""
from __future__ import annotations

import re

import pytest

from tests.web.browser import Person, fill_form, needs_chromium
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser, needs_chromium]

XSS = "<script>window.__pwned = 1</script>"


def _number(page) -> str:
    return re.search(r"(?:TS|GZ)\d{14}", page.locator(".wo-head h1 a").first.inner_text()).group(0)


def test_complaint_filed_handled_replied_and_called_back(flow, make_user, live_server, chromium, shots):
    flow.deploy("complaint")
    make_user("wangfang", "call_centre", display_name="王芳")
    make_user("liming", "business", display_name="李明")
    make_user("zhaomin", "call_centre", display_name="赵敏")

    agent = Person(chromium, live_server, "wangfang", PASSWORD)
    page = agent.page
    page.goto("/intake/")
    shots(page, "agent-intake-choices")
    page.click('a.card[href="/intake/complaint"]')
    page.wait_for_selector("#intake-form")
    agent.submit("button[value=open]")
    assert page.locator("#err-category").inner_text() == "此项必填。"
    assert page.locator("#err-summary").inner_text() == "此项必填。"
    shots(page, "agent-intake-errors")
    fill_form(page, {"customer_name": "张三", "customer_phone": "13800138000", "customer_address": "人民路 12 号",
                     "category": ("select", "billing_metering"), "summary": f"九月电费比往月多出一倍 {XSS}",
                     "customer_demand": "核查并退还多收电费"})
    agent.submit("button[value=lookup]")
    assert "13800138000 没有在办工单" in page.locator("#caller-lookup").inner_text()
    agent.submit("button[value=open]")
    number = _number(page)
    assert page.locator(".flash-success").inner_text() == f"工单 {number} 已生成。"
    assert XSS in page.locator("#wo-summary").inner_text() and page.evaluate("window.__pwned") is None
    agent.diagram_ready()
    assert agent.marked("intake", "completed") and agent.marked("handle", "active")
    assert "规则：2个工作日" in page.locator(".explain pre").first.text_content()
    shots(page, "agent-work-order-opened")

    handler = Person(chromium, live_server, "liming", PASSWORD)
    hp = handler.page
    assert hp.locator("#tab-group .count").inner_text() == "1"
    shots(hp, "handler-group-queue")
    handler.claim_and_open("部门处理")
    assert "王芳" in hp.locator(".records").inner_text() and "张三" in hp.locator(".context").inner_text()
    handler.complete({"result_type": ("select", "final")})
    assert hp.locator("#err-handler").inner_text() == "此项必填。"
    assert hp.locator("#err-result").inner_text() == "此项必填。"
    handler.complete({"handler": "李明", "result": "经核查，表计故障导致多计电量，已换表并退费 126.40 元。"})
    assert hp.locator("#err-finding").inner_text() == "办结时必填"
    assert hp.input_value("#f-handler") == "李明", "what was typed is kept"
    shots(hp, "handler-task-errors-inline")
    handler.complete({"finding": ("select", "substantiated"), "measures": "加强表计巡检"})
    assert "「部门处理」已办结" in hp.locator(".flash-success").inner_text()
    shots(hp, "handler-after-completion")

    replier = Person(chromium, live_server, "zhaomin", PASSWORD)
    rp = replier.page
    replier.claim_and_open("答复客户")
    assert "已换表并退费 126.40 元" in rp.locator(".records").inner_text()
    shots(rp, "agent2-reply-task")
    replier.complete({"reached": True, "reply_summary": "已告知客户核查结果及退费安排"})
    replier.claim_and_open("回访")
    shots(rp, "agent2-callback-task")
    replier.complete({"reached": True, "satisfaction": ("select", "satisfied"), "opinion": "处理及时，满意"})

    rp.goto(f"/work-orders/{number}")
    replier.diagram_ready()
    assert "已办结" in rp.locator(".wo-head").inner_text()
    assert replier.marked("callback", "completed") and replier.marked("handle", "completed")
    timeline = rp.locator("table.timeline").inner_text()
    for text in ("工单已受理", "环节已认领", "环节已办结", "工单已办结"):
        assert text in timeline
    shots(rp, "work-order-closed")
    rp.click("form.lang button[value=en]")
    rp.wait_for_load_state()
    assert "Closed" in rp.locator(".wo-head").inner_text() and "Timeline" in rp.content()
    replier.diagram_ready()
    shots(rp, "work-order-closed-english")
    assert agent.offsite == handler.offsite == replier.offsite == []


def test_fault_repair_dispatched_reached_and_repaired(flow, make_user, live_server, chromium, shots):
    flow.deploy("fault_repair")
    make_user("wangfang", "call_centre", display_name="王芳")
    make_user("chenjun", "repair_dispatch", display_name="陈军")
    make_user("liuqiang", "repair_crew", display_name="刘强")

    agent = Person(chromium, live_server, "wangfang", PASSWORD)
    page = agent.page
    page.goto("/intake/fault_repair")
    fill_form(page, {"customer_name": "王五", "customer_phone": "13700000001", "customer_address": "幸福路 1 号 3 栋",
                     "summary": "整栋楼停电", "area_class": ("select", "urban")})
    agent.submit("button[value=open]")
    job = _number(page)
    agent.claim_and_open("判断产权")
    agent.complete({"ownership": ("select", "utility_fault"), "explanation": "供电线路故障，已致歉并告知将派员抢修"})

    page.goto("/intake/fault_repair")
    fill_form(page, {"customer_name": "赵六", "customer_phone": "13700000002", "customer_address": "幸福路1号3栋",
                     "summary": "家里没电", "area_class": ("select", "urban")})
    agent.submit("button[value=lookup]")
    assert job in page.locator("#repair-jobs").inner_text()
    page.click(f'[data-link-to="{job}"]')
    assert page.input_value("#f-link_to") == job
    shots(page, "agent-second-caller-linked")
    agent.submit("button[value=open]")
    assert job in page.locator(".wo-head .meta").inner_text()

    dispatcher = Person(chromium, live_server, "chenjun", PASSWORD)
    dispatcher.claim_and_open("派工")
    shots(dispatcher.page, "dispatcher-dispatch-task")
    dispatcher.complete({"crew_leader": "刘强", "crew_phone": "13600000000", "departure_time": "2026-09-30T16:05"})

    crew = Person(chromium, live_server, "liuqiang", PASSWORD)
    cp = crew.page
    row = cp.locator("tr[data-task-id]", has_text="到达现场")
    assert "row-soon" in row.get_attribute("class"), "45 minutes to arrive: due within the hour"
    assert "剩余 45分" in row.locator(".countdown").inner_text()
    shots(cp, "crew-queue-arrival-due-soon")
    crew.claim_and_open("到达现场")
    crew.complete({"arrival_note": "已到达幸福路 1 号"})
    crew.claim_and_open("现场反馈")
    crew.complete({"fault_cause": "台区变压器低压出线熔断", "crew_location": "幸福路 1 号配电房", "estimated_minutes": "60"})
    crew.claim_and_open("报告进展")
    crew.complete({"repaired": True, "status": "已更换熔断器，恢复送电"})

    dispatcher.claim_and_open("抢修结果反馈")
    dispatcher.complete({"main_fault": "低压出线熔断", "repair_result": "更换熔断器", "power_restored_at": "2026-09-30T16:00"})

    dp = dispatcher.page
    dp.goto(f"/work-orders/{job}")
    dispatcher.diagram_ready()
    for element in ("dispatch", "report_arrival", "crew_report", "completion_report"):
        assert dispatcher.marked(element, "completed"), element
    assert dispatcher.marked("plan_callbacks", "active")
    messages = dp.locator("text=已发消息").locator("xpath=..").inner_text()
    assert "抢修负责人刘强（电话13600000000）已安排前往现场" in messages
    assert "关联来电（1）" in dp.content() and "赵六" in dp.content()
    shots(dp, "work-order-repaired")
    assert agent.offsite == dispatcher.offsite == crew.offsite == []
