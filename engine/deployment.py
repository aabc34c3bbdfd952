"""Deploy BPMN diagrams as numbered process versions, refusing anything we cannot run safely.

Every problem found is reported with the element id, its name and a plain sentence, so the
modeller (and the CLI) can point at the element instead of printing a stack trace.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

import forms
from engine import audit
from engine.deploy_checks import timer_problems
from engine.errors import DeployRejected, NotFound
from engine.models import Group, ProcessVersion
from engine.sandbox import find_unsafe_code
from engine.serializer import dump_spec, load_spec

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
MAX_BPMN_BYTES = 2 * 1024 * 1024

# Flow elements the engine runs. Anything else in a process is refused by name at deploy.
SUPPORTED_ELEMENTS = {
    "startEvent", "endEvent", "userTask", "manualTask", "scriptTask", "businessRuleTask",
    "task", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
    "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "subProcess",
    "callActivity", "sequenceFlow", "laneSet", "lane", "dataObject", "dataObjectReference",
    "dataStoreReference", "textAnnotation", "association", "receiveTask", "sendTask",
    "extensionElements", "documentation", "ioSpecification", "dataInputAssociation",
    "dataOutputAssociation", "property", "standardLoopCharacteristics",
    "multiInstanceLoopCharacteristics", "group", "transaction",
}
# A sub-process's own flow references: the modeller writes them on every element it saves.
FLOW_REFERENCES = {"incoming", "outgoing"}
REFUSED_REASONS = {
    "serviceTask": "service tasks would call external systems; use a script task or an outbox message",
    "complexGateway": "complex gateways are not supported by the workflow engine",
    "adHocSubProcess": "ad-hoc sub-processes are not supported in work orders",
}


@dataclass
class ParsedProcess:
    """A diagram that passed validation, ready to be stored as a version."""

    process_id: str
    name: str
    xml: str
    sha256: str
    spec: object
    subprocess_specs: dict
    lane_map: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    start_event_id: str = ""
    start_form_key: str = ""


@lru_cache(maxsize=1)
def _xsd_validator() -> BpmnValidator:
    return BpmnValidator()


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def _problem(element_id: str, element_name: str, message: str) -> dict:
    return {"element_id": element_id, "element_name": element_name or "", "message": message}


class DocumentTooLarge(DeployRejected):
    """The diagram is over :data:`MAX_BPMN_BYTES`; the web answers 413 rather than 422."""


def read_document(xml: bytes | str) -> tuple[bytes, etree._Element]:
    """Parse an uploaded diagram as plain, safe XML: ``(utf-8 bytes, root)``; else :class:`DeployRejected`.

    Refused before anything looks at the content: more than :data:`MAX_BPMN_BYTES`, bytes that are
    not well-formed XML (the parser also stops at 256 levels of nesting), any DOCTYPE (so no DTD,
    external entity or entity expansion is ever read), any encoding but UTF-8 (the one the
    modeller writes and the database stores) and a root element other than BPMN ``definitions``.
    """
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    if len(raw) > MAX_BPMN_BYTES:
        raise DocumentTooLarge("文件过大 / file too large", [_problem("", "", f"the file is {len(raw)} bytes; the limit is {MAX_BPMN_BYTES}")])
    try:
        root = etree.fromstring(raw, _safe_parser())
    except etree.XMLSyntaxError as exc:
        if b"<!DOCTYPE" in raw:
            raise _doctype_refused() from None
        raise DeployRejected("XML 格式错误 / malformed XML", [_problem("", "", f"the XML is not well-formed: {exc}")]) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or b"<!ENTITY" in raw:
        raise _doctype_refused()
    encoding = (docinfo.encoding or "UTF-8").upper()
    if encoding.replace("-", "") != "UTF8" or not _is_utf8(raw):
        raise DeployRejected("编码错误 / not UTF-8", [_problem("", "", f"the file must be UTF-8 encoded, not {encoding}")])
    if root.tag != "{%s}definitions" % NS["bpmn"]:
        raise DeployRejected("不是 BPMN 文件 / not a BPMN file", [_problem(
            "", "", f"the root element is <{root.tag}>, not the BPMN 2.0 <definitions>")])
    return raw, root


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _doctype_refused() -> DeployRejected:
    return DeployRejected("不允许 DOCTYPE / DOCTYPE refused", [_problem(
        "", "", "the document declares a DOCTYPE (a DTD or XML entities), which is refused for safety")])


def parse_process(xml: bytes | str, *, known_groups: set[str]) -> ParsedProcess:
    """Validate and parse one BPMN document; raise :class:`DeployRejected` listing every problem."""
    raw, root = read_document(xml)
    problems: list[dict] = []
    try:
        _xsd_validator().validate(root)
    except ValidationException as exc:
        problems.append(_problem("", "", f"the document does not follow the BPMN 2.0 schema (line {exc.line_number}): {exc}"))
    processes = root.findall("bpmn:process", NS)
    executable = [p for p in processes if p.get("isExecutable", "false").lower() == "true"] or processes
    if len(executable) != 1:
        problems.append(_problem("", "", f"the document must contain exactly one executable process; it has {len(executable)}"))
        raise DeployRejected("无法部署 / cannot deploy", problems)
    process = executable[0]
    lane_map = _lane_map(process)
    problems += _unsupported_elements(process)
    problems += _lane_and_form_problems(process, lane_map, known_groups)
    problems += _layout_problems(root, process)
    problems += find_unsafe_code(raw)
    starts = process.findall("bpmn:startEvent", NS)
    start_form_key = starts[0].get("{%s}formKey" % NS["camunda"], "") if starts else ""
    problems += timer_problems(process, process_settings(process), start_form_key)
    if problems:
        raise DeployRejected("无法部署 / cannot deploy", problems)
    spec, subprocess_specs = _spiff_parse(root, process.get("id"))
    return ParsedProcess(
        settings=process_settings(process),
        start_event_id=starts[0].get("id") if starts else "",
        start_form_key=start_form_key,
        process_id=process.get("id"),
        name=process.get("name") or process.get("id"),
        xml=raw.decode("utf-8"),
        sha256=hashlib.sha256(raw).hexdigest(),
        spec=spec,
        subprocess_specs=subprocess_specs,
        lane_map=lane_map,
    )


def process_settings(process) -> dict[str, str]:
    """The process's own ``camunda:property`` entries: deadlines and ratios an owner may edit.

    They sit on the process element, where the modeller's properties panel shows them as
    extension properties, so changing "2 working days" to "3 working days" needs no Python.
    """
    properties = process.find("bpmn:extensionElements/camunda:properties", NS)
    if properties is None:
        return {}
    return {p.get("name"): p.get("value", "") for p in properties.findall("camunda:property", NS) if p.get("name")}


def _lane_map(process) -> dict[str, str]:
    """Map flow-node id → lane id; SpiffWorkflow only knows lane *names*, which owners rename."""
    lanes = {}
    for lane in process.iterfind(".//bpmn:lane", NS):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = lane.get("id")
    return lanes


def _unsupported_elements(process) -> list[dict]:
    problems = []
    for element in process.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith("{%s}" % NS["bpmn"]):
            continue
        local = etree.QName(element).localname
        if element.getparent() is process or etree.QName(element.getparent()).localname in ("subProcess", "transaction"):
            if local in REFUSED_REASONS:
                problems.append(_problem(element.get("id", ""), element.get("name", ""), f"{local}: {REFUSED_REASONS[local]}"))
            elif local not in SUPPORTED_ELEMENTS | FLOW_REFERENCES:
                problems.append(_problem(element.get("id", ""), element.get("name", ""), f"the element type {local} is not supported by the engine"))
    return problems


def _lane_and_form_problems(process, lane_map: dict, known_groups: set[str]) -> list[dict]:
    problems = []
    for task in process.iterfind(".//bpmn:userTask", NS):
        task_id, name = task.get("id"), task.get("name", "")
        lane = lane_map.get(task_id)
        if lane is None:
            problems.append(_problem(task_id, name, "the user task is not in any lane, so no department would see it"))
        elif lane not in known_groups:
            problems.append(_problem(task_id, name, f"the lane '{lane}' is not a known department group"))
        key = task.get("{%s}formKey" % NS["camunda"])
        if not key:
            problems.append(_problem(task_id, name, "the user task has no form key (camunda:formKey)"))
        elif key not in forms.FORMS:
            problems.append(_problem(task_id, name, f"the form '{key}' does not exist in forms/"))
    for start in process.iterfind("bpmn:startEvent", NS):
        key = start.get("{%s}formKey" % NS["camunda"])
        if key and key not in forms.FORMS:
            problems.append(_problem(start.get("id"), start.get("name", ""), f"the form '{key}' does not exist in forms/"))
    return problems


def _layout_problems(root, process) -> list[dict]:
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    problems = []
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        element_id = element.get("id")
        if local == "sequenceFlow" and element_id not in edges:
            problems.append(_problem(element_id, element.get("name", ""), "the sequence flow has no diagram layout (BPMNEdge)"))
        elif local in SUPPORTED_ELEMENTS - {"sequenceFlow", "laneSet", "extensionElements", "documentation", "property",
                                             "ioSpecification", "dataInputAssociation", "dataOutputAssociation",
                                             "standardLoopCharacteristics", "multiInstanceLoopCharacteristics",
                                             "dataObject", "association", "group"} and element_id not in shapes:
            problems.append(_problem(element_id, element.get("name", ""), "the element has no diagram layout (BPMNShape)"))
    return problems


def _spiff_parse(root, process_id: str):
    parser = CamundaParser()
    try:
        parser.add_bpmn_xml(root, filename=f"{process_id}.bpmn")
        return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise DeployRejected("无法部署 / cannot deploy", [_problem(exc.id, exc.name, str(exc).split("\n")[0])]) from None
    except SpiffWorkflowException as exc:
        raise DeployRejected("无法部署 / cannot deploy", [_problem("", "", str(exc))]) from None


def deploy_process(session: Session, xml: bytes | str, *, actor: str, note: str = "") -> tuple[ProcessVersion, bool]:
    """Store a diagram as the next version of its process; ``(version, created)``.

    Deploying the same bytes as the newest version creates nothing, so set-up can re-run.
    """
    known = set(session.scalars(select(Group.name).where(Group.is_lane)).all())
    parsed = parse_process(xml, known_groups=known)
    latest = latest_version(session, parsed.process_id, required=False)
    if latest is not None and latest.sha256 == parsed.sha256:
        return latest, False
    number = (session.scalar(select(func.max(ProcessVersion.version)).where(ProcessVersion.process_id == parsed.process_id)) or 0) + 1
    version = ProcessVersion(
        process_id=parsed.process_id,
        version=number,
        name=parsed.name,
        bpmn_xml=parsed.xml,
        sha256=parsed.sha256,
        spec_json=dump_spec(parsed.spec, parsed.subprocess_specs),
        lane_map=parsed.lane_map,
        settings=parsed.settings,
        start_event_id=parsed.start_event_id,
        start_form_key=parsed.start_form_key,
        deployed_by=actor,
        deployed_at=datetime.now(timezone.utc),
        note=note,
    )
    session.add(version)
    session.flush()
    audit.record(session, "version.deployed", actor=actor, data={
        "process_id": parsed.process_id, "version": number, "sha256": parsed.sha256, "note": note,
    })
    return version, True


_LATEST_VERSION = (select(ProcessVersion).where(ProcessVersion.process_id == bindparam("process_id"))
                   .order_by(ProcessVersion.version.desc()).limit(1))


def latest_version(session: Session, process_id: str, *, required: bool = True) -> ProcessVersion | None:
    """The newest deployed version of a process (new work orders use it)."""
    version = session.scalars(_LATEST_VERSION, {"process_id": process_id}).first()
    if version is None and required:
        raise NotFound(f"流程 {process_id} 尚未部署 / process {process_id} is not deployed")
    return version


_spec_cache: dict[tuple[int, str], tuple] = {}


def spec_of(version: ProcessVersion) -> tuple:
    """The parsed ``(spec, subprocess_specs)`` of a version, restored once per process."""
    key = (version.id, version.sha256)
    cached = _spec_cache.get(key)
    if cached is None:
        cached = _spec_cache[key] = load_spec(version.spec_json)
    return cached
