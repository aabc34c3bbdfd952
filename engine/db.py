"""Database connection: one :class:`Database` per process, one transaction per service call.

SQLite is the embedded default. Its writers are serialised with ``BEGIN IMMEDIATE`` so a
read-then-write service call can never lose an upgrade race half-way; WAL keeps readers
unblocked. PostgreSQL uses row locks (``FOR UPDATE``) taken by the services themselves.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """Declarative base of every ticketflow table."""


class Database:
    """An SQLAlchemy engine plus the session factory every service call uses."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict = {"echo": echo, "future": True}
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.engine.execution_options(ticketflow_read_only=True),
                                           expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session inside one transaction; commit on success, roll back on error."""
        with self.sessions() as session:
            with session.begin():
                yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """Yield a session for reads; nothing is committed, loaded rows stay readable after.

        On SQLite it begins a deferred transaction, so reading never takes the write lock.
        """
        with self._read_sessions() as session:
            yield session

    def create_all(self) -> None:
        """Create tables directly (tests); production uses Alembic migrations."""
        import engine.models  # noqa: F401  (registers the tables)

        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("ticketflow_read_only") else "BEGIN IMMEDIATE")


def open_database(url: str | None = None) -> Database:
    """Open the database named by ``TICKETFLOW_DATABASE_URL`` (or ``url``)."""
    from engine.config import load_settings

    return Database(url or load_settings().database_url)
