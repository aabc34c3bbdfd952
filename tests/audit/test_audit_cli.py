"""``audit verify``: prints the verdict and fails the shell (exit 1) when the chain is broken."""
from __future__ import annotations

from click.testing import CliRunner

from engine.audit.commands import audit


def _run_verify(db, monkeypatch):
    monkeypatch.setenv("TICKETFLOW_DATABASE_URL", db.url)
    return CliRunner().invoke(audit, ["verify"])


def test_verify_command_prints_ok_with_the_event_count(db, seed, monkeypatch):
    seed(4)
    result = _run_verify(db, monkeypatch)

    assert result.exit_code == 0, result.output
    assert result.output == "OK: 4 events, chain intact\n"


def test_verify_command_prints_broken_and_exits_1(db, seed, tamper, monkeypatch):
    seed(4)
    tamper("UPDATE audit_events SET actor = 'nobody' WHERE seq = 2")
    result = _run_verify(db, monkeypatch)

    assert result.exit_code == 1
    assert result.output.startswith("BROKEN at event #2: event #2 (")
    assert "altered after it was written" in result.output
