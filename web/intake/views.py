"""Agent intake: one screen per flow the agent may open, rendered from its start form.

Looking up the caller's phone lists their open work orders. When the start form has a
``link_to`` field (fault repair) and an open job of the same flow exists at the address, the
screen offers to link the call to it instead of opening a second job.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from engine.errors import ValidationFailed
from engine.queries import open_jobs_at, open_work_orders_for_phone, startable_version, startable_versions
from engine.workorders import open_work_order
from web import db
from web.auth.identity import require_login
from web.form_rendering import field_errors, fields_of, read_submission

bp = Blueprint("intake", __name__, url_prefix="/intake", template_folder="templates")
bp.before_request(require_login)

@bp.get("/")
def index() -> ResponseReturnValue:
    with db().reading() as session:
        versions = startable_versions(session, current_user.username)
    return render_template("intake/index.html", versions=versions)


def _lookups(flow_type: str, values: dict, can_link: bool) -> dict:
    """The caller's open work orders, and open jobs at the address when calls can be linked."""
    with db().reading() as session:
        found = {"phone": values.get("customer_phone", ""), "calls": [], "jobs": []}
        if found["phone"]:
            found["calls"] = open_work_orders_for_phone(session, found["phone"], current_user.username)
        if can_link and values.get("customer_address"):
            found["jobs"] = open_jobs_at(session, values["customer_address"], flow_type)
        return found


def _page(version, values: dict, errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    form_fields = fields_of(version.start_form_key)
    can_link = any(f["name"] == "link_to" for f in form_fields)
    return render_template(
        "intake/form.html", version=version, fields=form_fields, values=values, errors=errors or {},
        lookups=_lookups(version.process_id, values, can_link), can_link=can_link,
    ), status


@bp.route("/<flow_type>", methods=["GET", "POST"])
def start(flow_type: str) -> ResponseReturnValue:
    with db().reading() as session:
        version = startable_version(session, flow_type, current_user.username)
    if request.method == "GET":
        prefill = {k: request.args[k] for k in ("customer_phone", "customer_address", "link_to") if request.args.get(k)}
        return _page(version, prefill)
    values = read_submission(version.start_form_key, request.form)
    if request.form.get("action") == "lookup":
        return _page(version, values)
    try:
        work_order = open_work_order(db(), flow_type, values, actor=current_user.username)
    except ValidationFailed as exc:
        return _page(version, values, field_errors(exc.errors), 422)
    flash(_("Work order %(number)s opened.", number=work_order.number), "success")
    return redirect(url_for("workorders.show", ref=work_order.number))
