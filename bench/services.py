"""Run ticketflow's real processes (scheduler, gunicorn) for a benchmark, and always stop them."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.scale.running import Process, free_port  # noqa: F401  (free_port: used by the benchmarks)

ROOT = Path(__file__).resolve().parent.parent


def ticketflow_command() -> list[str]:
    """The ``ticketflow`` console script of this interpreter's environment."""
    script = shutil.which("ticketflow", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-c", "from web.cli import cli; cli()"]


def environment(database_url: str, **settings: str) -> dict[str, str]:
    """The process environment for a ticketflow command on ``database_url``."""
    env = {**os.environ, "TICKETFLOW_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
           "TICKETFLOW_INSTANCE_DIR": tempfile.mkdtemp(prefix="tf-bench-instance-"),
           "TICKETFLOW_SECRET_KEY": "bench", "TICKETFLOW_SCHEDULER": "0"}
    env.update({f"TICKETFLOW_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process (and its reaped children) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process plus its live children (gunicorn's master and workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_seconds(pid) + sum(cpu_seconds(int(child)) for child in children)


@contextmanager
def running(args: list[str], env: dict[str, str], *, ready_port: int | None = None) -> Iterator[subprocess.Popen]:
    """Start a command in its own process group; on exit stop the whole group (TERM, then KILL)."""
    log = Path(tempfile.mkstemp(prefix="tf-bench-", suffix=".log")[1])
    process = Process(args, env, log).start()
    try:
        if ready_port is not None:
            _wait_for_port(process.popen, ready_port, log)
        yield process.popen
    finally:
        process.stop()


def _wait_for_port(process: subprocess.Popen, port: int, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {timeout}s; see {log}")
