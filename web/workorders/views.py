"""Work-order pages: search by number or phone, the full work order, and its diagram XML."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engine.dossier import diagram_markers, diagram_xml, dossier
from engine.oversight import record_sealed_read
from engine.queries import find_work_order, search_work_orders
from web import db
from web.auth.identity import require_login

bp = Blueprint("workorders", __name__, url_prefix="/work-orders", template_folder="templates")
bp.before_request(require_login)


@bp.get("/")
def search() -> ResponseReturnValue:
    text = request.args.get("q", "").strip()
    with db().reading() as session:
        found = search_work_orders(session, text, current_user.username) if text else []
    return render_template("workorders/search.html", text=text, found=found)


@bp.get("/<ref>")
def show(ref: str) -> ResponseReturnValue:
    with db().reading() as session:
        view = dossier(session, ref, current_user.username)
        markers = diagram_markers(session, view.work_order)
    if view.may_read_sealed and view.sealed:
        with db().transaction() as session:
            record_sealed_read(session, find_work_order(session, view.work_order.id), current_user.username,
                               purpose="work order page")
    return render_template("workorders/show.html", dossier=view, markers=markers.to_dict())


@bp.get("/<ref>/diagram.bpmn")
def diagram(ref: str) -> ResponseReturnValue:
    """The exact XML of the process version this work order runs on (for the viewer)."""
    with db().reading() as session:
        xml, _markers = diagram_xml(session, ref, current_user.username)
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "private, max-age=300"})
