"""Forms of the fault-repair flow 故障报修 (rules §1; art. 12, 25, 21.7, 21.11): ``processes/fault_repair.bpmn``."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate, validates_schema

from forms.optional import BlankMeansMissing, blank_required, optional_text, past_moment
from forms.registry import register_form
from forms.survey import CallbackSurvey
from forms.validators import choice, flag, long_text, phone, text

AREA_CLASSES = [
    ("urban", "城区", "Urban"),
    ("suburban", "郊区", "Suburban"),
    ("remote", "边远地区", "Remote"),
    ("special_remote", "特殊边远地区", "Special remote"),
]
OWNERSHIP = [
    ("customer_internal", "客户产权内部故障", "Customer-owned internal fault"),
    ("utility_fault", "供电设施故障", "Utility equipment fault"),
    ("known_outage", "已知计划/故障停电", "Known planned or accidental outage"),
]
OUTAGE_KINDS = [
    ("planned", "计划停电（检修）", "Planned outage (maintenance)"),
    ("accidental", "故障停电（事故）", "Accidental outage"),
]
WORK_ORDER_NUMBER = re.compile(r"^GZ\d{14}$")
NUMBER_HELP = "报修工单号，如 GZ20260930000012 / a fault-repair work-order number such as GZ20260930000012"


def _check_number(value: str) -> None:
    if value and not WORK_ORDER_NUMBER.match(value):
        raise ValidationError(NUMBER_HELP)


def _check_numbers(value: str) -> None:
    bad = [n for n in re.split(r"[\s,，]+", value) if n and not WORK_ORDER_NUMBER.match(n)]
    if bad:
        raise ValidationError(f"{'、'.join(bad)}：{NUMBER_HELP}")


def _optional_choice(label_zh: str, label_en: str, options: list[tuple[str, str, str]]) -> fields.String:
    """A select that may stay empty (stored as ``""``) so conditions can always name it."""
    return fields.String(
        load_default="",
        validate=validate.OneOf(["", *[v for v, _zh, _en in options]]),
        metadata={
            "label_zh": label_zh, "label_en": label_en, "widget": "select",
            "choices": [{"value": v, "label_zh": zh, "label_en": en} for v, zh, en in options],
        },
    )


def _minutes(label_zh: str, label_en: str, *, required: bool) -> fields.Integer:
    """A duration in whole minutes, up to a week."""
    return fields.Integer(
        required=required,
        load_default=None if not required else fields.missing_,
        validate=validate.Range(min=1, max=7 * 24 * 60),
        metadata={"label_zh": label_zh, "label_en": label_en},
    )


@register_form("fault_repair.intake", "故障报修受理", "Record a fault call")
class FaultIntake(BlankMeansMissing):
    """What the agent records on the call (art. 12.4)."""

    customer_name = text("客户姓名", "Customer name", max_length=128)
    customer_phone = phone("联系电话", "Contact phone")
    customer_address = text("用电地点", "Supply address", max_length=256)
    summary = long_text("故障现象", "Fault symptom")
    area_class = choice("区域类别", "Area class", AREA_CLASSES)
    link_to = fields.String(
        load_default="",
        validate=_check_number,
        metadata={"label_zh": "并入已有抢修工单", "label_en": "Link to an open repair job", "help_zh": NUMBER_HELP},
    )


@register_form("fault_repair.ownership", "判断产权与停电原因", "Judge ownership")
class OwnershipJudgement(BlankMeansMissing):
    """Customer-owned fault, utility fault or a known outage, and what the customer was told (art. 12.5, 12.6)."""

    ownership = choice("判断结果", "Judgement", OWNERSHIP)
    explanation = long_text("告知客户的内容（原因、致歉或服务范围说明）", "What the customer was told")
    paid_repair = flag("客户要求有偿抢修", "Customer asks for a paid repair")
    paid_fee = fields.Decimal(
        load_default=None, places=2, as_string=True, validate=validate.Range(min=0, min_inclusive=False),
        metadata={"label_zh": "已告知的收费（元）", "label_en": "Fee stated to the customer (yuan)"},
    )
    fee_consent = flag("客户已同意收费", "Customer agreed to the fee")
    outage_kind = _optional_choice("停电类型", "Kind of outage", OUTAGE_KINDS)
    new_fault = flag("属于新的故障，需要派工", "A new fault that needs a crew")

    @validates_schema
    def check_judgement(self, data, **kwargs):
        """A paid repair needs the stated fee and consent; a known outage needs its kind."""
        errors: dict[str, list[str]] = {}
        ownership = data.get("ownership")
        if data.get("paid_repair"):
            if ownership != "customer_internal":
                errors["paid_repair"] = ["仅客户产权内部故障可有偿抢修 / only customer-owned faults take a paid repair"]
            errors.update(blank_required(data, "paid_fee"))
            if not data.get("fee_consent"):
                errors["fee_consent"] = ["须先告知收费并经客户同意 / state the fee and get the customer's consent first"]
        if ownership == "known_outage":
            errors.update(blank_required(data, "outage_kind"))
        elif data.get("new_fault"):
            errors["new_fault"] = ["仅用于已知停电 / only for a known outage"]
        if errors:
            raise ValidationError(errors)


@register_form("fault_repair.dispatch", "派工", "Dispatch a crew")
class Dispatch(BlankMeansMissing):
    """The dispatch the duty desk returns to the call centre (art. 12.7)."""

    crew_leader = text("抢修工作负责人", "Crew leader", max_length=64)
    crew_phone = phone("负责人联系电话", "Crew leader's phone")
    departure_time = fields.DateTime(
        required=True, metadata={"label_zh": "出发时间", "label_en": "Departure time", "widget": "datetime"},
    )
    dispatch_note = optional_text("派工说明", "Dispatch note", long=True)


@register_form("fault_repair.arrival", "到达现场", "Report arrival")
class Arrival(BlankMeansMissing):
    """The crew is on site; the 30-minute report clock starts now (art. 25.7)."""

    arrival_note = optional_text("到达情况", "Arrival note")


@register_form("fault_repair.crew_report", "现场反馈", "On-site report")
class CrewReport(BlankMeansMissing):
    """Cause, crew location and estimated duration, within 30 minutes of arrival (art. 25.7)."""

    fault_cause = long_text("故障原因", "Fault cause")
    crew_location = text("抢修人员所在地点", "Crew location", max_length=256)
    estimated_minutes = _minutes("预计抢修时长（分钟）", "Estimated repair time (minutes)", required=True)


@register_form("fault_repair.progress", "抢修进展", "Repair progress")
class Progress(BlankMeansMissing):
    """One status update while the repair runs; the last one says the fault is cleared (art. 12.9, 25.7)."""

    repaired = flag("故障已排除", "Fault cleared")
    status = long_text("进展情况", "Status")
    estimated_minutes_left = _minutes("预计还需（分钟）", "Estimated minutes left", required=False)


@register_form("fault_repair.completion", "抢修结果反馈", "Completion report")
class Completion(BlankMeansMissing):
    """Main fault, repair result and power-restored time (art. 12.10)."""

    main_fault = long_text("主要故障", "Main fault")
    repair_result = long_text("抢修结果", "Repair result")
    power_restored_at = past_moment("送电时间", "Power restored at")


@register_form("fault_repair.callback_plan", "编制回访计划", "Plan callbacks")
class CallbackPlan(BlankMeansMissing):
    """The shift lead's picks; the process tops them up to the minimum, different addresses first (art. 21.7)."""

    selected_numbers = fields.String(
        load_default="",
        validate=_check_numbers,
        metadata={
            "label_zh": "选定回访的报修工单号（空格或逗号分隔，可留空由系统按地址分散选取）",
            "label_en": "Work orders to call back (space or comma separated; empty = spread automatically)",
            "widget": "textarea",
        },
    )
    plan_note = optional_text("计划说明", "Plan note", long=True)


@register_form("fault_repair.callback", "故障报修回访", "Fault-repair callback")
class FaultCallback(CallbackSurvey):
    """One caller's callback: reached, satisfaction and opinion (art. 21.7, 21.11)."""
