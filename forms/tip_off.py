"""Forms of the tip-off flow 举报 (rules §3; art. 15.8, 15.12, 21.8, 28): ``processes/tip_off.bpmn``.

The reporter's identity fields are sealed (``metadata={"sealed": True}``): the engine masks
them in work-order columns and every read path outside discipline inspection and auditors
redacts them (``engine.confidentiality``). That is why every step after intake, reply and
callback included, sits in the ``discipline`` lane.
"""
from __future__ import annotations

from marshmallow import validates_schema

from forms.complaint import DelayExplanation, DepartmentFinal, DepartmentResult, ReplyAndCallback
from forms.optional import BlankMeansMissing, check_caller_identity, optional_phone, optional_text
from forms.registry import register_form
from forms.survey import CallbackSurvey
from forms.validators import choice, flag, long_text

ALLEGATIONS = [
    ("theft_assistance", "协助窃电", "Helping electricity theft"),
    ("unfair_theft_handling", "查处窃电不公", "Unfair handling of electricity theft"),
    ("bribery", "受贿", "Taking bribes"),
    ("extortion", "敲诈勒索", "Extortion"),
    ("other_abuse", "其他以权谋私", "Other abuse of position"),
]
DECISIONS = [
    ("reinvestigate", "重新调查", "Investigate again"),
    ("close", "解释后结案", "Close with an explanation"),
]
SEALED = {"sealed": True, "help_zh": "保密：仅纪检监察与审计可见", "help_en": "Confidential: discipline inspection and auditors only"}


@register_form("tip_off.intake", "受理举报", "Record a tip-off")
class TipOffIntake(BlankMeansMissing):
    """The report and, unless anonymous, the reporter's sealed identity (art. 15.12)."""

    anonymous = flag("匿名举报", "Anonymous tip-off")
    customer_name = optional_text("举报人姓名", "Reporter's name", **SEALED)
    customer_phone = optional_phone("举报人电话", "Reporter's phone", **SEALED)
    customer_address = optional_text("举报人地址", "Reporter's address", **SEALED)
    allegation = choice("举报类别", "What is alleged", ALLEGATIONS)
    accused = optional_text("被举报人员 / 单位", "Staff member or unit reported")
    summary = long_text("举报内容（详细记录）", "The report in detail")
    no_contact_reason = optional_text("无法回访的原因", "Why no callback is possible", long=True)

    @validates_schema
    def check_identity(self, data, **kwargs):
        check_caller_identity(data)


@register_form("tip_off.review", "举报人不满意处理", "Decide on an unsatisfied reporter")
class TipOffReview(BlankMeansMissing):
    """Discipline inspection investigates once more, or closes with an explanation."""

    decision = choice("处理决定", "Decision", DECISIONS)
    explanation = long_text("决定理由 / 向举报人的解释", "Reason, and the explanation to the reporter")


register_form("tip_off.investigation", "调查处理", "Investigation")(DepartmentResult)
register_form("tip_off.investigation_final", "调查办结", "Investigation final result")(DepartmentFinal)
register_form("tip_off.delay_explanation", "超期说明", "Explain the missed deadline")(DelayExplanation)
register_form("tip_off.callback", "回访举报人", "Call the reporter back")(CallbackSurvey)
register_form("tip_off.reply_and_callback", "答复并回访举报人", "Reply to and call the reporter back")(ReplyAndCallback)


@register_form("tip_off.reply", "答复举报人", "Reply to the reporter")
class ReporterReply(BlankMeansMissing):
    """Discipline inspection tells the reporter the outcome itself, so the number never leaves it."""

    reached = flag("已联系到举报人", "Reporter reached")
    reply_summary = long_text("答复内容", "What the reporter was told")
