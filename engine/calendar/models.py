"""Calendar tables: one row per day of every official year, one row per official year.

A year with a ``calendar_years`` row is *official* and every one of its days has a
``calendar_days`` row; any other year is provisional and computed, never stored.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

NOTE_LENGTH = 200


class CalendarDay(Base):
    """Whether one Asia/Shanghai date is a working day, and why (holiday name, "调休上班" ...)."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(NOTE_LENGTH), default="")
    source: Mapped[str] = mapped_column(String(16))  # 'holidays' or 'import'


class CalendarYear(Base):
    """An official year: where its days came from and when they were loaded."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(16))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
