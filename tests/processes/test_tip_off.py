"""Tip-off 举报 (rules §3; art. 15.8, 15.12, 21.8, 28) stepped through processes/tip_off.bpmn in fake time.

The reporter's identity is sealed: only discipline inspection and auditors may read it, so
after intake every step, reply and callback included, belongs to the discipline lane.
"""
import pytest

from engine.confidentiality import MASK, sealed_fields, visible
from engine.deployment import latest_version
from engine.dossier import dossier
from engine.errors import ValidationFailed
from engine.models import WorkOrder
from engine.testing import PROCESSES
from tests.processes.diagram_layout import layout_report
from tests.processes.inspect_flow import at, notices, task_data, texts

REPORTER = {"customer_name": "王五", "customer_phone": "13912345678", "customer_address": "九江市浔阳区庐山路 8 号",
            "allegation": "theft_assistance", "accused": "某供电所抄表员", "summary": "抄表员收取好处费后帮助邻居绕表用电"}
FINDING = {"result_type": "final", "handler": "纪检监察室", "result": "经查属实，已给予当事人处分并追缴电费",
           "finding": "substantiated", "measures": "开展廉洁教育"}
FINAL = {k: v for k, v in FINDING.items() if k != "result_type"}
REPLY = {"reached": True, "reply_summary": "已告知举报人查处结果"}
SATISFIED = {"reached": True, "satisfaction": "satisfied", "opinion": "查处认真，满意"}
IDENTITY = ("customer_name", "customer_phone", "customer_address")


@pytest.fixture
def tip_off(flow):
    """The harness with processes/tip_off.bpmn deployed."""
    flow.deploy("tip_off")
    return flow


def identity_leaked(flow, wo: int) -> bool:
    """Whether a reporter's name or phone appears in any queued message."""
    return any(REPORTER["customer_name"] in m.body or REPORTER["customer_phone"] in m.body or
               REPORTER["customer_phone"] in m.recipient for m in flow.outbox(wo))


def test_the_diagram_deploys_with_every_step_after_intake_in_the_discipline_lane(tip_off, db):
    with db.reading() as session:
        version = latest_version(session, "tip_off")
        assert version.settings == {
            "deadline.discipline_result": "9 working days", "deadline.interim_extension": "9 working days",
            "deadline.customer_reply": "1 working day", "deadline.callback": "1 working day",
        }
        lanes = version.lane_map
        assert sealed_fields(version) == frozenset(IDENTITY)
    assert {lane for node, lane in lanes.items() if node not in ("intake", "route")} == {"discipline"}
    assert (lanes["intake"], lanes["route"]) == ("call_centre", "call_centre")
    assert layout_report(PROCESSES / "tip_off.bpmn") == []


def test_discipline_result_is_due_nine_working_days_later_counting_the_make_up_saturday(tip_off):
    wo = tip_off.open("tip_off", **REPORTER)
    task = tip_off.task(wo, "handle")
    assert (task.group_name, task.deadline["rule"]) == ("discipline", "9 working days")
    assert task.due_at == at(10, 19, 16)  # without the make-up Saturday 10-10 it would be 10-20


def test_the_reporters_identity_is_masked_in_the_work_order_columns(tip_off):
    order = tip_off.work_order(tip_off.open("tip_off", **REPORTER))
    assert (order.customer_name, order.customer_phone, order.customer_address) == (MASK, MASK, MASK)
    assert order.summary == REPORTER["summary"]


def test_a_reporters_name_typed_into_the_summary_is_cut_out_of_the_listed_summary(tip_off):
    careless = {**REPORTER, "summary": "王五反映：抄表员收费帮邻居绕表，回电 13912345678"}
    order = tip_off.work_order(tip_off.open("tip_off", **careless))
    assert "王五" not in order.summary and "13912345678" not in order.summary
    assert order.summary == f"{MASK}反映：抄表员收费帮邻居绕表，回电 {MASK}"


@pytest.mark.parametrize(("groups", "sees"), [
    ({"business"}, False), ({"call_centre"}, False), ({"shift_lead", "call_centre"}, False),
    ({"discipline"}, True), ({"auditor"}, True),
])
def test_only_discipline_inspection_and_auditors_see_the_reporters_identity(tip_off, db, groups, sees):
    wo = tip_off.open("tip_off", **REPORTER)
    data = task_data(tip_off, wo, "route")
    with db.reading() as session:
        shown = visible(data, session.get(WorkOrder, wo).process_version, groups)
    expected = {f: REPORTER[f] if sees else MASK for f in IDENTITY}
    assert {f: shown[f] for f in IDENTITY} == expected
    assert shown["summary"] == REPORTER["summary"]


def test_the_work_order_file_shown_to_the_call_centre_carries_the_identity_nowhere(tip_off, db):
    wo = tip_off.open("tip_off", **REPORTER)
    tip_off.complete(wo, "handle", **FINDING)
    with db.reading() as session:
        agent_view = repr(dossier(session, wo, tip_off.user_in("call_centre")))
        inspector_view = repr(dossier(session, wo, tip_off.user_in("discipline")))
    assert REPORTER["customer_phone"] not in agent_view and REPORTER["customer_name"] not in agent_view
    assert REPORTER["customer_phone"] in inspector_view and REPORTER["customer_name"] in inspector_view


def test_nothing_about_a_tip_off_is_ever_texted_and_no_message_carries_the_identity(tip_off):
    wo = tip_off.open("tip_off", **REPORTER)
    tip_off.complete(wo, "handle", **{**FINDING, "result_type": "interim", "result": "正在调查"})
    tip_off.advance(to=at(11, 1))
    tip_off.complete(wo, "explain2", delay_reason="当事人外出培训", progress="已约谈证人")
    tip_off.complete(wo, "handle_final", **FINAL)
    tip_off.complete(wo, "reply", **REPLY)
    tip_off.complete(wo, "callback", **SATISFIED)
    assert texts(tip_off, wo) == []
    assert not identity_leaked(tip_off, wo)
    assert notices(tip_off, wo, "call_centre")  # the call centre still hears of progress, without the identity


def test_a_named_reporter_gives_name_and_phone(tip_off):
    with pytest.raises(ValidationFailed) as caught:
        tip_off.open("tip_off", allegation="bribery", summary="收受红包")
    assert set(caught.value.errors) == {"customer_name", "customer_phone", "no_contact_reason"}


def test_finding_in_time_is_replied_and_called_back_by_discipline_inspection_and_closes(tip_off):
    wo = tip_off.open("tip_off", **REPORTER)
    assert tip_off.advance(to=at(10, 19, 15)).fired == 0
    tip_off.complete(wo, "handle", **FINDING)
    reply = tip_off.task(wo, "reply")
    assert (reply.group_name, reply.due_at) == ("discipline", at(10, 20, 15))
    tip_off.complete(wo, "reply", **REPLY)
    callback = tip_off.task(wo, "callback")
    assert (callback.group_name, callback.due_at) == ("discipline", at(10, 20, 15))
    tip_off.complete(wo, "callback", **SATISFIED)
    order = tip_off.work_order(wo)
    assert (order.status, order.breached_at) == ("closed", None)
    assert tip_off.path(wo) == ["intake", "route", "handle", "result_kind", "result_in", "record_result", "contact",
                                "reply", "callback", "satisfied", "end_closed"]
    assert task_data(tip_off, wo, "callback")["finding"] == "substantiated"


def test_missed_discipline_deadline_is_a_breach_that_is_chased_and_must_be_explained(tip_off):
    wo = tip_off.open("tip_off", **REPORTER)
    assert tip_off.advance(to=at(10, 19, 16, 0, 1)).fired == 1
    assert tip_off.task(wo, "handle").breached_at == at(10, 19, 16) == tip_off.work_order(wo).breached_at
    assert tip_off.ready_names(wo) == [("handle", "discipline"), ("explain1", "discipline")]
    assert any(b.startswith("【95598催办】举报工单") for b in notices(tip_off, wo, "discipline"))
    tip_off.complete(wo, "explain1", delay_reason="涉及多名证人", progress="已完成两名证人询问")
    assert "超期说明：涉及多名证人" in notices(tip_off, wo, "call_centre")[-1]
    tip_off.complete(wo, "handle", **FINDING)
    tip_off.complete(wo, "reply", **REPLY)
    tip_off.complete(wo, "callback", **SATISFIED)
    assert tip_off.work_order(wo).status == "closed"
    assert not identity_leaked(tip_off, wo)


def test_interim_reply_extends_the_investigation_and_a_missed_extension_is_a_breach(tip_off):
    wo = tip_off.open("tip_off", **REPORTER)
    tip_off.advance(to=at(10, 16, 9))
    tip_off.complete(wo, "handle", **{**FINDING, "result_type": "interim", "result": "正在调取用电记录"})
    final = tip_off.task(wo, "handle_final")
    assert (final.due_at, final.deadline["rule"]) == (at(10, 29, 9), "9 working days")
    assert tip_off.advance(to=at(10, 19, 17)).fired == 0  # the nine days from intake no longer apply
    assert tip_off.advance(to=at(10, 29, 9, 0, 1)).fired == 1
    assert tip_off.task(wo, "handle_final").breached_at == at(10, 29, 9)
    tip_off.complete(wo, "explain2", delay_reason="等待电量数据", progress="数据已调取")
    tip_off.complete(wo, "handle_final", **FINAL)
    tip_off.complete(wo, "reply", **REPLY)
    tip_off.complete(wo, "callback", **SATISFIED)
    assert tip_off.work_order(wo).status == "closed"
    assert task_data(tip_off, wo, "callback")["interim_reply"] == "正在调取用电记录"


def test_anonymous_tip_off_without_a_phone_closes_after_the_finding_recording_why_no_callback(tip_off):
    wo = tip_off.open("tip_off", anonymous=True, allegation="extortion", summary="抄表员索要钱财",
                      no_contact_reason="匿名举报，未留联系方式")
    assert tip_off.work_order(wo).customer_name == ""
    tip_off.complete(wo, "handle", **FINDING)
    assert tip_off.work_order(wo).status == "closed"
    assert tip_off.path(wo)[-3:] == ["contact", "no_contact", "end_no_contact"]


def test_late_reply_and_callback_to_the_reporter_are_breaches(tip_off):
    wo = tip_off.open("tip_off", **REPORTER)
    tip_off.complete(wo, "handle", **FINDING)
    assert tip_off.advance(to=at(10, 9, 9)).fired == 1
    assert tip_off.task(wo, "reply").breached_at == at(10, 8, 16)
    tip_off.complete(wo, "reply", **REPLY)
    assert tip_off.task(wo, "callback").breached_at == at(10, 8, 16)
    tip_off.complete(wo, "callback", reached=False, attempts=3, unreachable_note="号码停机")
    assert tip_off.work_order(wo).status == "closed"
    assert {"end_reply_late", "end_callback_late", "end_unreachable"} <= set(tip_off.path(wo))


def test_an_unsatisfied_reporter_goes_to_discipline_inspection_who_may_close_with_an_explanation(tip_off):
    wo = tip_off.open("tip_off", **REPORTER)
    tip_off.complete(wo, "handle", **FINDING)
    tip_off.complete(wo, "reply", **REPLY)
    tip_off.complete(wo, "callback", reached=True, satisfaction="unsatisfied", opinion="处分太轻")
    assert tip_off.ready_names(wo) == [("review", "discipline")]
    tip_off.complete(wo, "review", decision="close", explanation="处分符合规定，已向举报人说明")
    assert tip_off.work_order(wo).status == "closed"
    assert tip_off.path(wo)[-2:] == ["decision", "end_explained"]


def test_an_unsatisfied_reporter_may_get_one_more_investigation_with_its_own_deadlines(tip_off):
    wo = tip_off.open("tip_off", **REPORTER)
    tip_off.complete(wo, "handle", **FINDING)
    tip_off.complete(wo, "reply", **REPLY)
    tip_off.complete(wo, "callback", reached=True, satisfaction="unsatisfied", opinion="还有其他人参与")
    tip_off.advance(to=at(10, 8, 9))
    tip_off.complete(wo, "review", decision="reinvestigate", explanation="举报人提供了新线索")
    again = tip_off.task(wo, "rehandle")
    assert (again.group_name, again.due_at) == ("discipline", at(10, 20, 9))
    assert tip_off.advance(to=at(10, 20, 9, 0, 1)).fired == 1
    assert tip_off.task(wo, "rehandle").breached_at == at(10, 20, 9)
    tip_off.complete(wo, "explain3", delay_reason="新线索涉及外单位", progress="已函询")
    tip_off.complete(wo, "rehandle", **FINAL)
    assert tip_off.task(wo, "reply_callback").group_name == "discipline"
    tip_off.complete(wo, "reply_callback", reply_summary="已告知复查结果", **SATISFIED)
    assert tip_off.work_order(wo).status == "closed"
    assert task_data(tip_off, wo, "record_outcome")["first_callback"]["opinion"] == "还有其他人参与"
    assert not identity_leaked(tip_off, wo)
