"""Official years in the database: seeding, CSV import and the cached calendar."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from engine.calendar import CalendarImportError, import_year_csv, load_calendar, seed_from_holidays
from engine.calendar.models import CalendarDay, CalendarYear
from engine.db import Database

CST = timezone(timedelta(hours=8))
FRIDAY_BEFORE_MAKE_UP = datetime(2027, 2, 19, 10, tzinfo=CST)

CSV_2027 = """date,kind,note
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-20,workday,
"""


def write(tmp_path, text: str, name: str = "calendar.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_seed_makes_2020_to_2026_official_with_every_day_stored(db):
    with db.transaction() as session:
        summary = seed_from_holidays(session)
    assert summary.seeded == tuple(range(2020, 2027))
    with db.reading() as session:
        assert session.scalars(select(CalendarYear.year).order_by(CalendarYear.year)).all() == list(range(2020, 2027))
        assert count(session, CalendarDay) == sum(366 if y in (2020, 2024) else 365 for y in range(2020, 2027))
        make_up = session.get(CalendarDay, date(2026, 10, 10))
        assert (make_up.is_working, make_up.note, make_up.source) == (True, "调休上班", "holidays")
        assert session.get(CalendarDay, date(2026, 10, 1)).is_working is False


def test_seed_twice_writes_nothing_new(db):
    with db.transaction() as session:
        seed_from_holidays(session, [2026])
    with db.reading() as session:
        first_loaded = session.get(CalendarYear, 2026).loaded_at
    with db.transaction() as session:
        summary = seed_from_holidays(session, [2026])
    assert (summary.seeded, summary.unchanged) == ((), (2026,))
    with db.reading() as session:
        assert session.get(CalendarYear, 2026).loaded_at == first_loaded
        assert count(session, CalendarDay) == 365


def test_seed_refuses_unpublished_year(db):
    with db.transaction() as session, pytest.raises(ValueError, match="2027 has no published holiday schedule"):
        seed_from_holidays(session, [2027])


def test_seed_keeps_a_year_the_administrator_imported(db, tmp_path):
    with db.transaction() as session:
        import_year_csv(session, write(tmp_path, "date,kind\n2026-03-02,holiday\n"))
    with db.transaction() as session:
        summary = seed_from_holidays(session, [2026])
    assert summary.kept_import == (2026,)
    with db.reading() as session:
        assert load_calendar(session).is_working_day(date(2026, 3, 2)) is False


def test_loaded_calendar_computes_the_national_day_example(db):
    with db.transaction() as session:
        seed_from_holidays(session)
    with db.reading() as session:
        calendar = load_calendar(session)
    deadline = calendar.due("2026-09-30T16:00+08:00", "2 working days")
    assert deadline.due == datetime(2026, 10, 9, 16, tzinfo=CST)
    assert calendar.is_working_day(date(2026, 2, 14))


def test_import_makes_year_official_with_its_make_up_day(db, tmp_path):
    with db.transaction() as session:
        seed_from_holidays(session, [2026])
    with db.reading() as session:
        before = load_calendar(session).add_working_days(FRIDAY_BEFORE_MAKE_UP, 1)
    assert before.due == datetime(2027, 2, 22, 10, tzinfo=CST) and before.provisional

    with db.transaction() as session:
        summary = import_year_csv(session, write(tmp_path, CSV_2027))
    assert summary.years == (2027,)
    assert summary.make_up_days == {2027: 1}
    assert summary.listed_rows == 8

    with db.reading() as session:
        calendar = load_calendar(session)
        year = session.get(CalendarYear, 2027)
        assert year.source == "import"
        assert count(session, CalendarDay) == 365 * 2
        assert session.get(CalendarDay, date(2027, 2, 6)).note == "春节"
        assert session.get(CalendarDay, date(2027, 2, 20)).note == "调休上班"
    after = calendar.add_working_days(FRIDAY_BEFORE_MAKE_UP, 1)
    assert after.due == datetime(2027, 2, 20, 10, tzinfo=CST)
    assert not after.provisional
    assert not calendar.is_working_day(date(2027, 2, 8))
    assert calendar.is_working_day(date(2027, 10, 1))  # not listed: the Mon–Fri rule applies


def test_import_replaces_previous_rows_of_the_year(db, tmp_path):
    with db.transaction() as session:
        seed_from_holidays(session, [2026])
    with db.transaction() as session:
        summary = import_year_csv(session, write(tmp_path, "date,kind\n2026-10-10,休息日\n2026-10-01,工作日\n"))
    assert summary.replaced == (2026,)
    with db.reading() as session:
        calendar = load_calendar(session)
        assert session.get(CalendarYear, 2026).source == "import"
        assert {r.source for r in session.scalars(select(CalendarDay))} == {"import"}
    assert calendar.is_working_day(date(2026, 10, 1))
    assert not calendar.is_working_day(date(2026, 10, 10))
    assert not calendar.is_working_day(date(2026, 2, 14))  # the seeded make-up day is gone


def test_import_accepts_chinese_kinds_bom_and_blank_lines(db, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("\ufeffdate,kind\n2028-01-03,节假日\n\n2028-01-08,工作日\n", encoding="utf-8")
    with db.transaction() as session:
        summary = import_year_csv(session, path)
    assert summary.non_working_days[2028] == 106 + 1 - 1  # 106 weekend days, +1 holiday, -1 make-up
    assert summary.make_up_days == {2028: 1}


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("date,kind\n2027-01-04,holiday\n2027-02-30,holiday\n", 3, "not a valid YYYY-MM-DD"),
        ("date,kind\n2027-01-04,holiday\n2027-01-05,vacation\n", 3, "must be workday or holiday"),
        ("date,kind\n2027-01-04,holiday\n\n2027-01-04,workday\n", 4, "listed twice (first on line 2)"),
        ("date,kind\n2027-01-04,holiday,extra\n", 2, "expected 2 columns"),
        ("day,type\n2027-01-04,holiday\n", 1, "header must be"),
        ("date,kind\n04/01/2027,holiday\n", 2, "not a valid YYYY-MM-DD"),
        ("date,kind,note\n2027-01-04,holiday\n2027-01-05,holiday," + "长" * 201 + "\n", 3, "note is longer"),
    ],
)
def test_bad_csv_row_names_its_line_and_writes_nothing(db, tmp_path, text, line, problem):
    with db.transaction() as session:
        seed_from_holidays(session, [2026])
    good_then_bad = write(tmp_path, text)
    with db.transaction() as session:
        with pytest.raises(CalendarImportError) as caught:
            import_year_csv(session, good_then_bad)
        assert caught.value.line == line
        assert f"line {line}: " in str(caught.value) and problem in str(caught.value)
        assert session.scalars(select(CalendarYear.year)).all() == [2026]
        assert count(session, CalendarDay) == 365


def test_csv_without_rows_is_rejected(tmp_path, db):
    with db.transaction() as session, pytest.raises(CalendarImportError, match="lists no days"):
        import_year_csv(session, write(tmp_path, "date,kind\n"))


def test_cached_calendar_is_reused_until_the_tables_change(db):
    with db.transaction() as session:
        seed_from_holidays(session, [2026])
    with db.reading() as session:
        first = load_calendar(session)
    with db.reading() as session:
        assert load_calendar(session) is first


def test_cache_sees_a_year_imported_by_another_process(db, tmp_path):
    with db.transaction() as session:
        seed_from_holidays(session, [2026])
    with db.reading() as session:
        assert load_calendar(session).is_provisional(2027)

    other_process = Database(db.url)
    try:
        with other_process.transaction() as session:
            import_year_csv(session, write(tmp_path, CSV_2027))
    finally:
        other_process.dispose()

    with db.reading() as session:
        calendar = load_calendar(session)
    assert not calendar.is_provisional(2027)
    assert calendar.is_working_day(date(2027, 2, 20))
