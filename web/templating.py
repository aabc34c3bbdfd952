"""Jinja filters and globals every page uses: local times, countdowns, deadlines, titles."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

import forms
from engine.calendar import Deadline
from engine.directory import SYSTEM_ACTOR
from engine.inbox import urgency
from engine.runtime import utcnow
from web.i18n import lang, pick

SHANGHAI = ZoneInfo("Asia/Shanghai")

FLOW_TITLES = {
    "fault_repair": ("故障报修", "Fault repair"),
    "complaint": ("投诉", "Complaint"),
    "tip_off": ("举报", "Tip-off"),
    "power_application": ("用电申请", "Power application"),
    "arrears_reminder": ("欠费催交", "Arrears reminder"),
}
STATUS_LABELS = {"open": _l("Open"), "closed": _l("Closed"), "cancelled": _l("Cancelled")}
TASK_STATES = {"ready": _l("Open"), "completed": _l("Completed"), "cancelled": _l("Withdrawn")}
EVENT_LABELS = {
    "work_order.opened": _l("Work order opened"),
    "work_order.closed": _l("Work order closed"),
    "work_order.cancelled": _l("Work order cancelled"),
    "task.ready": _l("Step ready"),
    "task.claimed": _l("Step claimed"),
    "task.unclaimed": _l("Step released"),
    "task.reassigned": _l("Step reassigned"),
    "task.completed": _l("Step completed"),
    "task.cancelled": _l("Step withdrawn"),
    "timer.fired": _l("Timer fired"),
    "deadline.breached": _l("Deadline missed"),
    "event.received": _l("Event received"),
    "outbox.queued": _l("Message queued"),
    "sealed.read": _l("Sealed fields read"),
}

# Events whose whole content the timeline line, the records or the messages already show.
SUMMARISED_EVENTS = frozenset({"task.ready", "task.claimed", "task.unclaimed", "task.completed", "task.reassigned",
                               "work_order.opened", "work_order.closed", "outbox.queued"})


def as_instant(value) -> datetime | None:
    """An aware UTC instant from a datetime (naive = UTC, as stored) or ISO text."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def localtime(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Show an instant on the Asia/Shanghai wall clock."""
    instant = as_instant(value)
    return instant.astimezone(SHANGHAI).strftime(fmt) if instant else ""


def duration_text(seconds: float) -> str:
    """Compact "2天3小时" / "2d 3h" text of a duration, minutes resolution."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, _("d")), (hours, _("h")), (mins, _("min"))]
    shown = [f"{n}{unit}" for n, unit in parts if n][:2]
    return (" " if lang() == "en" else "").join(shown) or f"0{_('min')}"


def remaining(due) -> str:
    """"3h 5min left" or "overdue 20min" from now."""
    instant = as_instant(due)
    if instant is None:
        return ""
    seconds = (instant - utcnow()).total_seconds()
    if seconds < 0:
        return _("overdue %(time)s", time=duration_text(seconds))
    return _("%(time)s left", time=duration_text(seconds))


def countdown(due) -> Markup:
    """A live countdown element (updated by static/js/countdown.js)."""
    instant = as_instant(due)
    if instant is None:
        return Markup('<span class="muted">—</span>')
    return Markup('<span class="countdown" data-due="{}">{}</span>').format(instant.isoformat(timespec="seconds"), remaining(instant))


def explain(deadline: dict | None) -> str:
    """A stored deadline's own explanation (start, rule, skipped days, provisional)."""
    if not deadline:
        return ""
    return Deadline.from_dict(deadline).explain(lang())


def flow_title(flow_type: str) -> str:
    """The flow's title; for flows beyond the five, the deployed process's own name."""
    titles = FLOW_TITLES.get(flow_type)
    if titles:
        return pick(*titles)
    names = getattr(g, "flow_names", None)
    if names is None:
        from engine.queries import latest_versions
        from web import db

        with db().reading() as session:
            names = g.flow_names = {v.process_id: v.name for v in latest_versions(session)}
    return names.get(flow_type) or flow_type


def group_title(name: str) -> str:
    """A department's title in the current language (titles are read once per request)."""
    titles = getattr(g, "group_titles", None)
    if titles is None:
        from engine.queries import group_titles
        from web import db

        with db().reading() as session:
            titles = g.group_titles = group_titles(session)
    return pick(*titles[name]) if name in titles else name


def person(username: str | None) -> str:
    """A username as the person's display name ("system" and unknown names stay as they are)."""
    if not username:
        return ""
    if username == SYSTEM_ACTOR:
        return _("system")
    names = g.setdefault("display_names", {})
    if username not in names:
        from sqlalchemy import select

        from engine.models import User
        from web import db

        with db().reading() as session:
            names[username] = session.scalar(select(User.display_name).where(User.username == username)) or username
    return names[username]


def form_title(key: str) -> str:
    definition = forms.FORMS.get(key)
    return pick(definition.title_zh, definition.title_en) if definition else key


def field_label(key: str, name: str) -> str:
    """A form field's label, or its name when the form no longer has it."""
    for described in _described(key):
        if described["name"] == name:
            return pick(described["label_zh"], described["label_en"])
    return name


def field_value(key: str, name: str, value) -> str:
    """A submitted value as a person reads it: choice labels, 是/否 for flags, local times."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    for described in _described(key):
        if described["name"] == name:
            if described["kind"] == "datetime" and isinstance(value, str):
                return localtime(value)
            labels = {c["value"]: pick(c["label_zh"], c["label_en"]) for c in described["choices"]}
            if isinstance(value, list):
                return "\n".join(_row(v) for v in value) if any(isinstance(v, dict) for v in value) else "、".join(
                    labels.get(v, str(v)) for v in value)
            return labels.get(value, "" if value is None else str(value))
    return "" if value is None else str(value)


def _row(value) -> str:
    """One record of a table field as "key: value, ..." text."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def record_rows(key: str, values: dict) -> list[tuple[str, str]]:
    """(label, shown value) of a submitted form, in the form's own field order; blanks left out."""
    order = [d["name"] for d in _described(key)]
    names = [n for n in order if n in values] + sorted(k for k in values if k not in order)
    return [(field_label(key, n), field_value(key, n, values[n])) for n in names if values[n] not in (None, "", [])]


def _described(key: str) -> list[dict]:
    return forms.describe_form(key) if key in forms.FORMS else []


def pretty(value) -> str:
    """Readable JSON (Chinese kept as text) for payload details."""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.filters.update(
        localtime=localtime, remaining=remaining, countdown=countdown, explain=explain, flow_title=flow_title,
        group_title=group_title, form_title=form_title, pretty=pretty, person=person,
    )
    app.jinja_env.globals.update(
        urgency=urgency, field_label=field_label, field_value=field_value, record_rows=record_rows, server_now=lambda: utcnow().isoformat(timespec="seconds"),
        STATUS_LABELS=STATUS_LABELS, TASK_STATES=TASK_STATES, EVENT_LABELS=EVENT_LABELS, SUMMARISED_EVENTS=SUMMARISED_EVENTS,
    )
