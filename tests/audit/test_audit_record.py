"""Recording: events are chained at commit, vanish with a rollback, and keep what was recorded."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from engine.audit import KINDS, events_for, record
from engine.audit.canonical import GENESIS_HASH, as_utc
from engine.audit.models import AuditHead

UTC = timezone.utc
BEIJING = timezone(timedelta(hours=8))


def test_events_from_several_transactions_form_a_chain_that_verifies(db, seed, verify, all_events):
    seed(4)
    with db.transaction() as session:
        record(session, "timer.fired", actor="system", work_order_id=2)
        record(session, "deadline.breached", actor="system", work_order_id=2)

    events = all_events()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    report = verify()
    assert report.ok and report.checked == 6 and report.first_broken_seq is None


def test_head_row_names_the_newest_event(db, seed, all_events):
    seed(3)
    with db.sessions() as session:
        head = session.scalars(select(AuditHead)).one()
    newest = all_events()[-1]
    assert (head.id, head.seq, head.hash) == (1, 3, newest.hash)


def test_rolled_back_transaction_leaves_no_events_and_no_gap(db, seed, verify, all_events):
    seed(2)
    with pytest.raises(RuntimeError, match="boom"):
        with db.transaction() as session:
            record(session, "task.completed", actor="zhang", work_order_id=1)
            raise RuntimeError("boom")
    seed(1, start=2)

    assert [e.seq for e in all_events()] == [1, 2, 3]
    assert [e.payload["step"] for e in all_events()] == [0, 1, 2]
    assert verify().ok


def test_savepoint_rollback_drops_only_the_events_recorded_inside_it(db, all_events, verify):
    with db.transaction() as session:
        record(session, "work_order.opened", actor="li", work_order_id=7)
        with pytest.raises(RuntimeError):
            with session.begin_nested():
                record(session, "task.claimed", actor="li", work_order_id=7)
                raise RuntimeError("undo the claim")
        with session.begin_nested():
            record(session, "task.ready", actor="system", work_order_id=7)

    assert [(e.seq, e.kind) for e in all_events()] == [(1, "work_order.opened"), (2, "task.ready")]
    assert verify().ok


def test_closing_a_session_without_commit_discards_its_events(db, all_events):
    session = db.sessions()
    record(session, "task.claimed", actor="wang", work_order_id=1)
    session.close()
    session.commit()

    assert all_events() == []


def test_explicit_rollback_discards_events_recorded_before_any_query(db, all_events, verify):
    with db.sessions() as session:
        record(session, "task.claimed", actor="wang", work_order_id=1)
        session.rollback()
        record(session, "task.unclaimed", actor="wang", work_order_id=1)
        session.commit()

    assert [(e.seq, e.kind) for e in all_events()] == [(1, "task.unclaimed")]
    assert verify().ok


def test_event_recorded_in_a_transaction_without_any_flush_is_written(db, all_events):
    with db.transaction() as session:
        record(session, "version.deployed", actor="owner", data={"process_id": "repair", "version": 2})

    [event] = all_events()
    assert (event.seq, event.kind, event.work_order_id) == (1, "version.deployed", None)
    assert event.payload == {"process_id": "repair", "version": 2}


@pytest.mark.parametrize("kind", ["task.complete", "Task.Completed", "", "work_order.deleted"])
def test_unknown_kind_is_rejected(db, kind):
    with db.transaction() as session:
        with pytest.raises(ValueError, match="unknown audit event kind"):
            record(session, kind, actor="zhang")


def test_event_without_an_actor_is_rejected(db):
    with db.transaction() as session:
        with pytest.raises(ValueError, match="actor"):
            record(session, "task.claimed", actor="")


def test_every_listed_kind_can_be_recorded(db, verify):
    with db.transaction() as session:
        for kind in KINDS:
            record(session, kind, actor="system")

    assert len(set(KINDS)) == len(KINDS) == 20
    assert verify().checked == len(KINDS)


def test_time_defaults_to_the_moment_of_recording_not_of_commit(db, all_events):
    recorded_at = datetime(2024, 3, 8, 9, 30, 15, 123456, tzinfo=UTC)
    with db.transaction() as session:
        with time_machine.travel(recorded_at, tick=False):
            record(session, "task.ready", actor="system", work_order_id=4)

    [event] = all_events()
    assert as_utc(event.at) == recorded_at


def test_times_in_other_zones_and_naive_times_are_stored_as_utc_and_verify(db, all_events, verify):
    local = datetime(2024, 5, 1, 8, 0, 0, 500, tzinfo=BEIJING)
    naive = datetime(2024, 5, 1, 0, 0, 1)
    with db.transaction() as session:
        record(session, "task.ready", actor="system", at=local)
        record(session, "task.ready", actor="system", at=naive)

    assert [as_utc(e.at) for e in all_events()] == [local, naive.replace(tzinfo=UTC)]
    assert verify().ok


def test_data_is_kept_as_canonical_json_snapshotted_when_recorded(db, all_events, verify):
    data = {"z": 1, "amount": Decimal("12.50"), "due": date(2024, 6, 1), "名": "张三",
            "when": datetime(2024, 6, 1, 8, 0, tzinfo=UTC)}
    with db.transaction() as session:
        record(session, "outbox.queued", actor="system", work_order_id=9, data=data)
        data["z"] = 2

    [event] = all_events()
    assert event.data == (
        '{"amount":"12.50","due":"2024-06-01","when":"2024-06-01T08:00:00+00:00","z":1,"名":"张三"}'
    )
    assert event.payload["z"] == 1
    assert verify().ok


def test_data_that_cannot_be_serialised_is_rejected_at_record_time(db):
    with db.transaction() as session:
        with pytest.raises(TypeError, match="set"):
            record(session, "task.completed", actor="zhang", data={"tags": {"a"}})


def test_events_for_lists_one_work_orders_events_oldest_first(db, seed):
    seed(9)
    with db.reading() as session:
        events = events_for(session, 2)
        assert [e.seq for e in events] == [2, 5, 8]
        assert [e.payload["step"] for e in events] == [1, 4, 7]
        assert all(e.work_order_id == 2 for e in events)
