"""Field builders for optional and conditional answers, shared by the complaint, tip-off and application forms.

A browser submits an untouched input as ``""``; :class:`BlankMeansMissing` drops those so an
optional field takes its ``load_default`` and BPMN expressions can always name it.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from forms.validators import check_phone

SHANGHAI = ZoneInfo("Asia/Shanghai")
REQUIRED = "必填 / required"


class BlankMeansMissing(Schema):
    """A form whose blank inputs count as not given."""

    @pre_load
    def drop_blanks(self, data, **kwargs):
        """Remove ``""`` and ``None`` so optional fields fall back to their defaults."""
        if not isinstance(data, dict):
            return data
        return {k: v for k, v in data.items() if v not in ("", None)}


def optional_text(label_zh: str, label_en: str, *, long: bool = False, **meta) -> fields.String:
    """Free text that may stay empty (stored as ``""``)."""
    widget = {"widget": "textarea"} if long else {}
    return fields.String(
        load_default="",
        validate=validate.Length(max=5000 if long else 500),
        metadata={"label_zh": label_zh, "label_en": label_en, **widget, **meta},
    )


def optional_phone(label_zh: str, label_en: str, **meta) -> fields.String:
    """A phone number that may stay empty; when given it must be a valid Chinese number."""
    return fields.String(
        load_default="",
        validate=check_phone,
        metadata={"label_zh": label_zh, "label_en": label_en, "widget": "tel", **meta},
    )


def confirmed(label_zh: str, label_en: str) -> fields.Boolean:
    """A checkbox that must be ticked: the person attests they did it."""
    return fields.Boolean(
        required=True,
        validate=validate.Equal(True, error="必须确认 / must be confirmed"),
        metadata={"label_zh": label_zh, "label_en": label_en},
    )


def _not_in_future(value: datetime) -> None:
    moment = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    if moment > datetime.now(timezone.utc):
        raise ValidationError("不能晚于当前时间 / cannot be in the future")


def past_moment(label_zh: str, label_en: str) -> fields.DateTime:
    """When something already happened (naive input is Beijing time)."""
    return fields.DateTime(
        required=True,
        validate=_not_in_future,
        metadata={"label_zh": label_zh, "label_en": label_en, "widget": "datetime"},
    )


def checklist(label_zh: str, label_en: str, options: list[tuple[str, str, str]]) -> fields.List:
    """Any number of ``options`` — (value, zh label, en label) triples."""
    return fields.List(
        fields.String(validate=validate.OneOf([value for value, _zh, _en in options])),
        load_default=list,
        metadata={
            "label_zh": label_zh,
            "label_en": label_en,
            "widget": "checklist",
            "choices": [{"value": v, "label_zh": zh, "label_en": en} for v, zh, en in options],
        },
    )


def blank_required(data: dict, *names: str) -> dict[str, list[str]]:
    """Errors for each of ``names`` left empty, for conditional requirements in ``@validates_schema``."""
    return {name: [REQUIRED] for name in names if data.get(name) in (None, "", [])}


def check_caller_identity(data: dict) -> None:
    """Named callers give name and phone; without a phone, say why no callback is possible."""
    errors = {} if data.get("anonymous") else blank_required(data, "customer_name", "customer_phone")
    if not data.get("customer_phone"):
        errors.update(blank_required(data, "no_contact_reason"))
    if errors:
        raise ValidationError(errors)
