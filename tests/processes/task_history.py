"""What a work order's workflow has done, sub-processes included.

SpiffWorkflow's ``get_tasks`` does not descend into a finished sub-process, so a loop's past
iterations (status updates, reminder attempts) and a multi-instance's finished calls are
read here from every sub-workflow directly.
"""
from __future__ import annotations

from collections import Counter

from SpiffWorkflow.util.task import TaskState

from engine.runtime import load_step
from engine.testing import FlowHarness


def workflow_of(flow: FlowHarness, work_order_id: int):
    """The work order's live SpiffWorkflow instance, read-only."""
    with flow.db.reading() as session:
        return load_step(session, work_order_id, "system", lock=False).workflow


def completed_tasks(flow: FlowHarness, work_order_id: int) -> list:
    """Every completed task of the workflow and of each of its sub-workflows."""
    return flow.completed(work_order_id)


def visits(flow: FlowHarness, work_order_id: int) -> Counter:
    """How many times each BPMN element has completed."""
    return Counter(t.task_spec.bpmn_id for t in completed_tasks(flow, work_order_id))


def data_after(flow: FlowHarness, work_order_id: int, bpmn_id: str) -> dict:
    """The data as it stood when the latest completion of ``bpmn_id`` finished."""
    done = [t for t in completed_tasks(flow, work_order_id) if t.task_spec.bpmn_id == bpmn_id]
    assert done, f"{bpmn_id} has not completed"
    return dict(max(done, key=lambda t: t.last_state_change).data)


def tree_depth(workflow) -> int:
    """The deepest task in the workflow's task tree or any of its sub-process trees."""
    trees = [workflow.task_tree, *(sub.task_tree for sub in workflow.subprocesses.values())]
    deepest, stack = 0, [(tree, 0) for tree in trees]
    while stack:
        task, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in task.children)
    return deepest
