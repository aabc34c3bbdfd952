"""Scale fixtures: real complaints, API tokens, and production-shaped processes on PostgreSQL.

These tests need several OS processes sharing one database, which is what PostgreSQL is for;
on SQLite (one writer at a time, by design) they are skipped — ``.ci/run`` runs them on PostgreSQL.
"""
from __future__ import annotations

from datetime import timezone
from functools import partial

import pytest
import time_machine

from engine.api_tokens import issue_token
from tests.conftest import PG_URL
from tests.scale.running import Scheduler, WebServer

needs_postgres = pytest.mark.skipif(not PG_URL, reason="separate processes share a PostgreSQL database "
                                                       "(set TICKETFLOW_TEST_DATABASE_URL)")

FINAL_RESULT = {"result_type": "final", "handler": "李工", "result": "系抄表员误抄，已更正并退还多收电费",
                "finding": "substantiated", "measures": "抄表数据双人复核"}
COMPLAINT = {"customer_name": "张三", "customer_phone": "13800138000", "customer_address": "南昌市东湖区八一大道 1 号",
             "category": "billing_metering", "summary": "本月电费比上月高出三倍，怀疑抄表错误"}


@pytest.fixture
def complaints(flow):
    """The harness with processes/complaint.bpmn deployed."""
    flow.deploy("complaint")
    return flow


@pytest.fixture
def open_complaint(complaints, clock):
    """``open_complaint(overdue=...)`` → a complaint whose ``handle`` task is ready.

    Overdue ones are opened on the frozen clock (2026-09-30), so their 2-working-day deadline is
    long past for the real clock the server and schedulers run on; others are opened now.
    """

    def make(*, overdue: bool) -> int:
        if not overdue:
            clock.move_to(time_machine.escape_hatch.datetime.datetime.now(timezone.utc))
        work_order = complaints.open("complaint", **COMPLAINT)
        return work_order

    return make


@pytest.fixture
def handler_token(complaints, db) -> tuple[str, str]:
    """``(username, bearer token)`` of a business-department handler system."""
    username = complaints.user_in("business")
    with db.transaction() as session:
        _token, plaintext = issue_token(session, username, "scale test", actor="test")
    return username, plaintext


@pytest.fixture
def processes(tmp_path):
    """``processes(WebServer or Scheduler, **options)`` → started; every one is stopped at teardown."""
    started: list[WebServer | Scheduler] = []

    def start(kind, **options):
        process = kind(PG_URL, tmp_path / f"{kind.__name__.lower()}-{len(started)}.log", **options)
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def web_server(processes):
    """``web_server(workers=4, threads=4)`` → a started ``ticketflow serve``."""
    return partial(processes, WebServer)


@pytest.fixture
def scheduler(processes):
    """``scheduler(sweep_seconds=0.2, batch=50)`` → a started ``ticketflow scheduler``."""
    return partial(processes, Scheduler)
