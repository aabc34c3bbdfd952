"""Audit tables: an append-only event log chained by SHA-256, plus the head that pins its tail.

``work_order_id`` deliberately has no foreign key: the record of a work order must outlive
the work order itself (and any clean-up of its rows).
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class AuditEvent(Base):
    """One thing that happened; ``hash`` covers its contents and the previous event's hash."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(64), index=True)
    work_order_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    @property
    def payload(self) -> dict:
        """The event's data as a dict (``data`` holds it as canonical JSON text)."""
        return json.loads(self.data)

    def __repr__(self) -> str:
        return f"<AuditEvent #{self.seq} {self.kind} work_order={self.work_order_id}>"


class AuditHead(Base):
    """The single row (id 1) naming the newest event, so deleting the tail is detectable too."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="ck_audit_head_single_row"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
