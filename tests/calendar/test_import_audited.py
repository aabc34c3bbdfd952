"""Importing an official year is itself an audited event: every later deadline depends on it."""
from engine.audit import verify_chain
from engine.audit.models import AuditEvent
from engine.calendar import import_year_csv


def test_calendar_import_is_recorded_with_the_files_hash(db, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text("date,kind\n2027-02-06,holiday\n2027-02-20,workday\n", encoding="utf-8")
    with db.transaction() as session:
        import_year_csv(session, path, actor="admin")
    with db.reading() as session:
        [event] = session.query(AuditEvent).all()
        assert (event.kind, event.actor) == ("calendar.imported", "admin")
        assert event.payload["years"] == [2027] and len(event.payload["sha256"]) == 64
        assert verify_chain(session).ok
