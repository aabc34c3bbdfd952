"""Tampering: every edit, deletion or insertion made behind the log's back is found and named."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from engine.audit import record
from engine.audit.canonical import event_hash
from engine.audit.models import AuditEvent

EVENTS = AuditEvent.__table__


def test_empty_log_verifies(verify):
    report = verify()
    assert (report.ok, report.checked, report.first_broken_seq, report.reason) == (True, 0, None, "")


@pytest.mark.parametrize(
    "column, value",
    [
        ("data", '{"note":"工单处理","step":99}'),
        ("actor", "somebody_else"),
        ("kind", "task.cancelled"),
        ("work_order_id", 42),
    ],
)
def test_edited_column_is_detected_naming_that_event(seed, tamper, verify, column, value):
    seed(6)
    tamper(f"UPDATE audit_events SET {column} = :value WHERE seq = 4", value=value)

    report = verify()
    assert not report.ok
    assert report.first_broken_seq == 4
    assert report.checked == 3
    assert report.reason.startswith("event #4 (")
    assert "its contents do not match its hash — it was altered after it was written" in report.reason


def test_edited_time_is_detected_naming_that_event(seed, tamper, verify, all_events):
    seed(5)
    moved = all_events()[1].at + timedelta(seconds=1)
    tamper(update(EVENTS).where(EVENTS.c.seq == 2).values(at=moved))

    report = verify()
    assert (report.ok, report.first_broken_seq) == (False, 2)
    assert "altered after it was written" in report.reason


def test_reason_names_kind_and_work_order_of_the_altered_event(db, tamper, verify):
    with db.transaction() as session:
        record(session, "work_order.opened", actor="li", work_order_id=3)
        record(session, "task.completed", actor="li", work_order_id=3, data={"result": "fixed"})
    tamper("UPDATE audit_events SET data = :d WHERE seq = 2", d='{"result":"not fixed"}')

    assert verify().reason == (
        "event #2 (task.completed, work order 3): its contents do not match its hash"
        " — it was altered after it was written"
    )


def test_deleted_middle_event_is_reported_as_missing(seed, tamper, verify):
    seed(6)
    tamper("DELETE FROM audit_events WHERE seq = 3")

    report = verify()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 3, 2)
    assert report.reason == (
        "event #3 is missing — deleted after being written (the log goes from #2 straight to #4)"
    )


def test_deleted_run_of_events_names_the_whole_gap(seed, tamper, verify):
    seed(6)
    tamper("DELETE FROM audit_events WHERE seq IN (1, 2)")

    report = verify()
    assert report.first_broken_seq == 1
    assert report.reason.startswith("events #1 to #2 are missing")


def test_deleted_last_event_is_detected_through_the_head(seed, tamper, verify):
    seed(5)
    tamper("DELETE FROM audit_events WHERE seq = 5")

    report = verify()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 5, 4)
    assert "event #5 is missing from the end of the log" in report.reason
    assert "the head records #5" in report.reason


def test_deleting_every_event_is_detected_through_the_head(seed, tamper, verify):
    seed(3)
    tamper("DELETE FROM audit_events")

    report = verify()
    assert (report.ok, report.first_broken_seq) == (False, 1)
    assert report.reason.startswith("events #1 to #3 are missing from the end of the log")


def test_rewritten_event_with_recomputed_hash_breaks_the_next_link(seed, tamper, verify, all_events):
    seed(5)
    forged = all_events()[2]
    forged_data = '{"note":"forged","step":2}'
    forged_hash = event_hash(
        forged.prev_hash, seq=3, at=forged.at, kind=forged.kind,
        work_order_id=forged.work_order_id, actor=forged.actor, data=forged_data,
    )
    tamper("UPDATE audit_events SET data = :d, hash = :h WHERE seq = 3", d=forged_data, h=forged_hash)

    report = verify()
    assert (report.ok, report.first_broken_seq) == (False, 4)
    assert "it does not follow on from event #3" in report.reason


def test_replaced_last_event_does_not_match_the_head(seed, tamper, verify, all_events):
    seed(3)
    last = all_events()[-1]
    forged_hash = event_hash(
        last.prev_hash, seq=3, at=last.at, kind=last.kind,
        work_order_id=last.work_order_id, actor="intruder", data=last.data,
    )
    tamper("UPDATE audit_events SET actor = 'intruder', hash = :h WHERE seq = 3", h=forged_hash)

    report = verify()
    assert (report.ok, report.first_broken_seq) == (False, 3)
    assert "it is not the event the head recorded as the newest" in report.reason


def test_event_inserted_directly_beyond_the_head_is_detected(seed, tamper, verify, all_events):
    seed(3)
    last = all_events()[-1]
    at = datetime(2024, 1, 1, tzinfo=timezone.utc)
    values = dict(seq=4, at=at, kind="task.completed", work_order_id=1, actor="intruder", data="{}")
    tamper(EVENTS.insert().values(**values, prev_hash=last.hash, hash=event_hash(last.hash, **values)))

    report = verify()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 4, 3)
    assert "bypassing the log" in report.reason


def test_deleted_head_is_detected_and_recording_refuses_to_restart_the_chain(db, seed, tamper, verify):
    seed(3)
    tamper("DELETE FROM audit_head")

    report = verify()
    assert not report.ok and report.checked == 3
    assert "head record is missing" in report.reason
    with pytest.raises(RuntimeError, match="head row is missing"):
        with db.transaction() as session:
            record(session, "task.ready", actor="system")


def test_verification_in_small_batches_finds_a_break_across_a_batch_boundary(seed, tamper, verify):
    seed(11)
    assert verify(batch_size=2).checked == 11
    tamper("DELETE FROM audit_events WHERE seq = 7")

    report = verify(batch_size=3)
    assert (report.first_broken_seq, report.checked) == (7, 6)


def test_unreadable_stored_time_is_reported_not_raised(db, seed, tamper, verify):
    if not db.is_sqlite:
        pytest.skip("only SQLite lets a column hold a value of the wrong type")
    seed(4)
    tamper("UPDATE audit_events SET at = 'last tuesday' WHERE seq = 3")

    report = verify()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 3, 2)
    assert report.reason.startswith("the event after #2 cannot be read back")
