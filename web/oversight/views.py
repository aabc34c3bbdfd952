"""Auditor pages: search every work order, prove the audit chain intact, replay a work order step by step."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engine.audit import verify_chain
from engine.directory import get_user
from engine.errors import PermissionDenied
from engine.exports import as_csv, as_xlsx, audit_event_rows, work_order_rows
from engine.kpi import dashboard
from engine.directory import DEPARTMENTS
from engine.oversight import SHANGHAI, Criteria, record_sealed_read, require_auditor, search
from engine.queries import OVERSEERS, find_work_order, latest_versions
from engine.reexecution import check
from engine.runtime import utcnow
from engine.replay import replay
from web import db
from web.auth.identity import require_login

bp = Blueprint("oversight", __name__, url_prefix="/audit", template_folder="templates")
bp.before_request(require_login)

BREACHED = {"yes": True, "no": False}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def criteria_from(args) -> Criteria:
    """Search criteria from query-string arguments (unreadable dates are ignored)."""
    return Criteria(
        number=args.get("number", "").strip(), phone=args.get("phone", "").strip(), flow=args.get("flow", ""),
        department=args.get("department", ""), opened_from=_day(args.get("from", "")),
        opened_to=_day(args.get("to", "")), breached=BREACHED.get(args.get("breached", "")),
    )


@bp.get("/")
def index() -> ResponseReturnValue:
    criteria = criteria_from(request.args)
    with db().reading() as session:
        require_auditor(session, current_user.username)
        flows = [v.process_id for v in latest_versions(session)]
        found = search(session, criteria, current_user.username) if request.args else []
    return render_template("oversight/search.html", criteria=criteria, args=request.args, flows=flows,
                           departments=list(DEPARTMENTS), found=found, searched=bool(request.args))


@bp.get("/chain")
def chain() -> ResponseReturnValue:
    with db().reading() as session:
        require_auditor(session, current_user.username)
        report = verify_chain(session)
    return render_template("oversight/chain.html", report=report)


@bp.get("/replay/<ref>")
def show_replay(ref: str) -> ResponseReturnValue:
    with db().reading() as session:
        history = replay(session, ref, current_user.username)
    if history.may_read_sealed:
        with db().transaction() as session:
            record_sealed_read(session, find_work_order(session, history.work_order.id), current_user.username,
                               purpose="replay")
    start = request.args.get("step", "")
    step = int(start) if start.isdecimal() and int(start) < len(history.frames) else 0
    frames = [{
        "index": f.index, "seq": f.seq, "at": f.at.isoformat(), "kind": f.kind, "actor": f.actor, "event": f.event,
        "markers": f.markers(), "data": f.data, "changed": f.changed, "deadlines": f.deadlines,
    } for f in history.frames]
    return render_template("oversight/replay.html", history=history, frames=frames, step=step)


@bp.post("/replay/<ref>/re-execute")
def re_execute(ref: str) -> ResponseReturnValue:
    """Re-run the recorded inputs on a throwaway database and compare (auditors only: it is costly)."""
    with db().reading() as session:
        require_auditor(session, current_user.username)
        work_order = find_work_order(session, ref)
        result = check(session, work_order.id)
    with db().transaction() as session:
        record_sealed_read(session, find_work_order(session, work_order.id), current_user.username,
                           purpose="re-execution check")
    return render_template("oversight/re_execute.html", work_order=work_order, result=result)


DEFAULT_DAYS = 30


def _period() -> tuple[date, date]:
    """The period asked for (default: the last 30 Shanghai days), earliest day first."""
    last = _day(request.args.get("to", "")) or utcnow().astimezone(SHANGHAI).date()
    first = _day(request.args.get("from", "")) or last - timedelta(days=DEFAULT_DAYS - 1)
    return min(first, last), max(first, last)


@bp.get("/dashboard")
def kpi() -> ResponseReturnValue:
    """Timeliness, backlog, breaches, handling time and callbacks for a period (auditors and shift leads)."""
    now = utcnow()
    first, last = _period()
    with db().reading() as session:
        if not get_user(session, current_user.username).group_names & OVERSEERS:
            raise PermissionDenied("仅值班长与审计员可看 / only shift leads and auditors may see the dashboard")
        figures = dashboard(session, first, last, now=now)
    return render_template("oversight/dashboard.html", figures=figures)


EXPORTS = {"work-orders": work_order_rows, "audit-events": audit_event_rows}
FORMATS = {
    "csv": ("text/csv; charset=utf-8", lambda rows, _title: as_csv(rows)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_xlsx),
}


@bp.get("/export/<what>.<fmt>")
def export(what: str, fmt: str) -> ResponseReturnValue:
    """Work orders or audit events of a period as CSV or XLSX, redacted for the person exporting."""
    if what not in EXPORTS or fmt not in FORMATS:
        abort(404)
    first, last = _period()
    with db().transaction() as session:
        rows = EXPORTS[what](session, first, last, current_user.username)
    mimetype, render = FORMATS[fmt]
    name = f"{what}-{first:%Y%m%d}-{last:%Y%m%d}.{fmt}"
    return Response(render(rows, what), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
