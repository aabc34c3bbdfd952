"""A computed deadline that can explain itself to an agent or an auditor."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from engine.calendar.clock import local, to_utc
from engine.calendar.rules import UNITS, rule_text

_WEEKDAYS = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}

_TEXT = {
    "zh": {
        "start": "起算：{}",
        "rule": "规则：{}",
        "due": "到期：{}",
        "skipped": "跳过的非工作日：{}",
        "none": "无",
        "range": "{} 至 {}（{}天）",
        "clock": "计时方式：自然时间连续计算，不跳过节假日",
        "working": "计时方式：只计工作日（以北京时间零点分日）内的时间，每个工作日计 24 小时",
        "provisional": "⚠ 临时结果：{}年的节假日安排尚未公布，按法定节假日推算（不含调休上班日），公布后到期时间可能变化",
        "year_sep": "、",
    },
    "en": {
        "start": "Start: {}",
        "rule": "Rule: {}",
        "due": "Due: {}",
        "skipped": "Skipped non-working days: {}",
        "none": "none",
        "range": "{} to {} ({} days)",
        "clock": "Counting: wall-clock time, holidays not skipped",
        "working": "Counting: only time on working days (Asia/Shanghai midnights), 24 hours per working day",
        "provisional": "Provisional: no holiday schedule has been published for {}; counted from the "
        "statutory holidays only (no make-up working days), so the due time may change",
        "year_sep": ", ",
    },
}


@dataclass(frozen=True)
class Deadline:
    """When something is due, by which rule, and what the count skipped or had to guess."""

    start: datetime
    due: datetime
    rule: str
    amount: int
    unit: str
    skipped_days: tuple[date, ...] = ()
    provisional: bool = False
    provisional_years: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown deadline unit {self.unit!r}; expected one of {', '.join(UNITS)}")
        for name in ("start", "due"):
            value = getattr(self, name)
            if not isinstance(value, datetime) or value.utcoffset() is None:
                raise ValueError(f"Deadline.{name} must be an aware datetime, got {value!r}")
            object.__setattr__(self, name, value.astimezone(timezone.utc))
        object.__setattr__(self, "skipped_days", tuple(self.skipped_days))
        object.__setattr__(self, "provisional_years", tuple(self.provisional_years))

    def explain(self, lang: str = "zh") -> str:
        """Describe start, rule, due, skipped days and any provisional year, one fact a line."""
        if lang not in _TEXT:
            raise ValueError(f"unsupported language {lang!r}; use 'zh' or 'en'")
        text = _TEXT[lang]
        lines = [
            text["start"].format(_show(self.start, lang)),
            text["rule"].format(rule_text(self.amount, self.unit, lang)),
            text["due"].format(_show(self.due, lang)),
        ]
        if self.unit == "working_days":
            lines.append(text["working"])
            ranges = [
                first.isoformat() if first == last
                else text["range"].format(first.isoformat(), last.isoformat(), (last - first).days + 1)
                for first, last in day_ranges(self.skipped_days)
            ]
            lines.append(text["skipped"].format(text["year_sep"].join(ranges) or text["none"]))
        else:
            lines.append(text["clock"])
        if self.provisional:
            years = text["year_sep"].join(str(y) for y in self.provisional_years)
            lines.append(text["provisional"].format(years))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Return a JSON-safe dict (ISO 8601 texts) for task and timer rows."""
        return {
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "rule": self.rule,
            "amount": self.amount,
            "unit": self.unit,
            "skipped_days": [d.isoformat() for d in self.skipped_days],
            "provisional": self.provisional,
            "provisional_years": list(self.provisional_years),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Deadline:
        """Rebuild a deadline from :meth:`to_dict` output."""
        return cls(
            start=to_utc(data["start"]),
            due=to_utc(data["due"]),
            rule=data["rule"],
            amount=int(data["amount"]),
            unit=data["unit"],
            skipped_days=tuple(date.fromisoformat(d) for d in data.get("skipped_days", ())),
            provisional=bool(data.get("provisional", False)),
            provisional_years=tuple(int(y) for y in data.get("provisional_years", ())),
        )


def day_ranges(days: tuple[date, ...] | list[date]) -> list[tuple[date, date]]:
    """Compact dates into (first, last) runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _show(instant: datetime, lang: str) -> str:
    wall = local(instant)
    weekday = _WEEKDAYS[lang][wall.weekday()]
    stamp = wall.isoformat(sep=" ", timespec="seconds")
    return f"{stamp}（{weekday}）" if lang == "zh" else f"{stamp} ({weekday})"
