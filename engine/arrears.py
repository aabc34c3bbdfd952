"""Arrears batches from the billing centre (art. 18; bill notices art. 17 work the same way).

The billing centre hands over one CSV row per customer. Each customer's late fee (违约金) is
priced *as of today* with the rates in the deployed ``arrears_reminder`` process's own
properties, together with a readable account of how it was reached, and one
``arrears_reminder`` work order is opened per customer. A batch is all or nothing: any bad
row is reported by line and field and no work order is opened.

CSV columns: ``customer_name, customer_phone, address, account_no, customer_kind
(residential|other), billing_months, amount, due_date, pay_at``. A customer owing several
months lists them separated by ``;`` and gives ``amount`` and ``due_date`` in the same order,
one per month: ``due_date`` is that month's payment deadline (缴费截止日), and the late fee
accrues for each day after it up to and including today.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from marshmallow import ValidationError

from engine.calendar.clock import local
from engine.deployment import latest_version
from engine.db import Database
from engine.directory import require_member
from engine.errors import InvalidState, ValidationFailed
from engine.models import WorkOrder
from engine.runtime import utcnow
from engine.workorders import open_in_session, serialized, validate_form
from forms.validators import check_phone

FLOW = "arrears_reminder"
COLUMNS = ("customer_name", "customer_phone", "address", "account_no", "customer_kind",
           "billing_months", "amount", "due_date", "pay_at")
KINDS = {"residential": "居民", "other": "其他"}
CENT = Decimal("0.01")
RATE_SETTINGS = {
    "residential": "late_fee.residential",
    "other_current_year": "late_fee.other_current_year",
    "other_earlier_years": "late_fee.other_earlier_years",
}
INTAKE_TO_COLUMN = {"customer_address": "address", "arrears": "amount"}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z-]{1,32}$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[%％]\s*$")


@dataclass(frozen=True)
class LateFeeRates:
    """Daily late-fee rates (fractions, e.g. 0.001 for 0.1 %) and the minimum fee in yuan."""

    residential: Decimal
    other_current_year: Decimal
    other_earlier_years: Decimal
    minimum: Decimal

    @classmethod
    def from_settings(cls, settings: dict) -> LateFeeRates:
        """Read the rates a process owner set on the diagram; refuse anything that is not a percentage."""
        rates = {field: _percent(settings, name) for field, name in RATE_SETTINGS.items()}
        try:
            minimum = Decimal(str(settings.get("late_fee.minimum", ""))).quantize(CENT)
        except InvalidOperation:
            raise InvalidState("流程属性 late_fee.minimum 应为金额，如 1.00 / the process setting late_fee.minimum must be an amount such as 1.00") from None
        return cls(minimum=minimum, **rates)

    def rate_for(self, kind: str, month_year: int, today: date) -> Decimal:
        """Pick the daily rate: one for residents; for others, by whether the arrears are from this year or earlier."""
        if kind == "residential":
            return self.residential
        return self.other_current_year if month_year >= today.year else self.other_earlier_years


@dataclass(frozen=True)
class Bill:
    """One month's unpaid bill."""

    month: str
    amount: Decimal
    due: date


@dataclass(frozen=True)
class LateFee:
    """A customer's late fee as of a day, line by line, and the sentence that explains it."""

    as_of: date
    lines: list[dict]
    total: Decimal
    method: str


def _percent(settings: dict, name: str) -> Decimal:
    match = _PERCENT.match(str(settings.get(name, "")))
    if not match:
        raise InvalidState(f"流程属性 {name} 应为百分比，如 0.1% / the process setting {name} must be a percentage such as 0.1%")
    return Decimal(match.group(1)) / 100


def _percent_text(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def compute_late_fee(bills: list[Bill], kind: str, today: date, rates: LateFeeRates) -> LateFee:
    """Price each month (amount × daily rate × days overdue, to the cent) and apply the minimum fee."""
    lines, parts = [], []
    for bill in bills:
        days = max(0, (today - bill.due).days)
        rate = rates.rate_for(kind, int(bill.month[:4]), today)
        fee = (bill.amount * rate * days).quantize(CENT, ROUND_HALF_UP)
        lines.append({"month": bill.month, "amount": str(bill.amount), "due_date": bill.due.isoformat(),
                      "days_overdue": days, "daily_rate": _percent_text(rate), "fee": str(fee)})
        overdue_text = f"逾期{days}天×{_percent_text(rate)}/天={fee}元" if days else "未逾期"
        parts.append(f"{bill.month}电费{bill.amount}元，{bill.due.isoformat()}到期，{overdue_text}")
    accrued = sum((Decimal(line["fee"]) for line in lines), Decimal("0.00"))
    overdue = any(line["days_overdue"] for line in lines)
    total = max(accrued, rates.minimum) if overdue else Decimal("0.00")
    method = "；".join(parts) + f"。合计{accrued}元"
    if total != accrued:
        method += f"，不足{rates.minimum}元按{rates.minimum}元计收"
    method += f"（{KINDS[kind]}客户，计至{today.isoformat()}）。"
    return LateFee(as_of=today, lines=lines, total=total, method=method)


def read_arrears_csv(path_or_text: str | Path) -> list[dict]:
    """Read the billing centre's CSV (a path, or the CSV text itself) into rows tagged with their line number."""
    if isinstance(path_or_text, Path) or ("\n" not in path_or_text and Path(path_or_text).is_file()):
        text = Path(path_or_text).read_text(encoding="utf-8-sig")
    else:
        text = path_or_text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(
            f"欠费数据缺少列 / the arrears CSV lacks columns: {', '.join(missing)}",
            {"line 1": {c: ["缺少此列 / missing column"] for c in missing}},
        )
    rows = []
    for record in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in record.items() if k is not None}
        if any(row.values()):
            rows.append({"line": reader.line_num, **{c: row.get(c, "") for c in COLUMNS}})
    return rows


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";")] if value.strip() else []


def _bills(row: dict, errors: dict, today: date) -> list[Bill]:
    months, amounts, dues = _split(row["billing_months"]), _split(row["amount"]), _split(row["due_date"])
    for month in months:
        match = _MONTH.match(month)
        if not match or not 1 <= int(match.group(2)) <= 12:
            errors.setdefault("billing_months", []).append(f"{month!r} 应为 YYYY-MM / must be YYYY-MM")
        elif month > f"{today:%Y-%m}":
            errors.setdefault("billing_months", []).append(f"{month} 在未来 / is in the future")
    if not months:
        errors.setdefault("billing_months", []).append("必填 / required")
    elif len(set(months)) != len(months):
        errors.setdefault("billing_months", []).append("月份重复 / a month is listed twice")
    parsed_amounts = []
    for text in amounts:
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value <= 0 or value != value.quantize(CENT):
            errors.setdefault("amount", []).append(f"{text!r} 应为大于0、最多两位小数的金额 / must be a positive amount with at most 2 decimals")
        else:
            parsed_amounts.append(value.quantize(CENT))
    parsed_dues = []
    for text in dues:
        try:
            parsed_dues.append(date.fromisoformat(text))
        except ValueError:
            errors.setdefault("due_date", []).append(f"{text!r} 应为 YYYY-MM-DD / must be YYYY-MM-DD")
    for field, values in (("amount", amounts), ("due_date", dues)):
        if months and len(values) != len(months):
            errors.setdefault(field, []).append(
                f"应有{len(months)}项，与电费年月一一对应 / needs one value per billing month ({len(months)})")
    if errors:
        return []
    return [Bill(m, a, d) for m, a, d in zip(months, parsed_amounts, parsed_dues)]


def _row_errors(row: dict, today: date) -> tuple[dict, list[Bill]]:
    errors: dict[str, list[str]] = {}
    for field in ("customer_name", "address", "pay_at", "account_no", "customer_phone", "customer_kind"):
        if not row.get(field):
            errors[field] = ["必填 / required"]
    if row.get("customer_phone"):
        try:
            check_phone(row["customer_phone"])
        except ValidationError as exc:
            errors["customer_phone"] = list(exc.messages)
    if row.get("account_no") and not _ACCOUNT.match(row["account_no"]):
        errors["account_no"] = ["户号只能含字母、数字和连字符 / letters, digits and hyphens only"]
    if row.get("customer_kind") and row["customer_kind"] not in KINDS:
        errors["customer_kind"] = ["应为 residential 或 other / must be residential or other"]
    bills = _bills(row, errors, today)
    return errors, bills


def _intake(row: dict, bills: list[Bill], fee: LateFee) -> dict:
    arrears = sum((b.amount for b in bills), Decimal("0.00"))
    total = arrears + fee.total
    months = ";".join(b.month for b in bills)
    return {
        "customer_name": row["customer_name"], "customer_phone": row["customer_phone"],
        "customer_address": row["address"], "account_no": row["account_no"], "customer_kind": row["customer_kind"],
        "billing_months": months, "arrears": str(arrears), "late_fee": str(fee.total),
        "late_fee_as_of": fee.as_of.isoformat(), "late_fee_method": fee.method, "late_fee_lines": fee.lines,
        "total": str(total), "pay_at": row["pay_at"], "summary": f"欠费{total}元（{months}）",
    }


def _describe(errors: dict) -> str:
    lines = [f"{where}, {field}: {'; '.join(messages)}" for where, fields in errors.items() for field, messages in fields.items()]
    shown = "\n".join(lines[:20]) + (f"\n… {len(lines) - 20} more" if len(lines) > 20 else "")
    return f"欠费数据有误，未开任何工单 / the arrears batch has errors; no work order was opened:\n{shown}"


def submit_arrears_batch(db: Database, rows: list[dict], *, actor: str) -> list[WorkOrder]:
    """Open one arrears reminder per customer in one transaction; any bad row opens none."""
    if not rows:
        raise ValidationFailed("欠费数据为空 / the arrears batch has no customers", {"batch": {"rows": ["empty"]}})
    today = local(utcnow()).date()
    with serialized(db) as session:
        version = latest_version(session, FLOW)
        require_member(session, actor, (version.lane_map or {}).get(version.start_event_id, "billing"))
        rates = LateFeeRates.from_settings(version.settings or {})
        errors: dict[str, dict] = {}
        intakes: list[dict] = []
        seen_accounts: dict[str, int] = {}
        for index, row in enumerate(rows, start=1):
            line = row.get("line", index)
            where = f"line {line}"
            row = {c: str(row.get(c, "") or "").strip() for c in COLUMNS}
            row_errors, bills = _row_errors(row, today)
            account = row["account_no"]
            if account and account in seen_accounts:
                first = seen_accounts[account]
                row_errors.setdefault("account_no", []).append(f"与第{first}行重复 / duplicate of line {first}")
            seen_accounts.setdefault(account, line)
            if row_errors:
                errors[where] = row_errors
                continue
            intake = _intake(row, bills, compute_late_fee(bills, row["customer_kind"], today, rates))
            try:
                validate_form(version.start_form_key, intake)
            except ValidationFailed as exc:
                errors[where] = {INTAKE_TO_COLUMN.get(f, f): m for f, m in exc.errors.items()}
                continue
            intakes.append(intake)
        if errors:
            raise ValidationFailed(_describe(errors), errors)
        return [open_in_session(session, FLOW, intake, actor=actor) for intake in intakes]
