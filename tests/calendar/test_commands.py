"""``ticketflow calendar`` commands, driven through click's CliRunner."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.calendar import seed_from_holidays
from engine.calendar.commands import calendar

START = "2026-09-30T16:00+08:00"


@pytest.fixture
def run(monkeypatch):
    def invoke(url: str, *args: str):
        monkeypatch.setenv("TICKETFLOW_DATABASE_URL", url)
        return CliRunner().invoke(calendar, list(args))

    return invoke


@pytest.mark.parametrize(
    ("rule", "first_line"),
    [
        ("2 working days", "2026-10-09T16:00:00+08:00"),
        ("45 minutes", "2026-09-30T16:45:00+08:00"),
        ("10 days", "2026-10-10T16:00:00+08:00"),
        ("1 month", "2026-10-30T16:00:00+08:00"),
    ],
)
def test_due_prints_shanghai_instant_first_on_a_seeded_database(db, run, rule, first_line):
    with db.transaction() as session:
        seed_from_holidays(session)
    result = run(db.url, "due", START, rule)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == first_line
    assert "规则：" in result.output
    assert "calendar tables empty" not in result.output


@pytest.mark.parametrize(
    ("rule", "first_line"),
    [
        ("2 working days", "2026-10-09T16:00:00+08:00"),
        ("45 minutes", "2026-09-30T16:45:00+08:00"),
        ("10 days", "2026-10-10T16:00:00+08:00"),
        ("1 month", "2026-10-30T16:00:00+08:00"),
    ],
)
def test_due_works_without_calendar_tables(tmp_path, run, rule, first_line):
    result = run(f"sqlite:///{tmp_path / 'bare.sqlite3'}", "due", START, rule)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == first_line


def test_due_on_empty_tables_uses_holidays_data_as_official(db, run):
    result = run(db.url, "due", START, "2 working days", "--lang", "en")
    lines = result.output.splitlines()
    assert lines[0] == "2026-10-09T16:00:00+08:00"
    assert "Skipped non-working days: 2026-10-01 to 2026-10-07 (7 days)" in lines
    assert not any(line.startswith("Provisional") for line in lines)


def test_due_with_unknown_rule_fails_with_message(db, run):
    result = run(db.url, "due", START, "soon")
    assert result.exit_code != 0
    assert "unknown deadline rule 'soon'" in result.output


def test_seed_then_import_through_the_cli(db, run, tmp_path):
    assert run(db.url, "seed").exit_code == 0
    again = run(db.url, "seed")
    assert "already up to date: 2020, 2021, 2022, 2023, 2024, 2025, 2026" in again.output

    csv_path = tmp_path / "2027.csv"
    csv_path.write_text("date,kind\n2027-02-20,workday\n", encoding="utf-8")
    imported = run(db.url, "import", str(csv_path))
    assert imported.exit_code == 0, imported.output
    assert "2027: official (new)" in imported.output

    result = run(db.url, "due", "2027-02-19T10:00+08:00", "1 working day")
    assert result.output.splitlines()[0] == "2027-02-20T10:00:00+08:00"
    assert "临时" not in result.output


def test_import_of_bad_file_exits_non_zero_naming_the_line(db, run, tmp_path):
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("date,kind\n2027-02-20,workday\n2027-13-01,holiday\n", encoding="utf-8")
    result = run(db.url, "import", str(csv_path))
    assert result.exit_code != 0
    assert "line 3: date '2027-13-01' is not a valid YYYY-MM-DD date" in result.output


def test_seed_of_unpublished_year_exits_non_zero(db, run):
    result = run(db.url, "seed", "--year", "2027")
    assert result.exit_code != 0
    assert "2027 has no published holiday schedule" in result.output
