"""Engine errors become pages: NotFound 404, PermissionDenied 403, Conflict/InvalidState 409.

HTTP errors get the same page, including 413 for a request over the size limits set in ``web``.

ValidationFailed is handled by the views themselves (the form is shown again with each
message next to its field); reaching here means a view forgot, so it still gets a 422 page.
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationFailed
from web.i18n import bilingual, pick

STATUS_OF = {NotFound: 404, PermissionDenied: 403, Conflict: 409, InvalidState: 409, ValidationFailed: 422}


def _titles() -> dict[int, str]:
    return {
        400: _("The request was refused"),
        403: _("Not allowed"),
        404: _("Not found"),
        409: _("Someone else got there first"),
        413: pick("文件或表单过大", "Too large"),
        422: _("The form has errors"),
    }


def render_error(status: int, message: str) -> ResponseReturnValue:
    """The error page, inside the normal layout, with the original status code."""
    title = _titles().get(status, _("Something went wrong"))
    return render_template("error.html", status=status, title=title, message=message), status


def _engine_error(exc) -> ResponseReturnValue:
    status = next(code for kind, code in STATUS_OF.items() if isinstance(exc, kind))
    return render_error(status, bilingual(exc.message))


def _csrf_error(exc: CSRFError) -> ResponseReturnValue:
    return render_error(400, _("The form expired or did not come from this site; reload the page and try again."))


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    return render_error(exc.code or 500, exc.description or "")


def _too_large(exc: HTTPException) -> ResponseReturnValue:
    """The page, or for the modeller's JSON posts the problem list its page shows."""
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    message = pick(f"上传的文件或提交的表单过大，上限为 {limit} MiB（每个文本字段另有上限）。",
                   f"The upload or form is too large: the limit is {limit} MiB (and less for any one text field).")
    if request.is_json:
        return jsonify(message=message, problems=[{"element_id": "", "element_name": "", "message": message}]), 413
    return render_error(413, message)


def init_app(app: Flask) -> None:
    for kind in STATUS_OF:
        app.register_error_handler(kind, _engine_error)
    app.register_error_handler(CSRFError, _csrf_error)
    for code in (400, 403, 404, 405):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(413, _too_large)
