"""Deadline rule texts ("2 working days", "45分钟", "1个月") and their canonical form."""
from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = ("working_days", "days", "hours", "minutes", "months")

_ENGLISH_UNITS = {
    "working_days": ("working day", "working days", "work day", "work days", "workday", "workdays",
                     "business day", "business days", "wd", "working_days", "working_day"),
    "days": ("day", "days", "calendar day", "calendar days", "d"),
    "hours": ("hour", "hours", "hr", "hrs", "h"),
    "minutes": ("minute", "minutes", "min", "mins"),
    "months": ("month", "months"),
}
_CHINESE_UNITS = {
    "working_days": ("个工作日", "工作日"),
    "days": ("天", "日", "个自然日", "自然日", "个日历日", "日历日"),
    "hours": ("小时", "个小时"),
    "minutes": ("分钟", "分"),
    "months": ("个月",),  # never bare 月: "3月" means March
}
_UNIT_BY_WORD = {
    word: unit for table in (_ENGLISH_UNITS, _CHINESE_UNITS) for unit, words in table.items() for word in words
}
_RULE = re.compile(r"^\s*(\d+)\s*([^\d\s].*?)\s*$")

_ENGLISH_NAMES = {
    "working_days": ("working day", "working days"),
    "days": ("day", "days"),
    "hours": ("hour", "hours"),
    "minutes": ("minute", "minutes"),
    "months": ("month", "months"),
}
_CHINESE_NAMES = {
    "working_days": "个工作日",
    "days": "天",
    "hours": "小时",
    "minutes": "分钟",
    "months": "个月",
}


@dataclass(frozen=True)
class Rule:
    """A parsed rule: a whole amount of one unit."""

    amount: int
    unit: str


def rule_text(amount: int, unit: str, lang: str = "en") -> str:
    """Render ``amount`` ``unit`` as "2 working days" (en) or "2个工作日" (zh)."""
    if lang == "zh":
        return f"{amount}{_CHINESE_NAMES[unit]}"
    singular, plural = _ENGLISH_NAMES[unit]
    return f"{amount} {singular if amount == 1 else plural}"


def parse_rule(text: str) -> Rule:
    """Parse a rule such as "2 working days", "90 min", "2个工作日" or "1个月"."""
    if not isinstance(text, str):
        raise ValueError(f"deadline rule must be text, got {type(text).__name__}")
    match = _RULE.match(text)
    unit = _UNIT_BY_WORD.get(re.sub(r"\s+", " ", match.group(2)).lower()) if match else None
    if unit is None:
        raise ValueError(
            f"unknown deadline rule {text!r}: expected a whole number and a unit, e.g. "
            "'2 working days', '45 minutes', '2 hours', '10 days', '1 month', "
            "'2个工作日', '45分钟', '2小时', '10天', '1个月'"
        )
    return Rule(int(match.group(1)), unit)
