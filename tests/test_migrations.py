"""The Alembic migrations build exactly the schema the models describe (SQLite and PostgreSQL)."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from engine.db import Base
from engine.migrate import MIGRATIONS, upgrade
from tests.conftest import PG_URL, _import_all_models

SCHEMA = "migration_check"


@pytest.fixture
def empty_url(tmp_path):
    """A database with nothing in it: a new SQLite file, or a fresh PostgreSQL schema."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options=-csearch_path%3D{SCHEMA}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


def test_revision_files_are_named_by_date():
    names = [n for n in os.listdir(MIGRATIONS / "versions") if n.endswith(".py")]
    assert names and all(n[:4].isdigit() and n[4] == "_" for n in names)


def test_upgrade_to_head_matches_the_models(empty_url):
    _import_all_models()
    upgrade(empty_url)
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


@pytest.mark.skipif(not PG_URL, reason="the audit guard trigger is PostgreSQL-only")
def test_migrated_postgres_refuses_to_rewrite_audit_history(empty_url):
    from sqlalchemy.exc import DBAPIError

    _import_all_models()
    upgrade(empty_url)
    engine = create_engine(empty_url)
    with engine.begin() as conn:  # row triggers need a row to refuse
        conn.execute(text("INSERT INTO audit_events (seq, at, kind, actor, data, prev_hash, hash) "
                          "VALUES (1, now(), 'work_order.opened', 'a', '{}', repeat('0', 64), repeat('1', 64))"))
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events", "TRUNCATE audit_events"):
        with pytest.raises(DBAPIError):
            with engine.begin() as conn:
                conn.execute(text(statement))
    engine.dispose()
