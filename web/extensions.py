"""Flask extensions, bound to the app with ``init_app`` (the feature blueprints register here too)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Bind extensions and register every feature blueprint."""
