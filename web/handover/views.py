"""Shift handover (交接班, art. 22): a department's open items, what to chase, the shift's breaches."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engine.queries import handover, handover_groups
from web import db
from web.auth.identity import require_login

bp = Blueprint("handover", __name__, url_prefix="/handover", template_folder="templates")
bp.before_request(require_login)

DEFAULT_HOURS = 8
MAX_HOURS = 72


@bp.get("/")
def index() -> ResponseReturnValue:
    hours = request.args.get("hours", "")
    hours = min(int(hours), MAX_HOURS) if hours.isdecimal() and int(hours) > 0 else DEFAULT_HOURS
    with db().reading() as session:
        groups = handover_groups(session, current_user.username)
        group = request.args.get("group") or next((g for g in groups if g in current_user.group_names), None) or (
            groups[0] if groups else None)
        report = handover(session, group, current_user.username, hours=hours) if group else None
    return render_template("handover/index.html", groups=groups, group=group, hours=hours, report=report)
