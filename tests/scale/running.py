"""Production-shaped processes for the scale tests: ``ticketflow serve`` (gunicorn, several
workers) and ``ticketflow scheduler``, each its own OS process on the test database."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

TICKETFLOW = str(Path(sys.executable).with_name("ticketflow"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """One child process in its own session, so a kill reaches gunicorn's workers too."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.args, self.env, self.log = args, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(self.args, env={**os.environ, **self.env}, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """``kill -9`` the whole process group: no shutdown code runs, as in a power cut."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """Ask politely, then kill."""
        self._signal(signal.SIGTERM, wait=15)
        self._signal(signal.SIGKILL)

    def _signal(self, signum: int, wait: float = 10) -> None:
        if self.popen is None:
            return
        try:
            os.killpg(self.popen.pid, signum)
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return
        if signum == signal.SIGKILL:
            try:  # reap gunicorn workers orphaned by the master's death
                os.killpg(self.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def base_env(database_url: str) -> dict[str, str]:
    return {"TICKETFLOW_DATABASE_URL": database_url, "TICKETFLOW_SECRET_KEY": "scale-tests",
            "TICKETFLOW_SCHEDULER": "0", "PYTHONUNBUFFERED": "1"}


class WebServer(Process):
    """``ticketflow serve --workers N`` with the in-process sweeper off, as DEPLOY.md prescribes."""

    def __init__(self, database_url: str, log: Path, *, workers: int = 4, threads: int = 4):
        self.port = free_port()
        super().__init__([TICKETFLOW, "serve", "--workers", str(workers), "--threads", str(threads)],
                         {**base_env(database_url), "TICKETFLOW_PORT": str(self.port)}, log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> WebServer:
        """Start and wait until ``/healthz`` answers 200."""
        super().start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"the server exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not become healthy:\n{self.output()}")


class Scheduler(Process):
    """``ticketflow scheduler`` sweeping every ``sweep_seconds``."""

    def __init__(self, database_url: str, log: Path, *, sweep_seconds: float = 0.2, batch: int = 50):
        super().__init__([TICKETFLOW, "scheduler"], {**base_env(database_url),
                         "TICKETFLOW_SWEEP_SECONDS": str(sweep_seconds), "TICKETFLOW_SWEEP_BATCH": str(batch)}, log)

    def fired(self) -> int:
        """Timers this process reports having fired (from its log)."""
        return sum(int(n) for n in re.findall(r"timers fired=(\d+)", self.output()))


def wait_for(predicate, *, timeout: float, interval: float = 0.25, what: str = "condition") -> None:
    """Poll ``predicate`` until true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
