"""REST API fixtures: the Flask app on the test database, a client, and token factories."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.api_tokens import issue_token  # also registers the api_tokens table before the schema is built
from engine.directory import create_user
from engine.models import User
from tests.engine.conftest import INTAKE, TICKET_BPMN  # also registers the test.* forms of ticket.bpmn
from web import create_app


@pytest.fixture
def app(flow, db, tmp_path, monkeypatch):
    """The app sharing the harness's database and frozen clock."""
    monkeypatch.setenv("TICKETFLOW_INSTANCE_DIR", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "SCHEDULER_ENABLED": False, "SECRET_KEY": "test"})
    app.extensions["ticketflow.db"].dispose()
    app.extensions["ticketflow.db"] = db
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api_token(db, flow):
    """``api_token(username, groups)`` → an ``Authorization`` header for that (new or existing) user."""

    def make(username: str, groups: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
        with db.transaction() as session:
            if session.scalars(select(User).where(User.username == username)).first() is None:
                create_user(session, username, username, list(groups))
            _token, plaintext = issue_token(session, username, f"{username} system", actor="test")
        return {"Authorization": f"Bearer {plaintext}"}

    return make


@pytest.fixture
def ticket(flow):
    """The harness with tests/engine/bpmn/ticket.bpmn deployed (process ``test_ticket``)."""
    flow.deploy(TICKET_BPMN)
    return flow


@pytest.fixture
def ivr(api_token):
    """The telephony gateway's token: a call-centre system user."""
    return api_token("ivr_gateway", ["call_centre"])


@pytest.fixture
def business(api_token):
    return api_token("business_system", ["business"])


@pytest.fixture
def opened(client, ticket, ivr) -> dict:
    """A test_ticket work order opened through the API (its handle task is ready for business)."""
    response = client.post("/api/v1/work-orders", json={"flow": "test_ticket", "intake": INTAKE}, headers=ivr)
    assert response.status_code == 201, response.json
    return response.json
