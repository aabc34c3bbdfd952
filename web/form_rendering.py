"""Render any registered form from its schema and read a submission back into schema input.

Templates get :func:`fields_of` (``forms.describe_form`` plus what the macros need); views
pass ``request.form`` through :func:`read_submission` and hand the result to an engine
service, which validates it with the same schema. Nothing here knows a particular form.
"""
from __future__ import annotations

import json

from flask_babel import gettext as _
from marshmallow import fields as mm
from werkzeug.datastructures import MultiDict

import forms
from web.i18n import bilingual

INPUT_TYPES = {"text": "text", "tel": "tel", "number": "text", "date": "date", "datetime": "datetime-local",
               "email": "email"}


def fields_of(key: str) -> list[dict]:
    """The form's fields for the macros: describe_form output plus ``multiple``, ``input_type``, ``default``."""
    if key not in forms.FORMS:
        return []
    schema_fields = forms.form_schema(key).fields
    described = []
    for field in forms.describe_form(key):
        source = schema_fields[field["name"]]
        multiple = isinstance(source, mm.List)
        kind = _kind(source, field)
        described.append({**field, "kind": kind, "multiple": multiple, "input_type": INPUT_TYPES.get(kind, "text"),
                          "decimal": isinstance(source, (mm.Decimal, mm.Float)), "default": _default(source)})
    return described


def _kind(source: mm.Field, field: dict) -> str:
    """The macro for a field: lists become checkboxes (with choices), JSON (of records) or lines."""
    if isinstance(source, mm.List):
        if field["choices"]:
            return "checkboxes"
        return "json" if isinstance(source.inner, (mm.Dict, mm.Nested)) else "lines"
    if isinstance(source, (mm.Dict, mm.Nested)):
        return "json"
    return field["kind"]


def _default(field: mm.Field) -> str | int | float | bool | None:
    """A plain ``load_default`` to prefill an empty form with (callables and "missing" give None)."""
    value = field.load_default
    return value if isinstance(value, (str, int, float, bool)) and value not in ("", False) else None


def read_submission(key: str, form: MultiDict) -> dict:
    """Schema input from posted form data: flags as booleans, lists as lists, JSON parsed, blanks left out."""
    values: dict = {}
    for field in fields_of(key):
        name = field["name"]
        kind = field["kind"]
        if kind == "checkbox":
            values[name] = name in form
        elif kind == "checkboxes":
            chosen = [v.strip() for v in form.getlist(name) if v.strip()]
            if chosen:
                values[name] = chosen
        elif kind == "lines":
            lines = [line.strip() for line in form.get(name, "").splitlines() if line.strip()]
            if lines:
                values[name] = lines
        elif kind == "json":
            text = form.get(name, "").strip()
            if text:
                values[name] = _json_or_text(text)
        else:
            value = form.get(name, "").strip()
            if value:
                values[name] = value
    return values


def _json_or_text(text: str):
    """Parsed JSON, or the text itself so the schema reports it as the wrong type."""
    try:
        return json.loads(text)
    except ValueError:
        return text


_MARSHMALLOW = {
    "Missing data for required field.": lambda: _("This field is required."),
    "Field may not be null.": lambda: _("This field is required."),
    "Not a valid number.": lambda: _("Enter a number."),
    "Not a valid integer.": lambda: _("Enter a whole number."),
    "Not a valid datetime.": lambda: _("Enter a date and time."),
    "Not a valid date.": lambda: _("Enter a date."),
    "Not a valid boolean.": lambda: _("Tick or untick the box."),
    "Unknown field.": lambda: _("This field is not part of the form."),
    "Not a valid list.": lambda: _("Enter the rows as JSON: a list of objects."),
    "Not a valid mapping type.": lambda: _("Enter a JSON object."),
}


def _message(text: str) -> str:
    known = _MARSHMALLOW.get(text)
    if known:
        return known()
    if text.startswith("Must be one of"):
        return _("Choose one of the listed options.")
    if text == "Shorter than minimum length 1.":
        return _("This field is required.")
    if text.startswith("Length must be between") or text.startswith(("Shorter than", "Longer than")):
        return _("The text is too long or too short.")
    if text.startswith("Must be greater than or equal to"):
        return _("The value is too small.")
    return bilingual(text)


def field_errors(errors: dict) -> dict[str, list[str]]:
    """Flatten marshmallow's messages to ``field → [message, ...]`` in the current language."""
    flat: dict[str, list[str]] = {}
    for name, messages in (errors or {}).items():
        flat[name] = [_message(m) for m in _strings(messages)]
    return flat


def _strings(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _strings(value)]
    return [m for value in messages for m in _strings(value)]
