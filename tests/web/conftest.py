"""Web fixtures: the Flask-tutorial ``app`` / ``client`` / ``runner``, people and sign-in, and
for browser tests the app served from a thread (``live_server``), ``chromium`` and ``shots``.

The app runs on the shared ``db`` fixture's database with the frozen ``clock``; CSRF stays
on, so every POST a test makes carries the token the page gave it, exactly like a browser.
Screenshots go to ``test-output/browser/<test name>/`` (git-ignored) for a person to look at.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from marshmallow import Schema, fields
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from engine.directory import create_user
from forms import register_form
from forms.validators import check_phone, long_text, phone, text
from tests.engine.conftest import INTAKE, TICKET_BPMN  # noqa: F401  (registers the test.* forms)
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS
from web import create_app

PASSWORD = "s3cret-pass"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's chromium through the running app (Playwright)")


BPMN = Path(__file__).parent / "bpmn"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
SEALED = {"sealed": True}


@register_form("webtest.sealed_intake", "保密受理", "Sealed intake")
class SealedIntake(Schema):
    """A tip-off-like intake whose reporter identity is sealed."""

    customer_name = text("举报人姓名", "Reporter's name", **SEALED)
    customer_phone = fields.String(required=True, validate=check_phone, metadata={
        "label_zh": "举报人电话", "label_en": "Reporter's phone", "widget": "tel", **SEALED})
    summary = long_text("举报内容", "Report")


@register_form("webtest.linkable_intake", "故障受理", "Fault intake")
class LinkableIntake(Schema):
    """A fault-like intake: a call at an address with an open job may be linked to it."""

    customer_name = text("客户姓名", "Customer name")
    customer_phone = phone("联系电话", "Phone")
    customer_address = text("用电地址", "Address")
    summary = long_text("故障现象", "Symptom")
    link_to = text("关联工单", "Link to work order", required=False)


@register_form("webtest.investigate", "调查处理", "Investigation")
class Investigate(Schema):
    result = long_text("处理结果", "Result")
_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def app(db, flow):
    """The web app on the test database (groups and calendar seeded by the harness)."""
    application = create_app({
        "TESTING": True, "DATABASE_URL": db.url, "SCHEDULER_ENABLED": False, "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": True,
    })
    yield application
    application.extensions["ticketflow.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _quick_hash(password: str) -> str:
    """A real werkzeug hash with few iterations: sign-in checks it the same way, only faster."""
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


@pytest.fixture
def make_user(db):
    """Create a person with a password and group memberships; returns the username."""

    def make(username: str, *groups: str, display_name: str | None = None, password: str = PASSWORD) -> str:
        with db.transaction() as session:
            create_user(session, username, display_name or username, list(groups), password_hash=_quick_hash(password))
        return username

    return make


def csrf_token(client) -> str:
    """The CSRF token of the client's session, read from a page like a browser would."""
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    return _TOKEN.search(page).group(1)


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST a form with the session's CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)


@pytest.fixture
def login_as(app, make_user):
    """A signed-in test client for ``username`` (created in ``groups`` when given)."""

    def login(username: str, *groups: str):
        if groups:
            make_user(username, *groups)
        signed_in = app.test_client()
        response = post(signed_in, "/login", {"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return signed_in

    return login


@pytest.fixture
def sealed(flow):
    """The harness with the sealed test diagram (call centre intake → discipline) deployed."""
    flow.deploy(BPMN / "sealed.bpmn")
    return flow


@pytest.fixture
def linkable(flow):
    """The harness with the linkable test diagram (call centre intake → repair desk) deployed."""
    flow.deploy(BPMN / "linkable.bpmn")
    return flow


@pytest.fixture
def ticket(flow):
    """The harness with the small test diagram (call centre → business → call centre) deployed."""
    flow.deploy(TICKET_BPMN)
    return flow


@pytest.fixture
def live_server(app):
    """The app on http://127.0.0.1:<a free port>, served from a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(request):
    """``shots(page, "name")`` saves a full-page screenshot for this test and returns its path."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    counter = iter(range(1, 1000))

    def shoot(page, name: str) -> Path:
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
