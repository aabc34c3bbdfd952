"""Browser packages installed from npm (``npm ci`` into ``node_modules``), served locally: no CDN.

Only the files the pages load are exposed: the bpmn-js viewer bundle and its stylesheets, and
Chart.js for the audit dashboard.
``BPMN_JS_DIST`` overrides where the bundle lives (default: ``<repo>/node_modules/bpmn-js/dist``).
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from flask.typing import ResponseReturnValue

bp = Blueprint("assets", __name__, url_prefix="/vendor")

ROOT = Path(__file__).resolve().parents[2]
BPMN_JS_FILES = {
    "bpmn-navigated-viewer.production.min.js",
    "assets/diagram-js.css",
    "assets/bpmn-js.css",
}


@bp.get("/bpmn-js/<path:filename>")
def bpmn_js(filename: str) -> ResponseReturnValue:
    if filename not in BPMN_JS_FILES:
        abort(404)
    folder = current_app.config.get("BPMN_JS_DIST") or ROOT / "node_modules" / "bpmn-js" / "dist"
    return send_from_directory(folder, filename, max_age=86400)


CHART_JS_FILES = {"chart.umd.min.js"}


@bp.get("/chart.js/<path:filename>")
def chart_js(filename: str) -> ResponseReturnValue:
    if filename not in CHART_JS_FILES:
        abort(404)
    return send_from_directory(ROOT / "node_modules" / "chart.js" / "dist", filename, max_age=86400)
