"""Sign in, sign out, and switch the interface language."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from web import db
from web.auth.identity import authenticate
from web.auth.safety import safe_next
from web.i18n import LANGUAGES

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    error = None
    if request.method == "POST":
        with db().reading() as s:
            staff = authenticate(s, request.form.get("username", ""), request.form.get("password", ""))
        if staff is not None:
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(staff)
            return redirect(safe_next(request.args.get("next"), url_for("inbox.index")))
        error = _("Unknown username or wrong password.")
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> ResponseReturnValue:
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))
