"""Forms of the arrears-reminder flow 欠费催交 (rules §5; art. 18, 17): ``processes/arrears_reminder.bpmn``.

The start form is filled by :func:`engine.arrears.submit_arrears_batch` from the billing
centre's batch, never typed by hand; it re-checks that the amounts add up.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from forms.optional import BlankMeansMissing, blank_required, optional_text
from forms.registry import register_form
from forms.validators import amount, choice, long_text, phone, text

CUSTOMER_KINDS = [
    ("residential", "居民客户", "Residential"),
    ("other", "其他客户", "Other (non-residential)"),
]
CHANNELS = [
    ("sms", "短信", "SMS"),
    ("outbound_call", "外拨电话", "Outbound call"),
]
CALL_OUTCOMES = [
    ("reached", "已接通并告知", "Reached and told"),
    ("no_answer", "无人接听", "No answer"),
    ("busy", "占线", "Busy"),
    ("powered_off", "关机/停机", "Phone off or suspended"),
    ("wrong_number", "空号/错号", "Wrong or dead number"),
]
FOLLOW_UPS = [
    ("written_notice", "书面催交通知", "Written notice"),
    ("visit", "上门催交", "Visit"),
    ("other", "其他方式", "Other means"),
]


@register_form("arrears_reminder.notice", "欠费催交数据", "Arrears to remind")
class ArrearsNotice(BlankMeansMissing):
    """One customer's arrears as the billing centre submits them (art. 18.2)."""

    customer_name = text("客户名称", "Customer name", max_length=128)
    customer_phone = phone("联系电话", "Contact phone")
    customer_address = text("用电地址", "Supply address", max_length=256)
    account_no = text("户号", "Account number", max_length=32)
    customer_kind = choice("客户类别", "Customer kind", CUSTOMER_KINDS)
    billing_months = text("电费发生年月", "Billing months", max_length=200)
    arrears = amount("欠费金额（元）", "Arrears (yuan)")
    late_fee = amount("截至当天违约金（元）", "Late fee as of the day (yuan)")
    late_fee_as_of = fields.Date(required=True, metadata={"label_zh": "违约金计算日", "label_en": "Late fee as of"})
    late_fee_method = long_text("违约金计算方法", "How the late fee was computed")
    late_fee_lines = fields.List(
        fields.Dict(), required=True, validate=validate.Length(min=1),
        metadata={"label_zh": "违约金明细", "label_en": "Late fee per month", "widget": "table"},
    )
    total = amount("总欠费额（元）", "Total owed (yuan)")
    pay_at = text("交费地点", "Where to pay", max_length=500)
    summary = text("摘要", "Summary", max_length=500)

    @validates_schema
    def check_total(self, data, **kwargs):
        """The total owed is the arrears plus the late fee."""
        if {"arrears", "late_fee", "total"} <= data.keys() and data["arrears"] + data["late_fee"] != data["total"]:
            raise ValidationError({"total": ["总欠费额应为欠费金额加违约金 / total must be arrears plus late fee"]})


@register_form("arrears_reminder.attempt", "催交通知", "Send the reminder")
class ReminderAttempt(BlankMeansMissing):
    """One attempt: an SMS (sent through the outbox) or an outbound call and its outcome (art. 18.3)."""

    channel = choice("方式", "Channel", CHANNELS)
    call_outcome = fields.String(
        load_default="",
        validate=validate.OneOf(["", *[v for v, _zh, _en in CALL_OUTCOMES]]),
        metadata={
            "label_zh": "外呼结果", "label_en": "Call outcome", "widget": "select",
            "choices": [{"value": v, "label_zh": zh, "label_en": en} for v, zh, en in CALL_OUTCOMES],
        },
    )
    note = optional_text("催交情况", "Note", long=True)

    @validates_schema
    def check_outcome(self, data, **kwargs):
        """A call has an outcome; an SMS has none (the outbox sends it)."""
        if data.get("channel") == "outbound_call":
            errors = blank_required(data, "call_outcome")
        elif data.get("call_outcome"):
            errors = {"call_outcome": ["短信无需外呼结果 / an SMS has no call outcome"]}
        else:
            errors = {}
        if errors:
            raise ValidationError(errors)


@register_form("arrears_reminder.billing_followup", "电费中心其他方式催交", "Billing centre follow-up")
class BillingFollowUp(BlankMeansMissing):
    """What the billing centre did after three unsuccessful calls (art. 18.4, 17.4)."""

    method = choice("催交方式", "Method", FOLLOW_UPS)
    result = long_text("催交结果", "Result")
