"""What versions a process has, and what changed between two of them, element by element.

The comparison reads the stored XML of each version (what the owner drew), not the parsed
spec, so it names elements the way the modeller shows them: id, type and name.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.deployment import NS, process_settings
from engine.errors import NotFound
from engine.models import ProcessVersion, WorkOrder

CAMUNDA = "{%s}" % NS["camunda"]
COMPARED = ("type", "name", "lane", "form_key", "timer", "condition", "script", "attached_to", "source", "target")
NOT_FLOW = {"laneSet", "lane", "extensionElements", "documentation", "incoming", "outgoing", "flowNodeRef",
            "property", "conditionExpression", "script", "timeDate", "timeDuration", "timeCycle", "text"}


@dataclass(frozen=True)
class VersionSummary:
    """One deployed version as the version list shows it."""

    version: int
    name: str
    deployed_by: str
    deployed_at: object
    note: str
    open_work_orders: int


def list_versions(session: Session, process_id: str) -> list[VersionSummary]:
    """Every version of a process, newest first, with who deployed it, when, why, and its open work orders."""
    open_counts = dict(session.execute(
        select(WorkOrder.process_version_id, func.count()).where(WorkOrder.status == "open")
        .group_by(WorkOrder.process_version_id)).all())
    rows = session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                           .order_by(ProcessVersion.version.desc())).all()
    return [VersionSummary(v.version, v.name, v.deployed_by, v.deployed_at, v.note or "", open_counts.get(v.id, 0))
            for v in rows]


def list_processes(session: Session) -> list[tuple[str, str, int]]:
    """``(process id, name of the newest version, newest version number)`` for every deployed process."""
    newest = (select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("v"))
              .group_by(ProcessVersion.process_id).subquery())
    rows = session.execute(select(ProcessVersion.process_id, ProcessVersion.name, ProcessVersion.version)
                           .join(newest, (newest.c.process_id == ProcessVersion.process_id)
                                 & (newest.c.v == ProcessVersion.version))
                           .order_by(ProcessVersion.process_id)).all()
    return [tuple(row) for row in rows]


def get_version(session: Session, process_id: str, number: int) -> ProcessVersion:
    """One version of a process; NotFound when it does not exist."""
    version = session.scalars(select(ProcessVersion).where(
        ProcessVersion.process_id == process_id, ProcessVersion.version == number)).first()
    if version is None:
        raise NotFound(f"流程版本不存在 / process {process_id} has no version {number}")
    return version


def diff_versions(session: Session, process_id: str, a: int, b: int) -> dict:
    """Elements added, removed and changed from version ``a`` to ``b``, and changed process properties.

    ``changed`` maps element id → {attribute: (old, new)} over type, name, lane, form key,
    timer expression, condition, script, boundary attachment and flow ends.
    """
    old = describe_elements(get_version(session, process_id, a).bpmn_xml)
    new = describe_elements(get_version(session, process_id, b).bpmn_xml)
    changed = {}
    for element_id in sorted(old.keys() & new.keys()):
        fields = {key: (old[element_id][key], new[element_id][key]) for key in COMPARED
                  if old[element_id][key] != new[element_id][key]}
        if fields:
            changed[element_id] = fields
    old_settings = process_settings(_process(get_version(session, process_id, a).bpmn_xml))
    new_settings = process_settings(_process(get_version(session, process_id, b).bpmn_xml))
    properties = {name: (old_settings.get(name), new_settings.get(name))
                  for name in sorted(old_settings.keys() | new_settings.keys())
                  if old_settings.get(name) != new_settings.get(name)}
    return {
        "added": [{"id": i, "type": new[i]["type"], "name": new[i]["name"]} for i in sorted(new.keys() - old.keys())],
        "removed": [{"id": i, "type": old[i]["type"], "name": old[i]["name"]} for i in sorted(old.keys() - new.keys())],
        "changed": changed,
        "properties": properties,
    }


def _process(xml: str):
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    processes = root.findall("bpmn:process", NS)
    executable = [p for p in processes if p.get("isExecutable", "false").lower() == "true"] or processes
    return executable[0]


def describe_elements(xml: str) -> dict[str, dict]:
    """Every flow element of the executable process by id, with the attributes a diff compares."""
    process = _process(xml)
    lanes = {(ref.text or "").strip(): lane.get("id")
             for lane in process.iterfind(".//bpmn:lane", NS) for ref in lane.findall("bpmn:flowNodeRef", NS)}
    elements = {}
    for element in process.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith("{%s}" % NS["bpmn"]):
            continue
        kind = etree.QName(element).localname
        element_id = element.get("id")
        if kind in NOT_FLOW or not element_id or kind.endswith("EventDefinition"):
            continue
        elements[element_id] = {
            "type": kind,
            "name": element.get("name", ""),
            "lane": lanes.get(element_id, ""),
            "form_key": element.get(CAMUNDA + "formKey", ""),
            "timer": _text(element, "bpmn:timerEventDefinition/*"),
            "condition": _text(element, "bpmn:conditionExpression"),
            "script": _text(element, "bpmn:script"),
            "attached_to": element.get("attachedToRef", ""),
            "source": element.get("sourceRef", ""),
            "target": element.get("targetRef", ""),
        }
    return elements


def _text(element, path: str) -> str:
    found = element.find(path, NS)
    return (found.text or "").strip() if found is not None else ""
