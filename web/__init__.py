"""The Flask application: agent intake, department inboxes, work-order pages, REST API."""
from __future__ import annotations

import os

from flask import Flask

from engine.config import load_settings
from engine.db import Database


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
    _maybe_start_scheduler(app)
    return app


def _maybe_start_scheduler(app: Flask) -> None:
    """Sweep timers in this process unless disabled, testing, or this is the reloader's parent."""
    if app.testing or not app.config["SCHEDULER_ENABLED"]:
        return
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    from engine.scheduler import start_background

    app.extensions["ticketflow.scheduler"] = start_background(db(app), app.config["TICKETFLOW_SETTINGS"])


def db(app: Flask | None = None) -> Database:
    """The app's :class:`~engine.db.Database`."""
    from flask import current_app

    return (app or current_app).extensions["ticketflow.db"]
