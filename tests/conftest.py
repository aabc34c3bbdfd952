"""Shared fixtures: a fresh database per test (SQLite file, or PostgreSQL when
``TICKETFLOW_TEST_DATABASE_URL`` is set), plus factories used across the suite."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from engine.db import Base, Database

PG_URL = os.environ.get("TICKETFLOW_TEST_DATABASE_URL", "")


def _import_all_models() -> None:
    import engine.api_tokens  # noqa: F401
    import engine.models  # noqa: F401
    import engine.calendar.models  # noqa: F401
    import engine.audit.models  # noqa: F401
    import engine.drafts  # noqa: F401
    import engine.migration  # noqa: F401


@pytest.fixture(scope="session")
def _pg_schema():
    """Create the PostgreSQL schema once per run; tests truncate instead of recreating."""
    if not PG_URL:
        yield None
        return
    _import_all_models()
    database = Database(PG_URL)
    with database.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    Base.metadata.create_all(database.engine)
    database.dispose()
    yield PG_URL


@pytest.fixture
def db_url(tmp_path, _pg_schema) -> str:
    """The URL of an empty database for this test."""
    if _pg_schema:
        return _pg_schema
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def db(db_url):
    """An empty, migrated-equivalent database (tables created from the models)."""
    _import_all_models()
    database = Database(db_url)
    if PG_URL:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def clock():
    """A frozen clock at 2026-09-30 16:00 Asia/Shanghai (the eve of National Day)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from engine.testing import Clock

    frozen = Clock(datetime(2026, 9, 30, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    yield frozen
    frozen.stop()


@pytest.fixture
def flow(db, clock):
    """The flow harness on a fresh database with the frozen clock."""
    from engine.testing import FlowHarness

    return FlowHarness(db, clock)
