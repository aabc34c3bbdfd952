"""Read-side checks shared by the complaint, tip-off and power-application flow tests.

They read what the harness cannot show directly: the data a given step recorded and the
messages in the outbox by kind. (Diagram layout checks live in ``diagram_layout.py``.)
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from engine.testing import FlowHarness
from tests.processes.task_history import data_after

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, *, year: int = 2026) -> datetime:
    """A Beijing-time instant (2026 unless told), as the rules state deadlines."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def task_data(flow: FlowHarness, work_order_id: int, bpmn_id: str) -> dict:
    """The data as it stood when the latest completion of ``bpmn_id`` finished."""
    return data_after(flow, work_order_id, bpmn_id)


def notices(flow: FlowHarness, work_order_id: int, group: str) -> list[str]:
    """Bodies of the notices queued for ``group``."""
    return [m.body for m in flow.outbox(work_order_id) if m.channel == "notice" and m.recipient == f"group:{group}"]


def texts(flow: FlowHarness, work_order_id: int) -> list[tuple[str, str]]:
    """``(phone, body)`` of each SMS queued for the work order."""
    return [(m.recipient, m.body) for m in flow.outbox(work_order_id) if m.channel == "sms"]
