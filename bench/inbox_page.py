"""(e) Inbox page latency with 1 000 000 work orders and 50 000 open tasks, SQLite and PostgreSQL.

The rows are bulk-loaded (see :mod:`bench.bulk`); then one department user's inbox is read
through ``engine.inbox.inbox`` and through the real page (``GET /inbox``, signed in, via the
Flask test client) for several views. Target: p95 < 100 ms.
"""
from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from bench import bulk
from bench.fixtures import discard, fresh_database, percentiles
from engine.inbox import InboxQuery, inbox
from engine.models import HumanTask, User

PASSWORD = "bench-pass"
VIEWS = {
    "group_due": ("", InboxQuery()),
    "mine": ("view=mine", InboxQuery(view="mine")),
    "overdue": ("overdue=1", InboxQuery(overdue_only=True)),
    "priority": ("sort=priority", InboxQuery(sort="priority")),
    "flow_page3": ("flow={flow}&page=3", None),
}


def _busiest(db) -> tuple[str, str, str]:
    """The department with the most ready tasks, its user with most claims, and its main flow."""
    with db.reading() as session:
        rows = session.execute(select(HumanTask.group_name, HumanTask.claimed_by, HumanTask.flow_type)
                               .where(HumanTask.state == "ready")).all()
    group = Counter(r.group_name for r in rows).most_common(1)[0][0]
    user = Counter(r.claimed_by for r in rows if r.group_name == group and r.claimed_by).most_common(1)[0][0]
    flow = Counter(r.flow_type for r in rows if r.group_name == group).most_common(1)[0][0]
    return group, user, flow


def _time_engine(db, username: str, query: InboxQuery, repeats: int) -> dict:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        with db.reading() as session:
            page = inbox(session, username, query)
        samples.append((time.perf_counter() - started) * 1000)
    figures = percentiles(samples)
    return {"p50": round(figures["p50"], 1), "p95": round(figures["p95"], 1), "rows": page.total}


def _signed_in_client(db, username: str):
    from web import create_app

    with db.transaction() as session:
        session.execute(update(User).where(User.username == username).values(
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")))
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SCHEDULER_ENABLED": False,
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return app, client


def _time_http(client, url: str, repeats: int) -> dict:
    client.get(url)  # the first render compiles the templates
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    figures = percentiles(samples)
    return {"p50": round(figures["p50"], 1), "p95": round(figures["p95"], 1)}


def measure(url: str | None, work_orders: int, open_tasks: int, repeats: int) -> dict:
    """Load one database and time every view; returns the figures (ms)."""
    db = fresh_database(url)
    try:
        bulk.deploy_all(db)
        bulk.add_staff(db)
        started = time.perf_counter()
        loaded = bulk.load_work_orders(db, work_orders, open_tasks)
        load_s = time.perf_counter() - started
        group, user, flow = _busiest(db)
        result: dict = {"backend": db.dialect, "load_s": round(load_s, 1), **loaded, "user": user, "group": group}
        app, client = _signed_in_client(db, user)
        try:
            worst = 0.0
            for name, (args, query) in VIEWS.items():
                query = query or InboxQuery(flow=flow, page=3)
                engine_ms = _time_engine(db, user, query, repeats)
                http_ms = _time_http(client, f"/inbox?{args.format(flow=flow)}", repeats)
                result[name] = {"engine_ms": engine_ms, "http_ms": http_ms}
                worst = max(worst, engine_ms["p95"], http_ms["p95"])
            result["worst_p95_ms"] = worst
        finally:
            app.extensions["ticketflow.db"].dispose()
        return result
    finally:
        discard(db)


def run(short: bool = False, postgres: str | None = None) -> dict:
    work_orders, open_tasks, repeats = (20_000, 1_000, 10) if short else (1_000_000, 50_000, 200)
    results = {"work_orders": work_orders, "open_tasks": open_tasks, "requests_per_view": repeats,
               "target_p95_ms": 100, "sqlite": measure(None, work_orders, open_tasks, repeats)}
    if postgres:
        results["postgresql"] = measure(postgres, work_orders, open_tasks, repeats)
    return results


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(short="--short" in sys.argv, postgres=next((a for a in sys.argv[1:] if "://" in a), None)),
                     indent=1))
