"""The Flask application: agent intake, department inboxes, work-order pages, REST API."""
from __future__ import annotations

import os

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from engine.config import load_settings
from engine.db import Database
from engine.queries import MAX_ID
from engine.scheduler import start_background


MAX_REQUEST_BYTES = 4 * 1024 * 1024
"""Any request body: room for a 2 MiB BPMN upload (engine.deployment.MAX_BPMN_BYTES) and its JSON escaping."""
MAX_FORM_FIELD_BYTES = 256 * 1024
"""One text field of a multipart form; the longest form text (5000 characters) is under 20 KiB."""
MAX_FORM_PARTS = 500
"""Fields of one multipart form; the largest page (the migration list) sends about 60."""


class RowIdConverter(IntegerConverter):
    """Every ``<int:...>`` in a route: beyond :data:`~engine.queries.MAX_ID` it names no row, so 404.

    Without the bound such a number reaches the database and overflows its integer column (500).
    """

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; ``test_config`` overrides settings (tests pass DATABASE_URL, TESTING ...)."""
    settings = load_settings()
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.url_map.converters["int"] = RowIdConverter
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.database_url,
        SCHEDULER_ENABLED=settings.scheduler_enabled,
        TICKETFLOW_SETTINGS=settings,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_FORM_FIELD_BYTES,
        MAX_FORM_PARTS=MAX_FORM_PARTS,
    )
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    app.extensions["ticketflow.db"] = Database(app.config["DATABASE_URL"])

    from web import extensions

    extensions.init_app(app)
    return app


def start_scheduler(app: Flask) -> None:
    """Sweep timers inside this server process unless ``TICKETFLOW_SCHEDULER=0``.

    Only the WSGI entry point calls this, so CLI commands and tests never start a sweeper.
    """
    if app.testing or not app.config["SCHEDULER_ENABLED"] or "ticketflow.scheduler" in app.extensions:
        return
    app.extensions["ticketflow.scheduler"] = start_background(db(app), app.config["TICKETFLOW_SETTINGS"])


def db(app: Flask | None = None) -> Database:
    """The app's :class:`~engine.db.Database`."""
    from flask import current_app

    return (app or current_app).extensions["ticketflow.db"]
