"""Every setting ticketflow reads from the environment, documented in one place.

| variable | default | meaning |
|---|---|---|
| ``TICKETFLOW_DATABASE_URL`` | ``sqlite:///<instance>/ticketflow.sqlite3`` | SQLAlchemy URL; ``postgresql+psycopg://...`` for production |
| ``TICKETFLOW_INSTANCE_DIR`` | ``./instance`` | where the SQLite file and uploads live |
| ``TICKETFLOW_SECRET_KEY`` | random per process | Flask session signing key (set it in production) |
| ``TICKETFLOW_SCHEDULER`` | ``1`` | ``0`` stops the web app from starting the timer sweeper itself |
| ``TICKETFLOW_SWEEP_SECONDS`` | ``1`` | how often the sweeper looks for due timers; a timer fires at most this late plus its handler's time (an idle sweep is one index probe on ``timers.due_at``: under 1 ms with 100 000 timers waiting, bench (d)) |
| ``TICKETFLOW_SWEEP_BATCH`` | ``200`` | most timers fired by one sweep transaction batch |
| ``TICKETFLOW_HOST`` / ``TICKETFLOW_PORT`` | ``127.0.0.1`` / ``5000`` | where ``ticketflow serve`` listens |
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; build one with :func:`load_settings`."""

    instance_dir: Path
    database_url: str
    secret_key: str
    scheduler_enabled: bool
    sweep_seconds: float
    sweep_batch: int
    host: str
    port: int
    extra: dict = field(default_factory=dict)


def load_settings(**overrides) -> Settings:
    """Read the environment; keyword overrides win (tests use them)."""
    instance_dir = Path(_env("TICKETFLOW_INSTANCE_DIR", str(Path.cwd() / "instance"))).resolve()
    values = dict(
        instance_dir=instance_dir,
        database_url=_env("TICKETFLOW_DATABASE_URL", f"sqlite:///{instance_dir / 'ticketflow.sqlite3'}"),
        secret_key=_env("TICKETFLOW_SECRET_KEY", "") or secrets.token_hex(32),
        scheduler_enabled=_env("TICKETFLOW_SCHEDULER", "1") not in ("0", "false", "no", "off"),
        sweep_seconds=float(_env("TICKETFLOW_SWEEP_SECONDS", "1")),
        sweep_batch=int(_env("TICKETFLOW_SWEEP_BATCH", "200")),
        host=_env("TICKETFLOW_HOST", "127.0.0.1"),
        port=int(_env("TICKETFLOW_PORT", "5000")),
    )
    values.update(overrides)
    return Settings(**values)
