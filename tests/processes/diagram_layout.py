"""Readability checks on a diagram's DI, sub-processes included: what a modeller would open and see.

Deployment already proves every element has a shape or edge; these checks add that the
picture is readable: shapes sit in their lane and inside their sub-process, siblings do not
overlap, and every edge runs orthogonally from its source's border to its target's border.
"""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from engine.deployment import NS

DI_NS = {**NS, "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
NODE_KINDS = {"startEvent", "endEvent", "userTask", "scriptTask", "exclusiveGateway", "parallelGateway",
              "boundaryEvent", "intermediateCatchEvent", "subProcess"}


def layout_report(path: Path) -> list[str]:
    """Every readability problem of the diagram at ``path``; empty means it reads cleanly."""
    root = etree.parse(str(path)).getroot()
    process = root.find("bpmn:process", DI_NS)
    bounds = {s.get("bpmnElement"): _bounds(s) for s in root.iterfind(".//bpmndi:BPMNShape", DI_NS)}
    lane_of = {ref.text: lane.get("id") for lane in process.iterfind(".//bpmn:lane", DI_NS)
               for ref in lane.findall("bpmn:flowNodeRef", DI_NS)}
    problems = []
    hosts = {e.get("id"): e.get("attachedToRef") for e in process.iterfind(".//bpmn:boundaryEvent", DI_NS)}
    obstacles = {e.get("id"): bounds[e.get("id")] for e in process.iter()
                 if isinstance(e.tag, str) and etree.QName(e).localname in NODE_KINDS - {"subProcess"} and e.get("id") in bounds}
    containers = [process, *process.iterfind(".//bpmn:subProcess", DI_NS)]
    for container in containers:
        nodes = [e for e in container if etree.QName(e).localname in NODE_KINDS]
        for node in nodes:
            node_id = node.get("id")
            if node_id not in bounds:
                problems.append(f"{node_id} has no shape")
                continue
            if not _inside(_centre(bounds[node_id]), bounds[lane_of[node_id]]):
                problems.append(f"{node_id} is drawn outside its lane {lane_of[node_id]}")
            if container is not process and not _inside(_centre(bounds[node_id]), bounds[container.get("id")]):
                problems.append(f"{node_id} is drawn outside its sub-process {container.get('id')}")
        plain = [n.get("id") for n in nodes if etree.QName(n).localname != "boundaryEvent"]
        for i, a in enumerate(plain):
            for b in plain[i + 1:]:
                if _overlap(bounds[a], bounds[b]):
                    problems.append(f"{a} overlaps {b}")
    for flow in process.iterfind(".//bpmn:sequenceFlow", DI_NS):
        edge = root.find(f".//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", DI_NS)
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", DI_NS)]
        if not (_on_border(points[0], bounds[flow.get("sourceRef")]) and _on_border(points[-1], bounds[flow.get("targetRef")])):
            problems.append(f"{flow.get('id')} does not run from its source's border to its target's")
        if any(p[0] != q[0] and p[1] != q[1] for p, q in zip(points, points[1:])):
            problems.append(f"{flow.get('id')} has a slanted segment")
        ends = {flow.get("sourceRef"), flow.get("targetRef"), hosts.get(flow.get("sourceRef"))}
        for other, box in obstacles.items():
            if other not in ends and any(_crosses(p, q, box) for p, q in zip(points, points[1:])):
                problems.append(f"{flow.get('id')} runs through {other}")
    return problems


def _crosses(p, q, b) -> bool:
    """Whether an axis-parallel segment enters the interior of box ``b``."""
    (x1, y1), (x2, y2) = p, q
    left, top, right, bottom = b[0], b[1], b[0] + b[2], b[1] + b[3]
    if y1 == y2:
        return top < y1 < bottom and min(x1, x2) < right and max(x1, x2) > left
    return left < x1 < right and min(y1, y2) < bottom and max(y1, y2) > top


def _bounds(shape) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", DI_NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def _centre(b) -> tuple[float, float]:
    return b[0] + b[2] / 2, b[1] + b[3] / 2


def _inside(point, b) -> bool:
    return b[0] <= point[0] <= b[0] + b[2] and b[1] <= point[1] <= b[1] + b[3]


def _overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _on_border(point, b, tolerance: float = 1.0) -> bool:
    x, y = point
    within = b[0] - tolerance <= x <= b[0] + b[2] + tolerance and b[1] - tolerance <= y <= b[1] + b[3] + tolerance
    on_side = min(abs(x - b[0]), abs(x - b[0] - b[2])) <= tolerance or min(abs(y - b[1]), abs(y - b[1] - b[3])) <= tolerance
    return within and on_side
