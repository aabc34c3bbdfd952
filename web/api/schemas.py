"""Request and response schemas of the REST API (marshmallow; they also make the OpenAPI document)."""
from __future__ import annotations

from datetime import timezone

import marshmallow as ma
from marshmallow import fields, validate

from engine.inbox import MAX_PAGE, SORTS, urgency

MAX_PAGE_SIZE = 100
MAX_BATCH_ROWS = 5000


class UTCDateTime(fields.DateTime):
    """ISO 8601 with offset; a naive value (SQLite hands some back) is UTC, as everywhere in ticketflow."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class OpenWorkOrderRequest(ma.Schema):
    flow = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "流程 / flow type: fault_repair, complaint, tip_off, power_application, arrears_reminder ..."})
    intake = fields.Dict(keys=fields.String(), required=True, metadata={
        "description": "受理表单 / the flow's start form (its fields are validated by that form)"})
    priority = fields.Integer(load_default=0, validate=validate.Range(min=0, max=9))


class CompleteTaskRequest(ma.Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "任务表单 / the task's form values (see GET /tasks/{id} for its fields)"})
    expected_version = fields.Integer(load_default=None, allow_none=True, metadata={
        "description": "lock_version the caller last saw; a newer one answers 409 instead of overwriting"})


class EventRequest(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=128), metadata={
        "description": "消息名 / message name the work order waits for, e.g. crew_arrived"})
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class ArrearsRowSchema(ma.Schema):
    """One customer, in the billing centre's CSV columns; several months are separated by ';'."""

    line = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "the row's line in the source file, used in error keys (default: its position)"})
    customer_name = fields.String(load_default="")
    customer_phone = fields.String(load_default="")
    address = fields.String(load_default="")
    account_no = fields.String(load_default="")
    customer_kind = fields.String(load_default="", metadata={"description": "residential or other"})
    billing_months = fields.String(load_default="", metadata={"example": "2026-07;2026-08"})
    amount = fields.String(load_default="", metadata={"description": "yuan per month, same order", "example": "120.50;98.00"})
    due_date = fields.String(load_default="", metadata={"description": "payment deadline per month",
                                                        "example": "2026-08-15;2026-09-15"})
    pay_at = fields.String(load_default="", metadata={"description": "where to pay"})


class ArrearsBatchRequest(ma.Schema):
    rows = fields.List(fields.Nested(ArrearsRowSchema), required=True,
                       validate=validate.Length(min=1, max=MAX_BATCH_ROWS))


class TaskListQuery(ma.Schema):
    view = fields.String(load_default="group", validate=validate.OneOf(["group", "mine"]), metadata={
        "description": "group: unclaimed tasks of the caller's groups; mine: tasks the caller claimed"})
    flow = fields.String(load_default=None, validate=validate.Length(max=64))
    overdue = fields.Boolean(load_default=False)
    sort = fields.String(load_default="due", validate=validate.OneOf(sorted(SORTS)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class DeadlineRuleSchema(ma.Schema):
    """How a deadline was counted, so a caller can explain it."""

    start = fields.String()
    due = fields.String()
    rule = fields.String(metadata={"description": "e.g. '2 working days', '45 minutes'"})
    amount = fields.Integer()
    unit = fields.String()
    skipped_days = fields.List(fields.String(), metadata={"description": "non-working days skipped"})
    provisional = fields.Boolean(metadata={"description": "a year involved has no published holiday schedule yet"})
    provisional_years = fields.List(fields.Integer())


class WorkOrderRefSchema(ma.Schema):
    """A task's work order in lists: no free text, which could carry a sealed identity (read the work order)."""

    id = fields.Integer()
    number = fields.String()
    flow = fields.String(attribute="flow_type")
    status = fields.String()
    customer_name = fields.String(metadata={"description": "【保密】 for sealed flows such as tip-offs"})


class TaskSchema(ma.Schema):
    id = fields.Integer()
    bpmn_id = fields.String()
    name = fields.String()
    group = fields.String(attribute="group_name")
    form_key = fields.String()
    state = fields.String(metadata={"description": "ready, completed or cancelled"})
    priority = fields.Integer()
    claimed_by = fields.String(allow_none=True)
    created_at = UTCDateTime()
    due_at = UTCDateTime(allow_none=True)
    deadline = fields.Nested(DeadlineRuleSchema, allow_none=True)
    breached_at = UTCDateTime(allow_none=True)
    completed_at = UTCDateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    urgency = fields.Method("_urgency", metadata={"description": "overdue, soon (within the hour) or ok; null once done"})

    def _urgency(self, task) -> str | None:
        return urgency(task) if task.state == "ready" else None


class InboxTaskSchema(TaskSchema):
    work_order = fields.Nested(WorkOrderRefSchema)


class TaskPageSchema(ma.Schema):
    items = fields.List(fields.Nested(InboxTaskSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "tasks per view (group, mine) with the same filters"})


class TimerSchema(ma.Schema):
    timer = fields.String(attribute="bpmn_id")
    name = fields.String()
    task = fields.String(attribute="attached_to", allow_none=True, metadata={
        "description": "BPMN id of the task this deadline belongs to (null for a timer on the flow itself)"})
    interrupting = fields.Boolean()
    due_at = UTCDateTime()
    rule = fields.Nested(DeadlineRuleSchema, attribute="deadline", allow_none=True)


class RecordSchema(ma.Schema):
    name = fields.String()
    form_key = fields.String()
    actor = fields.String()
    at = UTCDateTime()
    values = fields.Dict()


class WorkOrderSchema(ma.Schema):
    """A work order as the caller may see it (sealed fields masked as 【保密】 unless discipline/auditor)."""

    id = fields.Integer()
    number = fields.String()
    flow = fields.String()
    process_version = fields.Integer()
    status = fields.String(metadata={"description": "open, closed or cancelled"})
    priority = fields.Integer()
    lock_version = fields.Integer(metadata={"description": "send as expected_version when completing a task"})
    opened_by = fields.String()
    opened_at = UTCDateTime()
    due_at = UTCDateTime(allow_none=True, metadata={"description": "the earliest deadline of its open tasks"})
    breached_at = UTCDateTime(allow_none=True)
    closed_at = UTCDateTime(allow_none=True)
    cancel_reason = fields.String()
    linked_to = fields.String(allow_none=True, metadata={"description": "the work order this call was linked to"})
    linked_calls = fields.List(fields.String(), metadata={"description": "later calls linked to this work order"})
    customer = fields.Dict(keys=fields.String(), values=fields.String())
    summary = fields.String()
    intake = fields.Dict()
    tasks = fields.List(fields.Nested(TaskSchema), metadata={"description": "open and finished tasks, oldest first"})
    deadlines = fields.List(fields.Nested(TimerSchema), metadata={
        "description": "waiting timers: each task's deadline and the flow's own timers"})
    records = fields.List(fields.Nested(RecordSchema), metadata={"description": "the intake and each completed form"})

    @ma.pre_dump
    def _flatten(self, view, **_kwargs) -> dict:
        """Dump an ``engine.dossier.Dossier``."""
        work_order = view.work_order
        return {
            "id": work_order.id, "number": work_order.number, "flow": work_order.flow_type,
            "process_version": work_order.process_version.version, "status": work_order.status,
            "priority": work_order.priority, "lock_version": work_order.lock_version, "opened_by": work_order.opened_by,
            "opened_at": work_order.opened_at, "due_at": work_order.due_at, "breached_at": work_order.breached_at,
            "closed_at": work_order.closed_at, "cancel_reason": work_order.cancel_reason,
            "linked_to": view.parent.number if view.parent is not None else None,
            "linked_calls": [w.number for w in view.linked_calls], "customer": view.customer, "summary": view.summary,
            "intake": view.intake, "tasks": sorted([*view.open_tasks, *view.done_tasks], key=lambda t: t.id),
            "deadlines": view.timers, "records": view.records,
        }


class FormSchema(ma.Schema):
    key = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    form_fields = fields.List(fields.Dict(), attribute="fields", data_key="fields", metadata={
        "description": "name, kind, label_zh, label_en, help_zh, help_en, required, choices"})


class TaskDetailSchema(ma.Schema):
    task = fields.Nested(InboxTaskSchema)
    form = fields.Nested(FormSchema, allow_none=True, metadata={"description": "the form to submit on completion"})


class CompletedTaskSchema(ma.Schema):
    task = fields.Nested(TaskSchema)
    work_order = fields.Nested(WorkOrderSchema)


class OpenedWorkOrderSchema(WorkOrderRefSchema):
    due_at = UTCDateTime(allow_none=True)


class ArrearsBatchResultSchema(ma.Schema):
    count = fields.Integer()
    work_orders = fields.List(fields.Nested(OpenedWorkOrderSchema), metadata={
        "description": "one arrears_reminder work order per customer, in row order"})
