"""Deploy-time trial of every timer expression, so a bad deadline is refused before any work order waits on it.

Each timer is evaluated in the same sandbox, with the same calendar functions, that the engine
uses at run time, on sample data: the start form's fields, the usual timestamps, and a fake
timestamp for every other name the expression reads. It must yield a due time SpiffWorkflow
can read (an ISO datetime, or an ISO duration / recurring interval).
"""
from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta, timezone

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

import forms
from forms.registry import describe_form
from engine.calendar import WorkingDayCalendar, deadline_functions
from engine.errors import UnsafeScript
from engine.sandbox import make_script_engine
from engine.script_functions import local_hour, next_day_at

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
TIMESTAMPS = ("opened_at", "dispatched_at", "result_at", "interim_at", "rehandle_at", "arrived_at", "replied_at")
ISO_LOOKALIKE = re.compile(r"^(R\d*|P(\d+[YMWD])*(T(\d+[HMS])+)?)$")
"""A bare ``PT45M`` parses as a variable name; it must stay unknown so the owner is told to quote it."""
TIMER_KINDS = {"timeDate": "a date", "timeDuration": "a duration", "timeCycle": "a cycle"}


def timer_problems(process, settings: dict[str, str], start_form_key: str) -> list[dict]:
    """One problem per timer whose expression fails or yields no usable due time."""
    now = datetime.now(timezone.utc)
    engine = make_script_engine(_functions(settings, now))
    base, choices = _sample_data(start_form_key, now)
    problems = []
    for definition in process.iter("{%s}timerEventDefinition" % BPMN):
        event = definition.getparent()
        for child in definition:
            if not isinstance(child.tag, str):
                continue
            kind = etree.QName(child).localname
            if kind not in TIMER_KINDS:
                continue
            message = _trial(engine, kind, (child.text or "").strip(), base, choices, now)
            if message:
                problems.append({"element_id": event.get("id", ""), "element_name": event.get("name", ""),
                                 "message": message})
    return problems


def _functions(settings: dict[str, str], now: datetime) -> dict:
    functions = deadline_functions(WorkingDayCalendar({}, ()))  # estimated holidays: only the shape is tried

    def setting(name: str, default: str | None = None) -> str:
        if name not in settings and default is None:
            raise KeyError(f"the process has no setting '{name}' (add it as an extension property of the process)")
        return settings.get(name, default)

    functions["setting"] = setting
    functions["deadline"] = lambda name, start: functions["due"](start, setting(name))
    functions["local_hour"] = local_hour
    functions["next_day_at"] = next_day_at
    functions["send_sms"] = lambda phone, text: True
    functions["notify"] = lambda group, text: True
    functions["callers"] = lambda: []
    return functions


def _sample_data(start_form_key: str, now: datetime) -> tuple[dict, dict[str, list]]:
    """Sample data plus, per enumerated start-form field, every value it may take."""
    data: dict = {}
    choices: dict[str, list] = {}
    if start_form_key in forms.FORMS:
        for described in describe_form(start_form_key):
            values = [c["value"] for c in described["choices"]]
            data[described["name"]] = values[0] if values else "sample"
            if values:
                choices[described["name"]] = values
    data.update({name: now.isoformat() for name in TIMESTAMPS})
    data.update({"work_order_number": "TS0000000000", "opened_by": "sample", "linked_to": None})
    return data, choices


def _trial(engine, kind: str, expression: str, base: dict, choices: dict[str, list], now: datetime) -> str:
    """Evaluate one timer (once per value of each enumerated field it reads); say what is wrong, or ''."""
    if not expression:
        return f"the timer has no expression for {TIMER_KINDS[kind]}"
    names = _names_read(expression)
    data = dict(base)
    data.update({name: (now - timedelta(hours=1)).isoformat() for name in names
                 if name not in data and name not in engine.environment.globals and not ISO_LOOKALIKE.match(name)})
    variants = [({}, data)] + [({name: value}, {**data, name: value})
                               for name in sorted(names & set(choices)) for value in choices[name]]
    for chosen, sample in variants:
        message = _evaluate(engine, kind, expression, sample)
        if message:
            when = "".join(f" when {name} is {value!r}" for name, value in chosen.items())
            return message + when
    return ""


def _evaluate(engine, kind: str, expression: str, data: dict) -> str:
    try:
        value = engine.environment.evaluate(expression, data)
    except (UnsafeScript, SyntaxError):
        return ""  # the unsafe-code check reports these with its own sentence
    except KeyError as exc:
        return f"the timer expression {expression!r} failed: {exc.args[0] if exc.args else exc}"
    except NameError as exc:
        return (f"the timer expression {expression!r} failed: {exc}; a fixed value such as an ISO duration "
                f"must be quoted, e.g. \"PT45M\"")
    except Exception as exc:  # noqa: BLE001 - any failure of the owner's expression is reported, not raised
        return f"the timer expression {expression!r} failed: {type(exc).__name__}: {exc}"
    return _due_problem(kind, expression, value)


def _due_problem(kind: str, expression: str, value) -> str:
    if isinstance(value, datetime) and kind == "timeDate":
        return ""
    if not isinstance(value, str):
        return f"the timer expression {expression!r} gave {value!r}, not an ISO date-time or duration text"
    try:
        if kind == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        else:
            TimerEventDefinition.parse_time_or_duration(value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow's parsers raise assorted errors for bad text
        return f"the timer expression {expression!r} gave {value!r}, which is not a valid ISO date-time or duration"
    return ""


def _names_read(expression: str) -> set[str]:
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
