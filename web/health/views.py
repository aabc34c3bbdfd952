"""``/healthz``: the load balancer's probe — is this worker up and can it reach the database?"""
from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

import web
from web.extensions import csrf

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@csrf.exempt
def healthz() -> tuple[dict, int]:
    """Answer 200 when the database answers, 503 otherwise (no sign-in: probes carry no session)."""
    try:
        with web.db().reading() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 — any database failure means "take me out of rotation"
        return {"status": "unavailable", "database": type(exc).__name__}, 503
    return {"status": "ok", "database": "ok"}, 200
