"""The PostgreSQL guard: the database itself refuses to change or remove audit events."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine.audit import install_postgres_guard, record, remove_postgres_guard


@pytest.fixture
def guarded(db, seed):
    """A PostgreSQL log of 3 events behind the guard; the guard goes again so the next TRUNCATE works."""
    if db.is_sqlite:
        pytest.skip("the guard is PostgreSQL-only")
    seed(3)
    with db.engine.begin() as conn:
        install_postgres_guard(conn)
        install_postgres_guard(conn)
    yield db
    with db.engine.begin() as conn:
        remove_postgres_guard(conn)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'intruder' WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 3",
        "TRUNCATE audit_events",
    ],
)
def test_guarded_audit_events_refuse_update_delete_and_truncate(guarded, statement):
    with pytest.raises(DBAPIError, match="audit_events is append-only"):
        with guarded.engine.begin() as conn:
            conn.execute(text(statement))


def test_guarded_log_still_accepts_new_events_and_verifies(guarded, verify):
    with guarded.transaction() as session:
        record(session, "work_order.closed", actor="zhang", work_order_id=1)

    report = verify()
    assert report.ok and report.checked == 4


def test_guard_is_a_no_op_on_sqlite_so_tampering_stays_possible_and_detectable(db, seed, tamper, verify):
    if not db.is_sqlite:
        pytest.skip("SQLite behaviour")
    seed(2)
    with db.engine.begin() as conn:
        install_postgres_guard(conn)
    tamper("DELETE FROM audit_events WHERE seq = 1")

    assert verify().first_broken_seq == 1
