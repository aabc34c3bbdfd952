"""Sign-in, sign-out, CSRF on every form, and the language switch."""
from __future__ import annotations

from sqlalchemy import select

from engine.directory import create_user
from engine.models import User
from web.auth.identity import hash_password
from tests.web.conftest import PASSWORD, csrf_token, post


def test_pages_need_sign_in(client):
    for path in ("/inbox", "/intake/", "/handover/", "/work-orders/", "/tasks/1", "/work-orders/TS1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_password_is_stored_hashed_and_checked(client, db):
    with db.transaction() as session:
        create_user(session, "agent", "王芳", ["call_centre"], password_hash=hash_password(PASSWORD))
    with db.reading() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "agent"))
    assert PASSWORD not in stored and stored.startswith("scrypt:")
    refused = post(client, "/login", {"username": "agent", "password": "wrong"})
    assert refused.status_code == 401 and "用户名或密码错误" in refused.get_data(as_text=True)
    accepted = post(client, "/login", {"username": "agent", "password": PASSWORD})
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/inbox")


def test_inactive_user_cannot_sign_in(client, make_user, db):
    make_user("gone", "call_centre")
    with db.transaction() as session:
        session.scalars(select(User).where(User.username == "gone")).one().is_active = False
    assert post(client, "/login", {"username": "gone", "password": PASSWORD}).status_code == 401


def test_login_ignores_an_offsite_next(client, make_user):
    make_user("agent", "call_centre")
    response = post(client, "/login?next=https://evil.example/x", {"username": "agent", "password": PASSWORD})
    assert response.headers["Location"].endswith("/inbox")


def test_header_shows_user_and_groups_and_logout_ends_the_session(login_as):
    agent = login_as("agent", "call_centre", "shift_lead")
    page = agent.get("/inbox").get_data(as_text=True)
    assert "95598 呼叫中心" in page and "值班长" in page and "退出" in page
    response = post(agent, "/logout")
    assert response.status_code == 302
    assert agent.get("/inbox").status_code == 302


def test_post_without_csrf_token_is_refused(login_as, ticket):
    agent = login_as("agent", "call_centre")
    response = agent.post("/intake/test_ticket", data={"customer_name": "张三", "customer_phone": "13800138000",
                                                     "summary": "x", "action": "open"})
    assert response.status_code == 400
    assert "表单已过期或不是来自本系统" in response.get_data(as_text=True)
    with agent.application.app_context():
        from web import db

        with db().reading() as session:
            from engine.models import WorkOrder

            assert session.scalar(select(WorkOrder.id)) is None


def test_login_and_logout_need_the_csrf_token_too(client, make_user):
    make_user("agent", "call_centre")
    assert client.post("/login", data={"username": "agent", "password": PASSWORD}).status_code == 400
    assert client.post("/language", data={"lang": "en"}).status_code == 400


def test_chinese_is_the_default_and_english_is_switchable(client, make_user):
    make_user("agent", "call_centre")
    assert "登录" in client.get("/login").get_data(as_text=True)
    switched = post(client, "/language", {"lang": "en", "next": "/login"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/login")
    english = client.get("/login").get_data(as_text=True)
    assert "Sign in" in english and 'lang="en"' in english
    post(client, "/login", {"username": "agent", "password": PASSWORD})
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Group queue" in inbox and "95598 call centre" in inbox, "the language survives signing in"
    post(client, "/language", {"lang": "zh_CN"})
    assert "部门待办" in client.get("/inbox").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    token = csrf_token(client)
    client.post("/language", data={"lang": "xx", "csrf_token": token})
    assert "登录" in client.get("/login").get_data(as_text=True)
