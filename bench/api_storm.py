"""(f) A storm of fault reports through the REST API on gunicorn, with the scheduler running apart.

Runs on SQLite, and on PostgreSQL (the production shape) when given one.

``POST /api/v1/work-orders`` (fault-repair intake, as the telephony gateway sends it) from
many client threads at once against ``ticketflow serve`` (gunicorn, web workers not sweeping)
plus one ``ticketflow scheduler`` process. Reports throughput, latency and whether every
accepted report was persisted. Target: ≥ 100 work orders/s with 0 errors.

Sized for the 2-core benchmark machine: 2 gunicorn workers × 4 threads (one process per
core; threads overlap the database round trips) and 8 client connections, so the server
always has a request queued without the client's own threads starving it of CPU.
"""
from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bench import bulk, services
from bench.fixtures import discard, fresh_database, percentiles
from engine.api_tokens import issue_token
from engine.directory import create_user
from engine.models import WorkOrder

WORKERS, THREADS, CLIENTS = 2, 4, 8
CALL = {"customer_name": "李四", "customer_address": "南昌市红谷滩区丰和中大道1号", "summary": "整栋楼停电，闻到焦味",
        "area_class": "urban"}


def _token(db) -> str:
    with db.transaction() as session:
        create_user(session, "ivr_gateway", "IVR gateway", ["call_centre"])
        _token, plaintext = issue_token(session, "ivr_gateway", "telephony gateway", actor="bench")
    return plaintext


def _database_cpu(db) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving this database (none on SQLite)."""
    if db.is_sqlite:
        return {}
    with db.engine.connect() as conn:
        pids = conn.exec_driver_sql("SELECT pid FROM pg_stat_activity WHERE datname = current_database()").scalars()
        found = {}
        for pid in pids:
            try:
                found[pid] = services.cpu_seconds(pid)
            except OSError:  # PostgreSQL on another host, or the backend just ended
                continue
    return found


class _Client:
    """One keep-alive connection per client thread, as a gateway's connection pool would hold."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.local = threading.local()

    def post(self, n: int) -> tuple[int, float]:
        if not hasattr(self.local, "conn"):
            self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        phone = f"139{n:08d}" if n >= 0 else f"137{-n:08d}"  # warm-up calls are not counted
        body = json.dumps({"flow": "fault_repair", "intake": {**CALL, "customer_phone": phone}})
        started = time.perf_counter()
        try:
            self.local.conn.request("POST", "/api/v1/work-orders", body, {
                "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
            response = self.local.conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.local.conn.close()
            del self.local.conn
            status = 0
        return status, (time.perf_counter() - started) * 1000


def measure(url: str | None, reports: int, workers: int = WORKERS, threads: int = THREADS,
            clients: int = CLIENTS) -> dict:
    """Serve one fresh database, send ``reports`` fault reports; returns the figures."""
    db = fresh_database(url)
    try:
        bulk.deploy_all(db)
        token = _token(db)
        port = services.free_port()
        env = services.environment(db.url, host="127.0.0.1", port=port)
        serve = services.ticketflow_command() + ["serve", "--workers", str(workers), "--threads", str(threads)]
        with services.running(serve, env, ready_port=port) as server, \
                services.running(services.ticketflow_command() + ["scheduler"], env):
            client = _Client(port, token)
            with ThreadPoolExecutor(clients) as pool:
                warm_up = list(pool.map(client.post, range(-clients, 0)))  # every worker and connection
                assert all(status == 201 for status, _ms in warm_up), warm_up
                server_cpu, client_cpu = services.tree_cpu_seconds(server.pid), time.process_time()
                database_cpu = _database_cpu(db)
                started = time.perf_counter()
                answers = list(pool.map(client.post, range(reports)))
                wall = time.perf_counter() - started
                server_cpu = services.tree_cpu_seconds(server.pid) - server_cpu
                client_cpu = time.process_time() - client_cpu
                database_cpu = {pid: cpu - database_cpu.get(pid, 0.0) for pid, cpu in _database_cpu(db).items()}
        with db.reading() as session:
            persisted = session.scalar(select(func.count()).select_from(WorkOrder).where(
                WorkOrder.flow_type == "fault_repair", WorkOrder.customer_phone.like("139%")))
        statuses: dict[str, int] = {}
        for status, _ms in answers:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        latency = percentiles([ms for _status, ms in answers])
        return {
            "backend": db.dialect, "reports": reports, "gunicorn": f"{workers} workers x {threads} threads",
            "clients": clients, "wall_s": round(wall, 1), "work_orders_per_s": round(reports / wall, 1),
            "latency_ms": {k: round(latency[k], 1) for k in ("p50", "p95", "max")}, "statuses": statuses,
            "errors": reports - statuses.get("201", 0), "persisted": persisted,
            # CPU per report: web workers (all of it is Python) and this client; the machine's
            # cores divided by their sum bounds the throughput before PostgreSQL's own share.
            "server_cpu_ms_per_report": round(server_cpu * 1000 / reports, 1),
            "client_cpu_ms_per_report": round(client_cpu * 1000 / reports, 1),
            "database_cpu_ms_per_report": round(sum(database_cpu.values()) * 1000 / reports, 1) if url else None,
        }
    finally:
        discard(db)


def run(short: bool = False, postgres: str | None = None) -> dict:
    reports = 200 if short else 10_000
    results = {"target_per_s": 100, "sqlite": measure(None, reports)}
    if postgres:
        results["postgresql"] = measure(postgres, reports)
    return results


if __name__ == "__main__":
    import sys

    print(json.dumps(run(short="--short" in sys.argv, postgres=next((a for a in sys.argv[1:] if "://" in a), None)),
                     indent=1))
