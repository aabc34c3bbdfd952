"""JSON error bodies for every failure under ``/api/v1``, never an HTML page.

Body: ``{"code": 409, "status": "Conflict", "error": "conflict", "message": "...", "errors": {...}}``.
Mapping: validation (webargs or a form) → 422 with ``errors`` {field: [messages]}; unknown
work order or task → 404; :class:`Conflict` and :class:`InvalidState` → 409 (the request was
well-formed but the work order is not in a state that allows it; ``error`` tells them apart);
:class:`PermissionDenied` → 403; missing or bad token → 401.
"""
from __future__ import annotations

from http import HTTPStatus

import marshmallow as ma
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, default_exceptions

from engine.api_tokens import InvalidToken
from engine.errors import Conflict, InvalidState, NotFound, PermissionDenied, TicketflowError, ValidationFailed

API_PREFIX = "/api/v1"
BEARER_CHALLENGE = 'Bearer realm="ticketflow"'
ENGINE_ERRORS: dict[type[TicketflowError], tuple[int, str]] = {
    ValidationFailed: (422, "validation_failed"),
    NotFound: (404, "not_found"),
    PermissionDenied: (403, "permission_denied"),
    Conflict: (409, "conflict"),
    InvalidState: (409, "invalid_state"),
    InvalidToken: (401, "unauthorized"),
}


class ErrorSchema(ma.Schema):
    """The body of every error response (documentation only)."""

    code = ma.fields.Integer(metadata={"description": "HTTP status code"})
    status = ma.fields.String(metadata={"description": "HTTP status phrase"})
    error = ma.fields.String(metadata={"description": "machine-readable kind: validation_failed, not_found, "
                                                      "permission_denied, conflict, invalid_state, unauthorized ..."})
    message = ma.fields.String(metadata={"description": "a sentence fit to show a person (Chinese / English)"})
    errors = ma.fields.Dict(metadata={"description": "field name → list of messages (422 only)"})


def error_response(code: int, message: str, *, kind: str | None = None, errors: dict | None = None,
                   headers: dict | None = None) -> Response:
    """A JSON error response."""
    status = HTTPStatus(code)
    body = {"code": code, "status": status.phrase, "error": kind or status.phrase.lower().replace(" ", "_"),
            "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    response.headers.update(headers or {})
    if code == 401:
        response.headers.setdefault("WWW-Authenticate", BEARER_CHALLENGE)
    return response


def _engine_error(exc: TicketflowError):
    code, kind = next((v for cls, v in ENGINE_ERRORS.items() if isinstance(exc, cls)), (400, "bad_request"))
    errors = exc.errors if isinstance(exc, ValidationFailed) else None
    return error_response(code, exc.message, kind=kind, errors=errors)


def _field_messages(messages: dict) -> dict:
    """webargs keys messages by location (json, query ...); callers want field → messages."""
    merged: dict = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            merged.update(fields)
        else:
            merged[location] = fields
    return merged


def _http_error(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if exc.code == 422 and messages:
        return error_response(422, "请求参数有误 / the request has invalid fields", kind="validation_failed",
                              errors=_field_messages(messages), headers=data.get("headers"))
    if exc.code == 400 and messages:
        return error_response(400, "请求格式有误 / the request body is not valid JSON", errors=_field_messages(messages))
    if exc.code == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return error_response(413, f"请求过大 / the request body is larger than {limit} MiB")
    headers = {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else None
    return error_response(exc.code or 500, exc.description or HTTPStatus(exc.code or 500).phrase, headers=headers)


def _unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    current_app.logger.exception("unhandled error in %s %s", request.method, request.path)
    return error_response(500, "服务器内部错误 / internal error; it has been logged", kind="internal_error")


def register_error_handlers(blueprint: Blueprint) -> None:
    """Answer every error raised inside the API blueprint with JSON.

    Handlers are registered per status code too, because Flask prefers an app-wide handler
    for a code (the HTML UI's 404 page, say) over a blueprint's handler for a class.
    """
    blueprint.register_error_handler(TicketflowError, _engine_error)
    for code in default_exceptions:
        blueprint.register_error_handler(code, _http_error)
    blueprint.register_error_handler(Exception, _unexpected)


def answer_routing_errors_as_json(app: Flask) -> None:
    """Unknown paths and wrong methods under the API prefix get JSON too.

    Flask raises those before any blueprint is chosen, so no blueprint handler sees them;
    this hook runs first among the app's ``before_request`` functions for that reason.
    """

    def routing_error_as_json():
        exc = request.routing_exception
        if exc is None or not (request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")):
            return None
        if isinstance(exc, HTTPException) and (exc.code or 500) >= 400:
            return _http_error(exc)
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, routing_error_as_json)
