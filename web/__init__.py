"""The Flask application: agent intake, department inboxes, work-order pages, REST API."""
from __future__ import annotations

import os

from flask import Flask

from engine.config import load_settings
from engine.db import Database
from engine.scheduler import start_background


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; ``test_config`` overrides settings (tests pass DATABASE_URL, TESTING ...)."""
    settings = load_settings()
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.database_url,
        SCHEDULER_ENABLED=settings.scheduler_enabled,
        TICKETFLOW_SETTINGS=settings,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
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
