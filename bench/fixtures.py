"""Throw-away databases and the reference ticket diagram the benchmarks run."""
from __future__ import annotations

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
    Base.metadata.drop_all(db.engine)
    Base.metadata.create_all(db.engine)
    with db.transaction() as session:
        ensure_groups(session)
        seed_from_holidays(session)
        for group in ("call_centre", "business", "shift_lead"):
            create_user(session, f"{group}_user", group, [group])
        deploy_process(session, TICKET_BPMN.read_bytes(), actor="bench")
    return db
