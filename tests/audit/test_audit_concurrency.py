"""Concurrency: parallel writers serialise on the head, leaving one gap-free chain."""
from __future__ import annotations

import threading

from engine.audit import record

WRITERS = 8
TRANSACTIONS_EACH = 20


def _run_writers(db, errors: list) -> list[threading.Thread]:
    def write(worker: int) -> None:
        try:
            for i in range(TRANSACTIONS_EACH):
                with db.transaction() as session:
                    record(session, "task.completed", actor=f"worker{worker}",
                           work_order_id=worker, data={"i": i})
        except Exception as exc:  # noqa: BLE001  (reported by the test)
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    return threads


def test_concurrent_writers_produce_a_gap_free_chain_that_verifies(db, all_events, verify):
    errors: list = []
    for thread in _run_writers(db, errors):
        thread.join()

    assert errors == []
    events = all_events()
    assert [e.seq for e in events] == list(range(1, WRITERS * TRANSACTIONS_EACH + 1))
    for worker in range(WRITERS):
        mine = [e.payload["i"] for e in events if e.actor == f"worker{worker}"]
        assert mine == list(range(TRANSACTIONS_EACH))
    report = verify()
    assert report.ok and report.checked == WRITERS * TRANSACTIONS_EACH


def test_verifying_while_writers_commit_never_reports_a_false_break(db, verify):
    errors: list = []
    threads = _run_writers(db, errors)
    reports = []
    while any(thread.is_alive() for thread in threads):
        reports.append(verify(batch_size=7))
    for thread in threads:
        thread.join()

    assert errors == []
    assert all(report.ok for report in reports), [r.reason for r in reports if not r.ok]
    assert verify().checked == WRITERS * TRANSACTIONS_EACH
