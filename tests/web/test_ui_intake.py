"""Agent intake: one screen per startable flow, caller look-up, and linking a call to an open job."""
from __future__ import annotations

import re

import forms
from engine.queries import startable_versions
from tests.engine.conftest import INTAKE
from tests.web.conftest import post
from web.form_rendering import fields_of

FAULT = {"customer_name": "王五", "customer_phone": "13700000001", "customer_address": "幸福路 1 号", "summary": "全楼停电"}


def test_intake_offers_only_flows_whose_start_lane_the_user_is_in(login_as, ticket, linkable):
    agent = login_as("agent", "call_centre").get("/intake/").get_data(as_text=True)
    assert 'href="/intake/test_ticket"' in agent and 'href="/intake/web_linkable"' in agent
    handler = login_as("handler", "business")
    assert "您所在的部门不受理工单" in handler.get("/intake/").get_data(as_text=True)
    assert handler.get("/intake/test_ticket").status_code == 403
    assert post(handler, "/intake/test_ticket", {**INTAKE, "action": "open"}).status_code == 403


def test_unknown_flow_is_404(login_as, ticket):
    assert login_as("agent", "call_centre").get("/intake/no_such_flow").status_code == 404


def test_start_form_is_rendered_from_the_start_event_form(login_as, ticket):
    page = login_as("agent", "call_centre").get("/intake/test_ticket").get_data(as_text=True)
    assert '<input type="tel" name="customer_phone"' in page and '<textarea name="summary"' in page
    assert "测试受理" in page


def test_intake_errors_are_shown_next_to_the_fields_and_nothing_is_opened(login_as, ticket):
    agent = login_as("agent", "call_centre")
    response = post(agent, "/intake/test_ticket", {"customer_name": "张三", "customer_phone": "12345", "action": "open"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'data-field="customer_phone">.*?value="12345".*?<p class="field-error" id="err-customer_phone">'
                     r"请输入有效的手机号或带区号的座机号</p>", html, re.S)
    assert re.search(r'data-field="summary">.*?<p class="field-error" id="err-summary">此项必填。</p>', html, re.S)
    assert 'id="err-customer_name"' not in html
    assert agent.get("/work-orders/?q=12345").get_data(as_text=True).count("<tr>") == 0


def test_opening_a_work_order_lands_on_its_page(login_as, ticket):
    agent = login_as("agent", "call_centre")
    response = post(agent, "/intake/test_ticket", {**INTAKE, "action": "open"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and re.search(r"工单 WO\d{14} 已生成", html)
    assert "电费异常" in html and "部门处理" in html


def test_looking_up_the_callers_phone_lists_their_open_work_orders(login_as, ticket):
    first = ticket.work_order(ticket.open("test_ticket", **INTAKE)).number
    agent = login_as("agent", "call_centre")
    looked_up = post(agent, "/intake/test_ticket", {"customer_phone": "138 0013 8000", "customer_name": "张三",
                                                     "action": "lookup"}).get_data(as_text=True)
    panel = looked_up.split('id="caller-lookup"')[1].split("</section>")[0]
    assert first in panel
    assert 'value="张三"' in looked_up, "the values typed so far are kept"
    assert "field-error" not in looked_up, "a look-up does not validate the form"
    popped = agent.get("/intake/test_ticket?customer_phone=13800138000").get_data(as_text=True)
    assert first in popped.split('id="caller-lookup"')[1]
    nobody = agent.get("/intake/test_ticket?customer_phone=13900000000").get_data(as_text=True)
    assert "13900000000 没有在办工单" in nobody


def test_a_call_about_an_address_with_an_open_job_is_offered_the_link(login_as, linkable):
    job = linkable.work_order(linkable.open("web_linkable", **FAULT)).number
    agent = login_as("agent", "call_centre")
    second = {**FAULT, "customer_name": "赵六", "customer_phone": "13700000002", "customer_address": "幸福路1号"}
    page = post(agent, "/intake/web_linkable", {**second, "action": "lookup"}).get_data(as_text=True)
    assert 'id="repair-jobs"' in page and f'data-link-to="{job}"' in page
    elsewhere = post(agent, "/intake/web_linkable", {**second, "customer_address": "光明路 9 号", "action": "lookup"})
    assert 'id="repair-jobs"' not in elsewhere.get_data(as_text=True)
    opened = post(agent, "/intake/web_linkable", {**second, "link_to": job, "action": "open"}, follow_redirects=True)
    html = opened.get_data(as_text=True)
    assert f'关联到 <a href="/work-orders/{job}">{job}</a>' in html
    parent = agent.get(f"/work-orders/{job}").get_data(as_text=True)
    assert "关联来电（1）" in parent and "赵六" in parent


def test_linking_to_a_closed_or_unknown_job_is_refused_inline(login_as, linkable):
    agent = login_as("agent", "call_centre")
    response = post(agent, "/intake/web_linkable", {**FAULT, "link_to": "WO20260930999999", "action": "open"})
    assert response.status_code == 422
    assert re.search(r'<p class="field-error" id="err-link_to">WO20260930999999 不是进行中的同类工单</p>',
                     response.get_data(as_text=True))


def test_every_flow_gets_an_intake_screen(login_as, flow):
    for process in ("fault_repair", "complaint", "tip_off", "power_application", "arrears_reminder"):
        flow.deploy(process)
    agent = login_as("agent", "call_centre")
    index = agent.get("/intake/").get_data(as_text=True)
    with flow.db.reading() as session:
        startable = {v.process_id: v.start_form_key for v in startable_versions(session, "agent")}
    assert startable, "the call centre opens at least one flow"
    for process, form_key in startable.items():
        assert f'href="/intake/{process}"' in index
        page = agent.get(f"/intake/{process}").get_data(as_text=True)
        for field in forms.describe_form(form_key):
            assert f'name="{field["name"]}"' in page, (process, field["name"])


def test_every_registered_form_renders_from_its_schema(app):
    with app.test_request_context("/"):
        macro = app.jinja_env.get_template("macros/form.html").module.render_fields
        for key in sorted(forms.FORMS):
            html = str(macro(fields_of(key), {}, {}))
            for field in forms.describe_form(key):
                assert f'name="{field["name"]}"' in html, (key, field["name"])
