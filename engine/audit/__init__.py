"""Append-only, hash-chained audit log: every event links to the one before it."""
from engine.audit.chain import (
    KINDS,
    ChainReport,
    events_for,
    install_postgres_guard,
    record,
    remove_postgres_guard,
    verify_chain,
)

__all__ = [
    "KINDS",
    "ChainReport",
    "events_for",
    "install_postgres_guard",
    "record",
    "remove_postgres_guard",
    "verify_chain",
]
