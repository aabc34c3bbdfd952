"""Deploy-time checks: refuse a diagram before any of its Python can run."""
from __future__ import annotations

from typing import Iterator

from lxml import etree

from engine.sandbox.policy import compile_checked

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

# Every element whose text SpiffWorkflow (or a Camunda/Spiff extension) hands to the script engine.
_CODE_ELEMENTS: dict[str, tuple[str, str]] = {
    f"{{{BPMN_NS}}}script": ("exec", "script"),
    f"{{{BPMN_NS}}}conditionExpression": ("eval", "condition"),
    f"{{{BPMN_NS}}}timeDate": ("eval", "timer date"),
    f"{{{BPMN_NS}}}timeDuration": ("eval", "timer duration"),
    f"{{{BPMN_NS}}}timeCycle": ("eval", "timer cycle"),
    f"{{{BPMN_NS}}}loopCardinality": ("eval", "loop cardinality"),
    f"{{{BPMN_NS}}}completionCondition": ("eval", "completion condition"),
    f"{{{BPMN_NS}}}loopCondition": ("eval", "loop condition"),
    f"{{{BPMN_NS}}}condition": ("eval", "event condition"),
    f"{{{BPMN_NS}}}messagePath": ("eval", "correlation expression"),
    f"{{{CAMUNDA_NS}}}script": ("exec", "Camunda script"),
    f"{{{SPIFF_NS}}}preScript": ("exec", "pre-script"),
    f"{{{SPIFF_NS}}}postScript": ("exec", "post-script"),
    f"{{{SPIFF_NS}}}messagePayload": ("eval", "message payload"),
    f"{{{SPIFF_NS}}}payloadExpression": ("eval", "payload expression"),
    f"{{{SPIFF_NS}}}expression": ("eval", "correlation expression"),
}
_CODE_ATTRIBUTES: dict[str, tuple[str, str]] = {
    f"{{{CAMUNDA_NS}}}expression": ("eval", "Camunda expression"),
}
_DOCTYPE_REFUSED = "the file declares a DOCTYPE; BPMN files must not declare DTDs or entities"
_RETRIEVAL = f"{{{BPMN_NS}}}correlationPropertyRetrievalExpression"
_FORMAL = f"{{{BPMN_NS}}}formalExpression"
_FLOW_ELEMENTS = frozenset(
    f"{{{BPMN_NS}}}{tag}"
    for tag in (
        "task", "scriptTask", "userTask", "serviceTask", "sendTask", "receiveTask", "manualTask",
        "businessRuleTask", "callActivity", "subProcess", "adHocSubProcess", "transaction",
        "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
        "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
        "complexGateway", "sequenceFlow",
    )
)


def check_code(source: str, mode: str) -> list[str]:
    """Every reason the sandbox would refuse this source, as plain sentences; empty means it may run."""
    return list(compile_checked(source, mode).problems)


def find_unsafe_code(bpmn_xml: bytes | str) -> list[dict]:
    """One ``{element_id, element_name, message}`` per unsafe or broken piece of Python in a BPMN file."""
    data = bpmn_xml.encode("utf-8") if isinstance(bpmn_xml, str) else bpmn_xml
    try:
        root = _parse(data)
    except etree.XMLSyntaxError as err:
        if b"<!DOCTYPE" in data:
            return [_problem(None, _DOCTYPE_REFUSED)]
        return [_problem(None, f"the file is not well-formed XML: {err}")]
    if root.getroottree().docinfo.doctype:
        return [_problem(None, _DOCTYPE_REFUSED)]
    problems = []
    for node, source, mode, what in _code_pieces(root):
        owner = _owning_element(node)
        for message in check_code(source, mode):
            problems.append(_problem(owner, f"{what}: {message}"))
    return problems


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    return etree.fromstring(data, parser)


def _code_pieces(root: etree._Element) -> Iterator[tuple[etree._Element, str, str, str]]:
    for node in root.iter(etree.Element):
        kind = _CODE_ELEMENTS.get(node.tag)
        if kind is None and node.tag == _FORMAL and _parent_tag(node) == _RETRIEVAL:
            kind = ("eval", "correlation expression")
        if kind is not None:
            source = "".join(node.itertext())
            if source.strip():
                yield node, source, *kind
        for attribute, (mode, what) in _CODE_ATTRIBUTES.items():
            value = node.get(attribute)
            if value and value.strip():
                yield node, value, mode, what


def _parent_tag(node: etree._Element) -> str | None:
    parent = node.getparent()
    return parent.tag if parent is not None else None


def _owning_element(node: etree._Element) -> etree._Element | None:
    """The flow element a user sees in the modeller (a boundary event, not its timer definition)."""
    current = node.getparent()
    while current is not None:
        if current.tag in _FLOW_ELEMENTS:
            return current
        current = current.getparent()
    current = node
    while current is not None:
        if current.get("id"):
            return current
        current = current.getparent()
    return None


def _problem(owner: etree._Element | None, message: str) -> dict:
    return {
        "element_id": owner.get("id", "") if owner is not None else "",
        "element_name": owner.get("name", "") if owner is not None else "",
        "message": message,
    }
