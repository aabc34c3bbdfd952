"""Flask extensions, bound to the app with ``init_app`` (the feature blueprints register here too)."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Bind extensions and register every feature blueprint."""
    from web import api, errors, i18n, templating
    from web.assets.views import bp as assets_bp
    from web.auth.identity import login_manager
    from web.auth.views import bp as auth_bp
    from web.handover.views import bp as handover_bp
    from web.health.views import bp as health_bp
    from web.inbox.views import bp as inbox_bp
    from web.intake.views import bp as intake_bp
    from web.modeller.views import bp as modeller_bp
    from web.oversight.views import bp as oversight_bp
    from web.tasks.views import bp as tasks_bp
    from web.workorders.views import bp as workorders_bp

    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    # A task form may stay open for a whole shift; the token is bound to the session, not a clock.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    for blueprint in (auth_bp, inbox_bp, intake_bp, tasks_bp, workorders_bp, handover_bp, assets_bp, oversight_bp,
                      modeller_bp, health_bp):
        app.register_blueprint(blueprint)
    api.init_app(app)
