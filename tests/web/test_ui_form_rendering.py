"""Any schema renders and reads back: flags, choices, checklists, line lists and JSON tables."""
from __future__ import annotations

from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from forms import register_form
from forms.validators import amount, choice, flag, text
from web.form_rendering import field_errors, fields_of, read_submission

COLOURS = [("red", "红", "Red"), ("blue", "蓝", "Blue")]


@register_form("webtest.kinds", "各种字段", "Every kind of field")
class EveryKind(Schema):
    name = text("姓名", "Name")
    urgent = flag("紧急", "Urgent")
    colour = choice("颜色", "Colour", COLOURS)
    colours = fields.List(fields.String(validate=validate.OneOf(["red", "blue"])), load_default=list, metadata={
        "label_zh": "多选", "label_en": "Several", "widget": "checklist",
        "choices": [{"value": v, "label_zh": zh, "label_en": en} for v, zh, en in COLOURS]})
    meters = fields.List(fields.String(), load_default=list, metadata={"label_zh": "表号", "label_en": "Meters"})
    lines = fields.List(fields.Dict(), required=True, metadata={"label_zh": "明细", "label_en": "Lines", "widget": "table"})
    fee = amount("金额", "Fee", required=False)


def test_each_field_gets_the_widget_its_type_needs():
    kinds = {f["name"]: f["kind"] for f in fields_of("webtest.kinds")}
    assert kinds == {"name": "text", "urgent": "checkbox", "colour": "select", "colours": "checkboxes",
                     "meters": "lines", "lines": "json", "fee": "number"}


def test_a_submission_reads_back_as_schema_input():
    form = MultiDict([("name", " 张三 "), ("colour", "red"), ("colours", "red"), ("colours", "blue"),
                      ("meters", "A1\n\n B2 "), ("lines", '[{"month": "2026-08", "fee": "1.20"}]'), ("fee", "")])
    assert read_submission("webtest.kinds", form) == {
        "name": "张三", "urgent": False, "colour": "red", "colours": ["red", "blue"], "meters": ["A1", "B2"],
        "lines": [{"month": "2026-08", "fee": "1.20"}],
    }


def test_bad_json_comes_back_as_an_error_on_its_field(app):
    values = read_submission("webtest.kinds", MultiDict([("name", "x"), ("colour", "red"), ("lines", "not json")]))
    assert values["lines"] == "not json"
    from forms import form_schema

    errors = form_schema("webtest.kinds").validate(values)
    with app.test_request_context("/"):
        assert field_errors(errors) == {"lines": ["请按 JSON 格式填写明细：由对象组成的列表。"]}


def test_the_macros_render_every_kind(app):
    with app.test_request_context("/"):
        render = app.jinja_env.get_template("macros/form.html").module.render_fields
        html = str(render(fields_of("webtest.kinds"), {"meters": ["A1", "B2"], "lines": [{"月份": "八月"}]}, {}))
    assert '<input type="checkbox" name="colours" value="blue"' in html
    assert "A1\nB2</textarea>" in html and "每行一项" in html
    assert "&#34;月份&#34;: &#34;八月&#34;" in html, "JSON is shown readable (Chinese kept) and escaped"
    assert 'inputmode="decimal"' in html
