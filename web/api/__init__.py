"""The REST API under ``/api/v1`` for other systems, its OpenAPI document and reference page."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from web.api.auth import SECURITY_SCHEME
from web.api.errors import ErrorSchema, answer_routing_errors_as_json

API_SETTINGS = {
    "API_TITLE": "ticketflow 95598 API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "security": [{"bearerAuth": []}],
        "info": {"description": "供电 95598 工单系统接口，供电话/IVR、电费等系统调用 / "
                                "Work orders, tasks and events for telephony/IVR, billing and other systems. "
                                "Every error answers JSON: {code, status, error, message, errors}."},
    },
}


class RestApi(Api):
    """flask-smorest's Api, minus its app-wide JSON error handler (the HTML pages keep theirs).

    Nor does any operation document a catch-all ``default`` response: each lists the statuses it
    can really give, so a caller (and the fuzz test) can rely on the list, and 5xx is never in it.
    """

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """The API blueprints register their own JSON handlers (see ``web.api.errors``)."""


def init_app(app: Flask) -> None:
    """Mount the API, its OpenAPI JSON, the Swagger UI page and the ``api-token`` commands."""
    from web.api.commands import api_token
    from web.api.docs import bp as reference
    from web.api.views import blp

    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    api = RestApi(app)
    api.spec.components.security_scheme("bearerAuth", SECURITY_SCHEME)
    api.register_blueprint(blp)
    app.register_blueprint(reference)
    answer_routing_errors_as_json(app)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(blp)
    app.extensions["ticketflow.api"] = api
    app.cli.add_command(api_token)
