"""Read side of one work order: its row, tasks, waiting deadlines and data, as a viewer may see them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.confidentiality import visible
from engine.deployment import spec_of
from engine.errors import NotFound
from engine.models import HumanTask, Timer, WorkflowState, WorkOrder
from engine.serializer import load_instance
from engine.workorders import CUSTOMER_COLUMNS


@dataclass
class WorkOrderView:
    """Everything a caller may show about one work order; sealed values already masked."""

    work_order: WorkOrder
    parent_number: str | None
    tasks: list[HumanTask]
    deadlines: list[Timer]
    customer: dict[str, str]
    data: dict


def find_work_order(session: Session, number: str) -> WorkOrder:
    """The work order with this number, or :class:`NotFound`."""
    work_order = session.scalars(select(WorkOrder).where(WorkOrder.number == number)).first()
    if work_order is None:
        raise NotFound(f"工单不存在 / work order {number} does not exist")
    return work_order


def work_order_view(session: Session, number: str, viewer_groups: set[str]) -> WorkOrderView:
    """Load a work order for a viewer in ``viewer_groups`` (sealed fields masked unless they may read them)."""
    work_order = find_work_order(session, number)
    version = work_order.process_version
    data = visible(_current_data(session, work_order), version, viewer_groups)
    tasks = session.scalars(select(HumanTask).where(HumanTask.work_order_id == work_order.id).order_by(HumanTask.id))
    deadlines = session.scalars(select(Timer).where(Timer.work_order_id == work_order.id).order_by(Timer.due_at, Timer.id))
    parent = session.get(WorkOrder, work_order.parent_id) if work_order.parent_id else None
    customer = {column: str(data.get(column, getattr(work_order, column)) or "") for column in CUSTOMER_COLUMNS}
    return WorkOrderView(work_order, parent.number if parent else None, list(tasks), list(deadlines), customer, data)


def _current_data(session: Session, work_order: WorkOrder) -> dict:
    """The data of the last completed step (what the next step sees); no script engine is needed to read it."""
    state = session.get(WorkflowState, work_order.id)
    if state is None:
        return {}
    workflow = load_instance(state.state_json, *spec_of(work_order.process_version))
    return dict(workflow.last_task.data) if workflow.last_task is not None else {}
