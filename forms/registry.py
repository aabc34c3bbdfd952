"""The form-key registry shared by the engine (validation) and the web UI (rendering)."""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, fields


@dataclass(frozen=True)
class FormDefinition:
    """A form key, its titles and the schema that validates what a user submits."""

    key: str
    title_zh: str
    title_en: str
    schema: type[Schema]


FORMS: dict[str, FormDefinition] = {}


def register_form(key: str, title_zh: str, title_en: str):
    """Register a schema class under a form key (used as a class decorator)."""

    def decorate(schema: type[Schema]) -> type[Schema]:
        FORMS[key] = FormDefinition(key, title_zh, title_en, schema)
        return schema

    return decorate


def form_schema(key: str) -> Schema:
    """Return a new schema instance for ``key``; KeyError if the form does not exist."""
    return FORMS[key].schema()


def describe_form(key: str) -> list[dict]:
    """Describe the fields of a form so a template can render it without knowing the schema."""
    described = []
    for name, field in form_schema(key).fields.items():
        if field.dump_only:
            continue
        meta = field.metadata
        choices = meta.get("choices")
        described.append(
            {
                "name": name,
                "kind": meta.get("widget") or _kind_of(field),
                "label_zh": meta.get("label_zh", name),
                "label_en": meta.get("label_en", name),
                "help_zh": meta.get("help_zh", ""),
                "help_en": meta.get("help_en", ""),
                "required": field.required,
                "choices": choices or [],
            }
        )
    return described


def _kind_of(field: fields.Field) -> str:
    if isinstance(field, fields.Boolean):
        return "checkbox"
    if isinstance(field, (fields.Integer, fields.Decimal, fields.Float)):
        return "number"
    if isinstance(field, fields.DateTime):
        return "datetime"
    if isinstance(field, fields.Date):
        return "date"
    return "text"
