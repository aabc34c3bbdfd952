"""REST resources for other systems (telephony/IVR, billing): validate, call an engine service, serialise."""
from __future__ import annotations

from collections.abc import Callable

import marshmallow as ma
from flask import url_for
from flask_smorest import Blueprint

import forms
import web
from engine.arrears import submit_arrears_batch
from engine.dossier import Dossier, dossier, task_view
from engine.inbox import InboxQuery, inbox
from engine.models import HumanTask
from engine.oversight import record_sealed_read
from engine.queries import find_work_order, require_view
from engine.tasks import claim_task, complete_task
from engine.workorders import open_work_order, send_event
from web.api.auth import caller, require_token
from web.api.errors import ErrorSchema, register_error_handlers
from web.api.schemas import (
    ArrearsBatchRequest,
    ArrearsBatchResultSchema,
    CompletedTaskSchema,
    CompleteTaskRequest,
    EventRequest,
    InboxTaskSchema,
    OpenWorkOrderRequest,
    TaskDetailSchema,
    TaskListQuery,
    TaskPageSchema,
    WorkOrderSchema,
)

blp = Blueprint("api", __name__, url_prefix="/api/v1",
                description="工单、任务与事件 / work orders, tasks and events for other systems")
blp.before_request(require_token)
register_error_handlers(blp)

ERROR_MEANINGS = {
    400: "请求体不是有效的 JSON / the body is not valid JSON (or not sent as application/json)",
    401: "缺少或无效的令牌 / missing, unknown or revoked token",
    403: "令牌用户无权操作 / the token's user is not in a group allowed to do this",
    404: "工单或任务不存在 / no such work order or task (or flow not deployed)",
    409: "状态冲突 / conflict: changed meanwhile, already claimed or completed (error=conflict), "
         "or the work order is not in a state that allows it (error=invalid_state)",
    413: "请求过大 / the request body is larger than 4 MiB",
    422: "字段有误 / invalid fields: errors maps each field to its messages",
}


def answers(*codes: int) -> Callable[[Callable], Callable]:
    """Document the error responses a route can give."""

    def decorate(view):
        for code in codes:
            view = blp.alt_response(code, schema=ErrorSchema, description=ERROR_MEANINGS[code])(view)
        return view

    return decorate


def _dossier(ref: str | int) -> Dossier:
    """One work order as the caller may see it; an auditor's sight of sealed fields is audited."""
    username = caller().username
    with web.db().reading() as session:
        view = dossier(session, ref, username)
    if view.may_read_sealed and view.sealed:
        with web.db().transaction() as session:
            record_sealed_read(session, find_work_order(session, view.work_order.id), username, purpose="REST API")
    return view


@blp.route("/work-orders", methods=["POST"])
@blp.arguments(OpenWorkOrderRequest)
@blp.response(201, WorkOrderSchema)
@answers(400, 401, 403, 404, 413, 422)
def open_work_order_resource(body: dict) -> tuple[Dossier, int, dict[str, str]]:
    """Open a work order of any deployed flow (the token's user must be in the flow's start lane)."""
    opened = open_work_order(web.db(), body["flow"], body["intake"], actor=caller().username, priority=body["priority"])
    return _dossier(opened.number), 201, {"Location": url_for(".read_work_order", ref=opened.number)}


@blp.route("/work-orders/<ref>", methods=["GET"])
@blp.response(200, WorkOrderSchema)
@answers(401, 403, 404)
def read_work_order(ref: str) -> Dossier:
    """A work order (by number, or id) with its tasks and deadlines; sealed fields masked."""
    return _dossier(ref)


@blp.route("/work-orders/<ref>/events", methods=["POST"])
@blp.arguments(EventRequest)
@blp.response(200, WorkOrderSchema)
@answers(400, 401, 403, 404, 409, 413, 422)
def send_event_resource(body: dict, ref: str) -> Dossier:
    """Deliver a message the work order waits for (e.g. crew_arrived); 409 if it is not waiting for it."""
    with web.db().reading() as session:
        work_order = find_work_order(session, ref)
        require_view(session, work_order, caller().username)
    send_event(web.db(), work_order.id, body["name"], body["payload"], actor=caller().username)
    return _dossier(work_order.id)


@blp.route("/tasks", methods=["GET"])
@blp.arguments(TaskListQuery, location="query", unknown=ma.RAISE)
@blp.response(200, TaskPageSchema)
@answers(401, 422)
def list_tasks(query: dict) -> dict:
    """Ready tasks of the token user's groups (view=group, unclaimed) or claimed by it (view=mine).

    An unknown query parameter is refused (422), so a misspelt filter cannot silently list everything.
    """
    with web.db().reading() as session:
        page = inbox(session, caller().username, InboxQuery(
            view=query["view"], flow=query["flow"], overdue_only=query["overdue"], sort=query["sort"],
            page=query["page"], per_page=query["per_page"]))
    return {"items": page.tasks, "total": page.total, "page": page.page, "per_page": page.per_page,
            "counts": page.counts}


@blp.route("/tasks/<int:task_id>", methods=["GET"])
@blp.response(200, TaskDetailSchema)
@answers(401, 403, 404)
def read_task(task_id: int) -> dict:
    """A task and the form its completion must carry."""
    with web.db().reading() as session:
        task, _view = task_view(session, task_id, caller().username)
    return {"task": task, "form": _form(task.form_key)}


def _form(key: str) -> dict | None:
    if key not in forms.FORMS:
        return None
    definition = forms.FORMS[key]
    return {"key": key, "title_zh": definition.title_zh, "title_en": definition.title_en,
            "fields": forms.describe_form(key)}


@blp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@blp.response(200, InboxTaskSchema)
@answers(401, 403, 404, 409)
def claim_task_resource(task_id: int) -> HumanTask:
    """Take a group task into the token user's own queue; of two claimers one gets 409."""
    return claim_task(web.db(), task_id, actor=caller().username)


@blp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@blp.arguments(CompleteTaskRequest)
@blp.response(200, CompletedTaskSchema)
@answers(400, 401, 403, 404, 409, 413, 422)
def complete_task_resource(body: dict, task_id: int) -> dict:
    """Submit a task's form and move the work order on."""
    task = complete_task(web.db(), task_id, body["data"], actor=caller().username,
                         expected_version=body["expected_version"])
    return {"task": task, "work_order": _dossier(task.work_order_id)}


@blp.route("/arrears-batches", methods=["POST"])
@blp.arguments(ArrearsBatchRequest)
@blp.response(201, ArrearsBatchResultSchema)
@answers(400, 401, 403, 404, 413, 422)
def submit_arrears_batch_resource(body: dict) -> dict:
    """Open one arrears reminder per customer; any bad row opens none (422, errors keyed "line N")."""
    opened = submit_arrears_batch(web.db(), body["rows"], actor=caller().username)
    return {"count": len(opened), "work_orders": opened}
