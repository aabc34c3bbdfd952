"""The task page: its form rendered from the schema, the work order's context beside it.

Claim, release and hand-over are small POSTs that return to where the user came from;
a lost race (someone claimed first) comes back as a flash message, not an error page.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from engine.dossier import task_view
from engine.errors import Conflict, InvalidState, ValidationFailed
from engine.oversight import record_sealed_read
from engine.queries import find_work_order, group_members
from engine.tasks import claim_task, complete_task, reassign_task, unclaim_task
from web import db
from web.auth.identity import require_login
from web.auth.safety import safe_next
from web.form_rendering import field_errors, fields_of, read_submission
from web.i18n import bilingual

bp = Blueprint("tasks", __name__, url_prefix="/tasks", template_folder="templates")
bp.before_request(require_login)


def _page(task_id: int, values: dict | None = None, errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    with db().reading() as session:
        task, dossier = task_view(session, task_id, current_user.username)
        members = group_members(session, task.group_name) if task.state == "ready" else []
    if dossier.may_read_sealed and dossier.sealed:
        with db().transaction() as session:
            record_sealed_read(session, find_work_order(session, task.work_order_id), current_user.username,
                               purpose="task page")
    may_act = task.group_name in current_user.group_names and task.state == "ready" and task.claimed_by in (
        None, current_user.username)
    return render_template(
        "tasks/task.html", task=task, dossier=dossier, fields=fields_of(task.form_key), values=values or {},
        errors=errors or {}, may_act=may_act, members=members,
    ), status


@bp.get("/<int:task_id>")
def show(task_id: int) -> ResponseReturnValue:
    return _page(task_id)


@bp.post("/<int:task_id>")
def complete(task_id: int) -> ResponseReturnValue:
    with db().reading() as session:
        task, _dossier = task_view(session, task_id, current_user.username)
    values = read_submission(task.form_key, request.form)
    try:
        complete_task(db(), task_id, values, actor=current_user.username)
    except ValidationFailed as exc:
        return _page(task_id, values, field_errors(exc.errors), 422)
    flash(_("“%(name)s” completed for %(number)s.", name=task.name, number=task.work_order.number), "success")
    return redirect(url_for("inbox.index", view="mine"))


def _act(task_id: int, action, *args) -> bool:
    try:
        action(db(), task_id, *args, actor=current_user.username)
    except (Conflict, InvalidState) as exc:
        flash(bilingual(exc.message), "warning")
        return False
    return True


def _back(task_id: int) -> ResponseReturnValue:
    return redirect(safe_next(request.form.get("next"), url_for("tasks.show", task_id=task_id)), code=303)


@bp.post("/<int:task_id>/claim")
def claim(task_id: int) -> ResponseReturnValue:
    if _act(task_id, claim_task):
        flash(_("The step is now in your inbox."), "success")
    return _back(task_id)


@bp.post("/<int:task_id>/unclaim")
def unclaim(task_id: int) -> ResponseReturnValue:
    if _act(task_id, unclaim_task):
        flash(_("The step is back in the group queue."), "info")
    return _back(task_id)


@bp.post("/<int:task_id>/reassign")
def reassign(task_id: int) -> ResponseReturnValue:
    assignee = request.form.get("assignee", "").strip()
    if _act(task_id, reassign_task, assignee):
        flash(_("The step was handed to %(user)s.", user=assignee), "success")
    return _back(task_id)
