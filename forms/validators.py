"""Field validators and field builders shared by the flows' forms."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|95598)$")


def check_phone(value: str) -> None:
    """Accept a mainland mobile (11 digits) or a landline with area code."""
    if not _PHONE.match(value.replace(" ", "")):
        raise ValidationError("请输入有效的手机号或带区号的座机号 / Enter a valid mobile or landline number")


def text(label_zh: str, label_en: str, *, required: bool = True, max_length: int = 500, **meta) -> fields.String:
    """A trimmed text field with bilingual labels."""
    validators = [validate.Length(min=1 if required else 0, max=max_length)]
    return fields.String(
        required=required,
        validate=validators,
        metadata={"label_zh": label_zh, "label_en": label_en, **meta},
    )


def long_text(label_zh: str, label_en: str, *, required: bool = True, **meta) -> fields.String:
    """A multi-line text area."""
    return text(label_zh, label_en, required=required, max_length=5000, widget="textarea", **meta)


def phone(label_zh: str, label_en: str, *, required: bool = True) -> fields.String:
    """A Chinese phone number."""
    return fields.String(
        required=required,
        validate=check_phone,
        metadata={"label_zh": label_zh, "label_en": label_en, "widget": "tel"},
    )


def choice(label_zh: str, label_en: str, options: list[tuple[str, str, str]], *, required: bool = True) -> fields.String:
    """One of ``options`` — (value, zh label, en label) triples."""
    return fields.String(
        required=required,
        validate=validate.OneOf([value for value, _zh, _en in options]),
        metadata={
            "label_zh": label_zh,
            "label_en": label_en,
            "widget": "select",
            "choices": [{"value": v, "label_zh": zh, "label_en": en} for v, zh, en in options],
        },
    )


def flag(label_zh: str, label_en: str) -> fields.Boolean:
    """A yes/no checkbox."""
    return fields.Boolean(load_default=False, metadata={"label_zh": label_zh, "label_en": label_en})


def amount(label_zh: str, label_en: str, *, required: bool = True) -> fields.Decimal:
    """A money amount in yuan, two decimals, not negative."""
    return fields.Decimal(
        required=required,
        places=2,
        as_string=True,
        validate=validate.Range(min=0),
        metadata={"label_zh": label_zh, "label_en": label_en},
    )
