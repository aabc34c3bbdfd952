"""``ticketflow user add``: the production way to create staff who can then sign in."""
from sqlalchemy import select

from engine.directory import ensure_groups
from engine.models import User
from web.auth.identity import authenticate
from web.cli import cli


def test_user_add_creates_a_member_who_can_sign_in(runner, db):
    with db.transaction() as session:
        ensure_groups(session)
    result = runner.invoke(cli, args=["user", "add", "liwei", "--name", "李伟", "--group", "business", "--group", "auditor",
                                 "--password", "correct-horse"])
    assert result.exit_code == 0, result.output
    with db.reading() as session:
        user = session.scalars(select(User).where(User.username == "liwei")).one()
        assert sorted(g.name for g in user.groups) == ["auditor", "business"]
        assert authenticate(session, "liwei", "correct-horse") is not None
        assert authenticate(session, "liwei", "wrong-password") is None


def test_user_add_refuses_a_duplicate_a_short_password_and_an_unknown_group(runner, db):
    with db.transaction() as session:
        ensure_groups(session)
    assert runner.invoke(cli, args=["user", "add", "wang", "--name", "王", "--group", "billing", "--password", "longenough"]).exit_code == 0
    duplicate = runner.invoke(cli, args=["user", "add", "wang", "--name", "王", "--group", "billing", "--password", "longenough"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    short = runner.invoke(cli, args=["user", "add", "zhao", "--name", "赵", "--group", "billing", "--password", "short"])
    assert short.exit_code != 0 and "8 characters" in short.output
    unknown = runner.invoke(cli, args=["user", "add", "qian", "--name", "钱", "--group", "nowhere", "--password", "longenough"])
    assert unknown.exit_code != 0 and "nowhere" in unknown.output
