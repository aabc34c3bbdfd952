"""Audit test fixtures: seed a chain through the real API, then tamper with it behind its back."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from engine.audit import record, verify_chain
from engine.audit.models import AuditEvent

KINDS_CYCLE = ("work_order.opened", "task.ready", "task.claimed", "task.completed", "work_order.closed")


@pytest.fixture
def seed(db):
    """``seed(n)`` commits n events, one transaction each, spread over work orders 1-3."""

    def _seed(count: int, start: int = 0) -> None:
        for i in range(start, start + count):
            with db.transaction() as session:
                record(
                    session,
                    KINDS_CYCLE[i % len(KINDS_CYCLE)],
                    actor=f"agent{i % 4}",
                    work_order_id=i % 3 + 1,
                    data={"step": i, "note": "工单处理"},
                )

    return _seed


@pytest.fixture
def tamper(db):
    """Run SQL straight against the database, bypassing ``record`` (what an intruder would do)."""

    def _tamper(statement, **params) -> None:
        if isinstance(statement, str):
            statement = text(statement)
        with db.engine.begin() as conn:
            conn.execute(statement, params)

    return _tamper


@pytest.fixture
def verify(db):
    """Verify the chain in a fresh reading session."""

    def _verify(**kwargs):
        with db.reading() as session:
            return verify_chain(session, **kwargs)

    return _verify


@pytest.fixture
def all_events(db):
    """Every stored event, ordered by seq (detached but loaded)."""

    def _all() -> list[AuditEvent]:
        with db.sessions() as session:
            return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))

    return _all
