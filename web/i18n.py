"""Languages: Chinese first (zh_CN), English on request; the choice lives in the session.

Interface text goes through Flask-Babel gettext (English msgids, Chinese in
``web/translations/zh``: Babel reads ``zh_CN`` as ``zh_Hans_CN``, which gettext finds under ``zh``). Data that arrives bilingual — form labels, group titles, engine
messages written "中文 / English" — is picked with :func:`pick` and :func:`bilingual`.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, session
from flask_babel import Babel, get_locale

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_CN"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

babel = Babel()


def select_locale() -> str:
    """The session's language, else the configured default (Chinese)."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else current_app.config["BABEL_DEFAULT_LOCALE"]


def lang() -> str:
    """``zh`` or ``en``: which half of bilingual data to show."""
    return "en" if str(get_locale()).startswith("en") else "zh"


def pick(zh: str, en: str) -> str:
    """The text for the current language, falling back to the other one when empty."""
    return (en or zh) if lang() == "en" else (zh or en)


def bilingual(text: str) -> str:
    """One half of an engine message written ``中文 / English``; the whole text otherwise."""
    zh, sep, en = str(text).partition(" / ")
    if not sep:
        return str(text)
    return pick(zh.strip(), en.strip())


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the session's language and the Asia/Shanghai time zone."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(pick=pick, lang=lang, LANGUAGES=LANGUAGES, current_locale=select_locale)
    app.jinja_env.filters["bilingual"] = bilingual
