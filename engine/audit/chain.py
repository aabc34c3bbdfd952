"""The audit log: record events, chain them by SHA-256, and prove the chain intact.

:func:`record` only buffers an event on the session; a ``before_commit`` listener writes the
buffer as the transaction's very last step. That keeps the global chain lock (the head row)
short, and a rolled-back transaction leaves neither events nor a gap in ``seq``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Row, event, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, SessionTransaction

from engine.audit.canonical import GENESIS_HASH, as_utc, canonical_json, event_hash
from engine.audit.models import AuditEvent, AuditHead

KINDS: tuple[str, ...] = (
    "work_order.opened",
    "work_order.closed",
    "work_order.cancelled",
    "task.ready",
    "task.claimed",
    "task.unclaimed",
    "task.reassigned",
    "task.completed",
    "task.cancelled",
    "timer.fired",
    "deadline.breached",
    "event.received",
    "version.deployed",
    "calendar.imported",
    "outbox.queued",
    "api_token.issued",
    "api_token.revoked",
    "sealed.read",
    "work_order.migrated",
    "work_order.migration_reverted",
)
_KNOWN_KINDS = frozenset(KINDS)
_PENDING = "ticketflow.audit.pending"
_events = AuditEvent.__table__
_head = AuditHead.__table__


@dataclass(frozen=True)
class _Pending:
    """A buffered event and the (innermost) transaction it belongs to."""

    transaction: SessionTransaction
    values: dict


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found.

    ``checked`` counts the events found intact before the first break; ``reason`` names that
    break in plain English ("" when ok). ``first_broken_seq`` is None only when the head row
    itself is the problem.
    """

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def record(
    session: Session,
    kind: str,
    *,
    actor: str,
    work_order_id: int | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> None:
    """Queue an event; it is chained and written when ``session`` commits, or vanishes on rollback.

    ``data`` is serialised now, so later changes to the caller's dict cannot leak in. A naive
    ``at`` is taken to be UTC, as everywhere else in ticketflow.
    """
    if kind not in _KNOWN_KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}; known kinds: {', '.join(KINDS)}")
    if not actor:
        raise ValueError("an audit event needs an actor (a username, or 'system')")
    if data is not None and not isinstance(data, dict):
        raise TypeError(f"audit data must be a dict, not {type(data).__name__}")
    values = {
        "at": as_utc(at if at is not None else datetime.now(timezone.utc)),
        "kind": kind,
        "work_order_id": work_order_id,
        "actor": actor,
        "data": canonical_json(data or {}),
    }
    pending = session.info.setdefault(_PENDING, [])
    pending.append(_Pending(_innermost_transaction(session), values))


def _innermost_transaction(session: Session) -> SessionTransaction:
    """The transaction an event joins; begun now if none is, as any first query would."""
    if not session.in_transaction():
        session.begin()
    return session.get_nested_transaction() or session.get_transaction()


def _write_pending(session: Session) -> None:
    """``before_commit``: chain and insert the buffered events of the outermost transaction."""
    if session.in_nested_transaction() or not session.info.get(_PENDING):
        return
    session.flush()
    pending = session.info.pop(_PENDING, [])
    if pending:
        _append(session, [item.values for item in pending])


def _discard_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """``after_soft_rollback``: forget events recorded inside the transaction that rolled back."""
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [
            item for item in pending if not _inside(item.transaction, previous_transaction)
        ]


def _discard_on_end(session: Session, transaction: SessionTransaction) -> None:
    """``after_transaction_end``: a closed outermost transaction (even without rollback) keeps nothing."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


event.listen(Session, "before_commit", _write_pending)
event.listen(Session, "after_soft_rollback", _discard_rolled_back)
event.listen(Session, "after_transaction_end", _discard_on_end)


# Built once: every commit runs these three, and building a statement costs more than running it.
_LOCK_HEAD = select(_head.c.seq, _head.c.hash).where(_head.c.id == 1).with_for_update()
_INSERT_EVENTS = insert(_events)
_MOVE_HEAD = update(_head).where(_head.c.id == 1)


def _append(session: Session, events: list[dict]) -> None:
    """Chain ``events`` after the head and move the head; the locked head row serialises writers."""
    seq, prev_hash = _lock_head(session)
    rows = []
    for values in events:
        seq += 1
        digest = event_hash(prev_hash, seq=seq, **values)
        rows.append({**values, "seq": seq, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    session.execute(_INSERT_EVENTS, rows)
    session.execute(_MOVE_HEAD, {"seq": seq, "hash": prev_hash})


def _lock_head(session: Session) -> tuple[int, str]:
    """``SELECT … FOR UPDATE`` the head (SQLite's BEGIN IMMEDIATE already serialises writers)."""
    head = session.execute(_LOCK_HEAD).one_or_none()
    if head is None:
        _create_head(session)
        head = session.execute(_LOCK_HEAD).one()
    return head.seq, head.hash


def _create_head(session: Session) -> None:
    """Start the chain; refuse to restart it over existing events (that would hide a deleted head)."""
    dialect = session.get_bind().dialect.name
    dialect_insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if dialect_insert is None:
        raise NotImplementedError(f"the audit log does not support {dialect}")
    statement = (
        dialect_insert(_head)
        .values(id=1, seq=0, hash=GENESIS_HASH)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(_head.c.id)
    )
    if session.execute(statement).first() is None:
        return
    last = session.execute(select(func.max(_events.c.seq))).scalar()
    if last is not None:
        raise RuntimeError(
            f"the audit head row is missing although events up to #{last} exist — "
            "the log was tampered with; run `audit verify` and restore the head from a backup"
        )


def events_for(session: Session, work_order_id: int) -> list[AuditEvent]:
    """Every event of one work order, oldest first."""
    query = select(AuditEvent).where(AuditEvent.work_order_id == work_order_id)
    return list(session.scalars(query.order_by(AuditEvent.seq)))


def verify_chain(session: Session, *, batch_size: int = 1000) -> ChainReport:
    """Walk the log in ``seq`` order, in batches, and report the first link that does not hold.

    The head and the highest ``seq`` are read in one statement first and only events up to
    that head are walked, so writers committing meanwhile cannot make an intact log look broken.
    """
    snapshot = select(
        select(_head.c.seq).where(_head.c.id == 1).scalar_subquery(),
        select(_head.c.hash).where(_head.c.id == 1).scalar_subquery(),
        select(func.max(_events.c.seq)).scalar_subquery(),
    )
    head_seq, head_hash, max_seq = session.execute(snapshot).one()
    upto = head_seq if head_seq is not None else (max_seq or 0)
    checked, last = 0, None
    rows = _stream(session, upto, batch_size)
    while True:
        after = last.seq if last is not None else 0
        try:
            row = next(rows, None)
            if row is None:
                break
            problem = _check_link(row, last)
        except (TypeError, ValueError, AttributeError) as exc:
            problem = (
                after + 1,
                f"the event after #{after} cannot be read back ({exc}) — "
                "its stored values were altered after it was written",
            )
        if problem:
            return ChainReport(False, checked, *problem)
        checked += 1
        last = row
    problem = _check_tail(head_seq, head_hash, max_seq, last)
    if problem:
        return ChainReport(False, checked, *problem)
    return ChainReport(True, checked)


def _stream(session: Session, upto: int, batch_size: int) -> Iterator[Row]:
    """Events with ``seq <= upto`` in order, fetched ``batch_size`` at a time (keyset paging)."""
    after: int | None = None
    while True:
        query = select(_events).where(_events.c.seq <= upto)
        if after is not None:
            query = query.where(_events.c.seq > after)
        fetched = 0
        for row in session.execute(query.order_by(_events.c.seq).limit(batch_size)):
            fetched += 1
            after = row.seq
            yield row
        if fetched < batch_size:
            return


def _describe(row: Row) -> str:
    if row.work_order_id is None:
        return f"event #{row.seq} ({row.kind})"
    return f"event #{row.seq} ({row.kind}, work order {row.work_order_id})"


def _span(first: int, last: int) -> str:
    return f"event #{first} is" if first == last else f"events #{first} to #{last} are"


def _check_link(row: Row, previous: Row | None) -> tuple[int, str] | None:
    """The first problem with ``row`` as the successor of ``previous``, as (seq, reason)."""
    prev_seq = previous.seq if previous is not None else 0
    prev_hash = previous.hash if previous is not None else GENESIS_HASH
    expected = prev_seq + 1
    if row.seq > expected:
        where = f"goes from #{prev_seq} straight to" if prev_seq else "starts at"
        return expected, (
            f"{_span(expected, row.seq - 1)} missing — deleted after being written "
            f"(the log {where} #{row.seq})"
        )
    if row.seq != expected:
        return expected, f"{_describe(row)}: it is out of place where #{expected} belongs — its number was altered"
    recomputed = event_hash(
        row.prev_hash,
        seq=row.seq,
        at=row.at,
        kind=row.kind,
        work_order_id=row.work_order_id,
        actor=row.actor,
        data=row.data,
    )
    if recomputed != row.hash:
        return row.seq, (
            f"{_describe(row)}: its contents do not match its hash — it was altered after it was written"
        )
    if row.prev_hash != prev_hash:
        before = f"event #{prev_seq}" if prev_seq else "the start of the log"
        return row.seq, (
            f"{_describe(row)}: it does not follow on from {before} — "
            "one of them was rewritten or replaced after it was written"
        )
    return None


def _check_tail(
    head_seq: int | None, head_hash: str | None, max_seq: int | None, last: Row | None
) -> tuple[int | None, str] | None:
    """Compare the end of the walk with the head row, which pins the newest event."""
    last_seq = last.seq if last is not None else 0
    if head_seq is None:
        if max_seq is None:
            return None
        return None, (
            "the audit head record is missing — it was deleted, so events removed from the end "
            "of the log could go unnoticed"
        )
    if last_seq < head_seq:
        return last_seq + 1, (
            f"{_span(last_seq + 1, head_seq)} missing from the end of the log — deleted after "
            f"being written (the head records #{head_seq} as the newest event)"
        )
    if last is not None and last.hash != head_hash:
        return last.seq, (
            f"{_describe(last)}: it is not the event the head recorded as the newest — "
            "it was replaced after it was written"
        )
    if last is None and head_hash != GENESIS_HASH:
        return None, "the audit head record was altered — it no longer matches an empty log"
    if max_seq is not None and max_seq > head_seq:
        return head_seq + 1, (
            f"event #{head_seq + 1} lies beyond the newest event the head records (#{head_seq}) — "
            "it was inserted into the table directly, bypassing the log"
        )
    return None


_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_forbid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING HINT = 'Audit events are evidence; record a new event instead.';
END
$$
"""
_GUARD_TRIGGERS = {
    "audit_events_append_only": "BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW",
    "audit_events_no_truncate": "BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT",
}


def install_postgres_guard(connection: Connection) -> None:
    """Make PostgreSQL refuse UPDATE, DELETE and TRUNCATE on ``audit_events``; safe to rerun.

    Does nothing on SQLite: that is the embedded single-user store, whose owner can edit the
    file anyway, so there the hash chain's job is to *detect* tampering (and tests must be
    able to tamper with the file to prove it does). The guard stops the application and
    careless operators; against the database owner, the chain is still the proof.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text(_GUARD_FUNCTION))
    for name, when in _GUARD_TRIGGERS.items():
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name} ON audit_events"))
        connection.execute(
            text(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION audit_events_forbid_change()")
        )


def remove_postgres_guard(connection: Connection) -> None:
    """Drop the guard triggers again (tests, and deliberate archiving under supervision)."""
    if connection.dialect.name != "postgresql":
        return
    for name in _GUARD_TRIGGERS:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name} ON audit_events"))
