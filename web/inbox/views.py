"""Department inbox: the group queue and my own steps, filtered, sorted, paged, with counts."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engine.inbox import SORTS, InboxQuery, deployed_flows, inbox
from web import db
from web.auth.identity import require_login

bp = Blueprint("inbox", __name__, template_folder="templates")
bp.before_request(require_login)

PER_PAGE = 25


def _query() -> InboxQuery:
    """The inbox query from the URL; unknown values fall back to the defaults."""
    args = request.args
    view = args.get("view") if args.get("view") in ("group", "mine") else "group"
    group = args.get("group") if args.get("group") in current_user.group_names else None
    sort = args.get("sort") if args.get("sort") in SORTS else "due"
    page = int(args["page"]) if args.get("page", "").isdecimal() and int(args["page"]) > 0 else 1
    return InboxQuery(view=view, group=group, flow=args.get("flow") or None, overdue_only=args.get("overdue") == "1",
                      sort=sort, page=page, per_page=current_app.config.get("INBOX_PER_PAGE", PER_PAGE))


@bp.get("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("inbox.index"))


@bp.get("/inbox")
def index() -> ResponseReturnValue:
    query = _query()
    with db().reading() as session:
        result = inbox(session, current_user.username, query)
        flows = deployed_flows(session)
    pages = max(1, -(-result.total // result.per_page))
    filters = {k: v for k, v in request.args.items() if k not in ("page", "view") and v}
    return render_template("inbox/index.html", query=query, result=result, pages=pages, flows=flows, filters=filters,
                           lane_groups=sorted(current_user.group_names - {"process_owner", "auditor"}))
