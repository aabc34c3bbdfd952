"""Forms used by the small test diagram in ``tests/engine/bpmn/ticket.bpmn``."""
from pathlib import Path

import pytest
from marshmallow import Schema

from forms import register_form
from forms.validators import choice, flag, long_text, phone, text

TICKET_BPMN = Path(__file__).parent / "bpmn" / "ticket.bpmn"


@register_form("test.intake", "测试受理", "Test intake")
class TestIntake(Schema):
    customer_name = text("客户姓名", "Customer name")
    customer_phone = phone("联系电话", "Phone")
    summary = long_text("内容", "Summary")


@register_form("test.handle", "部门处理", "Department handling")
class TestHandle(Schema):
    result = long_text("处理结果", "Result")
    needs_visit = flag("需上门", "Needs a visit")
    category = choice("类别", "Category", [("billing", "电费", "Billing"), ("quality", "质量", "Quality")], required=False)


@register_form("test.reply", "回复客户", "Reply")
class TestReply(Schema):
    reply = long_text("回复内容", "Reply")


@pytest.fixture
def ticket(flow):
    """The harness with the test diagram deployed."""
    flow.deploy(TICKET_BPMN)
    return flow


INTAKE = {"customer_name": "张三", "customer_phone": "13800138000", "summary": "电费异常"}
