"""Serialise SpiffWorkflow instances with the spec stored once per process version.

SpiffWorkflow's own ``serialize_json`` writes the whole spec into every instance (about half
of the bytes, see ``shared/domain/spiffworkflow-notes.md``). We keep the spec on the
``process_versions`` row and cache the restored spec objects per version in memory, so a
work order's row holds only its task tree and data.
"""
from __future__ import annotations

import json
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

_registry = BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG)
_serializer = BpmnWorkflowSerializer(_registry)
_workflow_converter = BpmnWorkflowConverter(BpmnWorkflow, _registry)


def dump_spec(spec, subprocess_specs: dict) -> str:
    """Serialise a parsed process (and its called subprocesses) for the version row."""
    return json.dumps(
        {
            "spec": _registry.convert(spec),
            "subprocess_specs": {name: _registry.convert(sub) for name, sub in subprocess_specs.items()},
            "serializer_version": SERIALIZER_VERSION,
        }
    )


def load_spec(text: str) -> tuple:
    """Restore ``(spec, subprocess_specs)`` from a version row."""
    dct = json.loads(text)
    spec = _registry.restore(dct["spec"])
    subprocess_specs = {name: _registry.restore(sub) for name, sub in dct["subprocess_specs"].items()}
    return spec, subprocess_specs


def dump_instance(workflow: BpmnWorkflow, *, archive: set[str] = frozenset()) -> tuple[str, dict[str, str]]:
    """Serialise a workflow without its spec; sub-processes named in ``archive`` come back apart.

    Returns ``(state, {subprocess id: its JSON})`` so finished sub-processes can be stored once.
    """
    _registry._encoder_mode = True
    try:
        # BpmnWorkflowConverter.to_dict minus the specs, which it would convert only to be dropped.
        dct = WorkflowConverter.to_dict(_workflow_converter, workflow)
        dct["subprocesses"] = _workflow_converter.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = _registry.convert(workflow.bpmn_events)
        dct["typename"] = _registry.typenames[workflow.__class__]
        dct[BpmnWorkflowSerializer.VERSION_KEY] = SERIALIZER_VERSION
        apart = {key: dct["subprocesses"].pop(key) for key in archive if key in dct["subprocesses"]}
        encode = lambda value: json.dumps(value, cls=_serializer._encoder_cls)  # noqa: E731
        return encode(dct), {key: encode(value) for key, value in apart.items()}
    finally:
        _registry._encoder_mode = False


def load_instance(text: str, spec, subprocess_specs: dict, archived: dict[str, str] | None = None) -> BpmnWorkflow:
    """Rebuild a workflow from its stored state and its version's (cached) spec.

    ``archived`` (subprocess id → JSON) puts finished sub-processes back, for history readers.
    """
    dct = json.loads(text)
    dct.pop(BpmnWorkflowSerializer.VERSION_KEY, None)
    for key, value in (archived or {}).items():
        dct["subprocesses"][key] = json.loads(value)
    converter = _workflow_converter
    workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True)
    workflow.tasks = converter.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
    converter.set_default_attributes(workflow, dct)
    converter.subprocesses_from_dict(dct["subprocesses"], workflow)
    workflow.bpmn_events = _registry.restore(dct.pop("bpmn_events", []))
    return workflow
