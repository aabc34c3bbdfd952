"""Exports of a period: work orders and audit events as CSV / XLSX, sealed identities masked unless allowed."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from engine.audit import events_for
from tests.engine.conftest import INTAKE
from tests.web.test_ui_confidentiality import NAME, PHONE, SEALED_INTAKE

PERIOD = "from=2026-09-30&to=2026-09-30"


def _csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff"), "a byte-order mark, so Excel reads UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_work_order_export_masks_the_sealed_identity_for_the_shift_lead(login_as, sealed):
    number = sealed.work_order(sealed.open("web_sealed", **SEALED_INTAKE)).number
    rows = _csv(login_as("lead", "shift_lead").get(f"/audit/export/work-orders.csv?{PERIOD}"))
    (row,) = [r for r in rows if r["number"] == number]
    assert row["customer_name"] == "【保密】" and row["customer_phone"] == "【保密】"
    assert row["flow"] == "web_sealed" and row["status"] == "open"
    events = _csv(login_as("lead2", "shift_lead").get(f"/audit/export/audit-events.csv?{PERIOD}"))
    assert events and all(NAME not in e["data"] and PHONE not in e["data"] for e in events)
    assert {"work_order.opened", "task.ready"} <= {e["kind"] for e in events}


def test_auditor_export_shows_the_identity_and_the_read_is_audited(login_as, sealed):
    wo_id = sealed.open("web_sealed", **SEALED_INTAKE)
    auditor = login_as("aud", "auditor")
    rows = _csv(auditor.get(f"/audit/export/work-orders.csv?{PERIOD}"))
    assert [(r["customer_name"], r["customer_phone"]) for r in rows] == [(NAME, PHONE)]
    assert any(NAME in e["data"] for e in _csv(auditor.get(f"/audit/export/audit-events.csv?{PERIOD}")))
    with sealed.db.reading() as session:
        reads = [e.payload["purpose"] for e in events_for(session, wo_id) if e.kind == "sealed.read"]
    assert reads == ["export", "export"]


def test_xlsx_export_has_a_header_and_one_row_per_work_order_in_the_period(login_as, ticket):
    numbers = {ticket.work_order(ticket.open("test_ticket", **INTAKE)).number for _ in range(2)}
    response = login_as("lead", "shift_lead").get(f"/audit/export/work-orders.xlsx?{PERIOD}")
    assert response.status_code == 200 and "work-orders-20260930-20260930.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.values)
    assert values[0][:4] == ("number", "flow", "version", "status") and {v[0] for v in values[1:]} == numbers
    empty = login_as("lead2", "shift_lead").get("/audit/export/work-orders.csv?from=2026-10-01&to=2026-10-02")
    assert _csv(empty) == []


def test_only_overseers_may_export(login_as, ticket):
    assert login_as("agent", "call_centre").get(f"/audit/export/work-orders.csv?{PERIOD}").status_code == 403
    assert login_as("aud", "auditor").get(f"/audit/export/nothing.csv?{PERIOD}").status_code == 404
