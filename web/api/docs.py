"""The API reference page: Swagger UI served from this server (npm's swagger-ui-dist), never a CDN."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, send_from_directory, url_for
from werkzeug.exceptions import NotFound

from web.api.errors import register_error_handlers

SWAGGER_UI_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"
SWAGGER_UI_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css"})

bp = Blueprint("api_reference", __name__, url_prefix="/api/v1/docs", template_folder="templates",
               static_folder="static", static_url_path="/static")
register_error_handlers(bp)


@bp.get("")
def page() -> str:
    """The interactive reference, reading /api/v1/openapi.json."""
    return render_template("api/swagger.html", title=current_app.config["API_TITLE"],
                           spec_url=url_for("api-docs.openapi_json"))


@bp.get("/assets/<name>")
def asset(name: str) -> Response:
    """One of Swagger UI's two files, from node_modules (installed by ``npm ci``)."""
    if name not in SWAGGER_UI_FILES:
        raise NotFound(f"no such documentation asset: {name}")
    if not (SWAGGER_UI_DIR / name).is_file():
        raise NotFound("Swagger UI 未安装，请运行 scripts/install.sh / swagger-ui-dist is missing: run scripts/install.sh (npm ci)")
    return send_from_directory(SWAGGER_UI_DIR, name, max_age=86400)
