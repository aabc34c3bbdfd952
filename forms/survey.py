"""The callback (回访) survey every complaint, tip-off and power application ends with (art. 21.8, 21.10).

Each flow registers :class:`CallbackSurvey` under its own form key; the answers land in the
work order's data as ``reached``, ``satisfaction``, ``opinion`` and ``unreachable_note``.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from forms.optional import BlankMeansMissing, blank_required, optional_text
from forms.validators import flag

SATISFACTION = [
    ("satisfied", "满意", "Satisfied"),
    ("basically_satisfied", "基本满意", "Basically satisfied"),
    ("unsatisfied", "不满意", "Unsatisfied"),
]


class CallbackSurvey(BlankMeansMissing):
    """Whether the customer was reached, how satisfied they are, and their opinion in their words."""

    reached = flag("已联系到客户", "Customer reached")
    attempts = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=10),
        metadata={"label_zh": "呼出次数", "label_en": "Call attempts"},
    )
    satisfaction = fields.String(
        load_default="",
        validate=validate.OneOf(["", *[v for v, _zh, _en in SATISFACTION]]),
        metadata={
            "label_zh": "满意度", "label_en": "Satisfaction", "widget": "select",
            "choices": [{"value": v, "label_zh": zh, "label_en": en} for v, zh, en in SATISFACTION],
        },
    )
    opinion = optional_text("客户意见（如实记录）", "Customer's opinion (verbatim)", long=True)
    unreachable_note = optional_text("未联系上的情况", "Why the customer could not be reached", long=True)

    @validates_schema
    def check_outcome(self, data, **kwargs):
        """A reached customer gives a satisfaction and an opinion; an unreached one needs a note."""
        needed = ("satisfaction", "opinion") if data.get("reached") else ("unreachable_note",)
        errors = blank_required(data, *needed)
        if errors:
            raise ValidationError(errors)
