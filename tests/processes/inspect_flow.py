"""Read-side checks shared by the complaint, tip-off and power-application flow tests.

They read what the harness cannot show directly: the data a given step recorded, the
messages in the outbox by kind, and whether a diagram's layout (DI) is one a person can read.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree
from SpiffWorkflow.util.task import TaskState

from engine.deployment import NS
from engine.runtime import load_step
from engine.testing import FlowHarness

DI = {**NS, "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
FLOW_NODES = ("startEvent", "endEvent", "userTask", "scriptTask", "exclusiveGateway", "boundaryEvent")


def at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, *, year: int = 2026) -> datetime:
    """A Beijing-time instant (2026 unless told), as the rules state deadlines."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def task_data(flow: FlowHarness, work_order_id: int, bpmn_id: str) -> dict:
    """The data as it stood when the latest completion of ``bpmn_id`` finished."""
    with flow.db.reading() as session:
        workflow = load_step(session, work_order_id, "system", lock=False).workflow
        done = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id == bpmn_id]
        assert done, f"{bpmn_id} has not completed"
        return dict(max(done, key=lambda t: t.last_state_change).data)


def notices(flow: FlowHarness, work_order_id: int, group: str) -> list[str]:
    """Bodies of the notices queued for ``group``."""
    return [m.body for m in flow.outbox(work_order_id) if m.channel == "notice" and m.recipient == f"group:{group}"]


def texts(flow: FlowHarness, work_order_id: int) -> list[tuple[str, str]]:
    """``(phone, body)`` of each SMS queued for the work order."""
    return [(m.recipient, m.body) for m in flow.outbox(work_order_id) if m.channel == "sms"]


def layout_problems(path: Path) -> list[str]:
    """What would make the diagram hard to read: shapes outside their lane, overlaps, loose edges."""
    root = etree.parse(str(path)).getroot()
    process = root.find("bpmn:process", NS)
    bounds = {s.get("bpmnElement"): _bounds(s) for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    lane_of = {ref.text: lane.get("id") for lane in process.iterfind(".//bpmn:lane", NS)
               for ref in lane.findall("bpmn:flowNodeRef", NS)}
    nodes = {e.get("id"): etree.QName(e).localname for e in process if etree.QName(e).localname in FLOW_NODES}
    hosts = {e.get("id"): e.get("attachedToRef") for e in process.iterfind("bpmn:boundaryEvent", NS)}
    problems = []
    for node, kind in nodes.items():
        lane = bounds[lane_of[node]]
        if not _inside(_centre(bounds[node]), lane):
            problems.append(f"{node} is drawn outside its lane {lane_of[node]}")
    plain = [n for n in nodes if n not in hosts]
    for i, a in enumerate(plain):
        for b in plain[i + 1:]:
            if _overlap(bounds[a], bounds[b]):
                problems.append(f"{a} overlaps {b}")
    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        edge = root.find(f".//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", NS)
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", DI)]
        if not _on_border(points[0], bounds[flow.get("sourceRef")]) or not _on_border(points[-1], bounds[flow.get("targetRef")]):
            problems.append(f"{flow.get('id')} does not start at its source and end at its target")
        if any(p[0] != q[0] and p[1] != q[1] for p, q in zip(points, points[1:])):
            problems.append(f"{flow.get('id')} has a slanted segment")
    return problems


def _bounds(shape) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", DI)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def _centre(b):
    return b[0] + b[2] / 2, b[1] + b[3] / 2


def _inside(point, b) -> bool:
    return b[0] <= point[0] <= b[0] + b[2] and b[1] <= point[1] <= b[1] + b[3]


def _overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _on_border(point, b, tolerance: float = 1.0) -> bool:
    x, y = point
    within_x = b[0] - tolerance <= x <= b[0] + b[2] + tolerance
    within_y = b[1] - tolerance <= y <= b[1] + b[3] + tolerance
    on_vertical = abs(x - b[0]) <= tolerance or abs(x - b[0] - b[2]) <= tolerance
    on_horizontal = abs(y - b[1]) <= tolerance or abs(y - b[1] - b[3]) <= tolerance
    return within_x and within_y and (on_vertical or on_horizontal)
