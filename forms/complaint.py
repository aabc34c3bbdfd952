"""Forms of the complaint flow 投诉 (rules §2; art. 15, 21.8, 28): ``processes/complaint.bpmn``."""
from __future__ import annotations

from marshmallow import ValidationError, validates_schema

from forms.optional import BlankMeansMissing, check_caller_identity, optional_phone, optional_text
from forms.registry import register_form
from forms.survey import CallbackSurvey
from forms.validators import choice, flag, long_text, text

# Every category is owned by the business lane; the diagram's routing script maps it to the sub-unit.
CATEGORIES = [
    ("billing_metering", "抄表收费", "Billing / meter reading"),
    ("tariff", "电价", "Tariff"),
    ("supply_quality", "供电质量", "Supply quality"),
    ("outage", "停电", "Outages"),
    ("staff_attitude", "员工服务态度", "Staff attitude"),
    ("other", "其他", "Other"),
]
RESULT_TYPES = [
    ("final", "办结（最终结果）", "Final result"),
    ("interim", "阶段性答复（未办结）", "Interim reply (not finished)"),
]
FINDINGS = [
    ("substantiated", "属实", "Substantiated"),
    ("partly_substantiated", "部分属实", "Partly substantiated"),
    ("unsubstantiated", "不属实", "Unsubstantiated"),
]
DECISIONS = [
    ("rehandle", "退回部门重新处理", "Return to the department to handle again"),
    ("close", "解释后结案", "Close with an explanation"),
]


@register_form("complaint.intake", "受理投诉", "Record a complaint")
class ComplaintIntake(BlankMeansMissing):
    """What the agent records while the customer is on the line (art. 15.6, 15.9)."""

    anonymous = flag("匿名投诉", "Anonymous complaint")
    customer_name = optional_text("客户姓名", "Customer name")
    customer_phone = optional_phone("联系电话", "Contact phone")
    customer_address = optional_text("用电地址", "Supply address")
    category = choice("投诉类别", "Category", CATEGORIES)
    summary = long_text("投诉内容（详细记录）", "The complaint in detail")
    customer_demand = optional_text("客户诉求", "What the customer asks for", long=True)
    no_contact_reason = optional_text("无法回访的原因", "Why no callback is possible", long=True)

    @validates_schema
    def check_identity(self, data, **kwargs):
        check_caller_identity(data)


@register_form("complaint.department_result", "部门处理", "Department handling")
class DepartmentResult(BlankMeansMissing):
    """The department's answer: the final result, or an interim reply when it cannot finish in time (art. 28)."""

    result_type = choice("答复类型", "Kind of answer", RESULT_TYPES)
    handler = text("承办人", "Handled by")
    result = long_text("处理结果 / 阶段性答复内容", "Result, or the interim reply")
    finding = choice("核查结论", "Finding", FINDINGS, required=False)
    measures = optional_text("整改措施", "Corrective measures", long=True)

    @validates_schema
    def check_final(self, data, **kwargs):
        """A final result must state whether the complaint was substantiated."""
        if data.get("result_type") == "final" and not data.get("finding"):
            raise ValidationError({"finding": ["办结时必填 / required for a final result"]})


@register_form("complaint.department_final", "部门办结", "Department final result")
class DepartmentFinal(BlankMeansMissing):
    """A final result after an interim reply, or after the shift lead returned the complaint."""

    handler = text("承办人", "Handled by")
    result = long_text("处理结果", "Result")
    finding = choice("核查结论", "Finding", FINDINGS)
    measures = optional_text("整改措施", "Corrective measures", long=True)


@register_form("complaint.delay_explanation", "超期说明", "Explain the missed deadline")
class DelayExplanation(BlankMeansMissing):
    """Why the department missed its deadline, and the progress the customer is to be told."""

    delay_reason = long_text("超期原因", "Why the deadline was missed")
    progress = long_text("目前进展（阶段性答复）", "Progress so far (interim reply)")


@register_form("complaint.reply", "答复客户", "Reply to the customer")
class CustomerReply(BlankMeansMissing):
    """The call centre tells the customer the department's result (art. 15.11)."""

    reached = flag("已联系到客户", "Customer reached")
    reply_summary = long_text("答复内容", "What the customer was told")


@register_form("complaint.review", "不满意处理", "Decide on an unsatisfied customer")
class DissatisfactionReview(BlankMeansMissing):
    """The shift lead returns the complaint to the department once, or closes it with an explanation."""

    decision = choice("处理决定", "Decision", DECISIONS)
    explanation = long_text("决定理由 / 向客户的解释", "Reason, and the explanation to the customer")


register_form("complaint.callback", "回访", "Callback")(CallbackSurvey)


@register_form("complaint.reply_and_callback", "答复并回访", "Reply and callback")
class ReplyAndCallback(CallbackSurvey):
    """After a re-handling the agent gives the new result and takes the survey in one call."""

    reply_summary = optional_text("答复内容", "What the customer was told", long=True)

    @validates_schema
    def check_reply(self, data, **kwargs):
        """A reached customer must have been told the new result."""
        if data.get("reached") and not data.get("reply_summary"):
            raise ValidationError({"reply_summary": ["必填 / required"]})
