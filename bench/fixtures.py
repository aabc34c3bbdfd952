"""Throw-away databases and the reference ticket diagram the benchmarks run."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from engine.calendar import seed_from_holidays
from engine.db import Base, Database
from engine.deployment import deploy_process
from engine.directory import create_user, ensure_groups

# The two-user-task ticket (department handling → reply) also used by tests/engine; importing
# the module registers its forms.
from tests.engine.conftest import INTAKE, TICKET_BPMN  # noqa: F401


def fresh_database(url: str | None = None) -> Database:
    """An empty SQLite file (or the given URL, emptied) with the schema, groups, calendar and users."""
    import engine.api_tokens  # noqa: F401
    import engine.audit.models  # noqa: F401
    import engine.calendar.models  # noqa: F401
    import engine.models  # noqa: F401

    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='tf-bench-')) / 'bench.sqlite3'}"
    db = Database(url)
    if db.is_sqlite:
        Base.metadata.drop_all(db.engine)
    else:  # tables of modules this process never imported may still hold foreign keys
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    Base.metadata.create_all(db.engine)
    with db.transaction() as session:
        ensure_groups(session)
        seed_from_holidays(session)
        for group in ("call_centre", "business", "shift_lead"):
            create_user(session, f"{group}_user", group, [group])
        deploy_process(session, TICKET_BPMN.read_bytes(), actor="bench")
    return db


def discard(db: Database) -> None:
    """Close a benchmark database; a throw-away SQLite file is deleted (the big ones take ~1 GB)."""
    db.dispose()
    if db.is_sqlite:
        folder = Path(db.url.split("///", 1)[-1]).parent
        if folder.name.startswith("tf-bench-"):
            shutil.rmtree(folder, ignore_errors=True)


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 / max of a list of timings (or lateness values)."""
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}
