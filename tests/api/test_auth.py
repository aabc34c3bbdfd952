"""Bearer tokens: every API call needs a live token; only its hash is stored; the CLI issues and revokes them."""
import hashlib

from sqlalchemy import select, text

from engine.api_tokens import ApiToken
from engine.models import User

TASKS = "/api/v1/tasks"


def _assert_401(response):
    assert response.status_code == 401
    assert response.is_json and response.json["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_request_without_a_token_is_refused_with_a_json_401(client):
    _assert_401(client.get(TASKS))


def test_a_non_bearer_authorization_header_is_refused(client, ivr):
    _assert_401(client.get(TASKS, headers={"Authorization": "Basic " + ivr["Authorization"].split()[1]}))


def test_an_unknown_token_is_refused(client, ticket):
    _assert_401(client.get(TASKS, headers={"Authorization": "Bearer tf_not-a-real-token"}))


def test_a_revoked_token_stops_working(client, db, ivr):
    assert client.get(TASKS, headers=ivr).status_code == 200
    with db.transaction() as session:
        for token in session.scalars(select(ApiToken)):
            token.revoked_at = token.created_at
    _assert_401(client.get(TASKS, headers=ivr))


def test_a_token_of_a_deactivated_user_stops_working(client, db, ivr):
    with db.transaction() as session:
        session.scalars(select(User).where(User.username == "ivr_gateway")).one().is_active = False
    _assert_401(client.get(TASKS, headers=ivr))


def test_only_the_sha256_of_a_token_is_stored(db, ivr):
    plaintext = ivr["Authorization"].split()[1]
    with db.reading() as session:
        [token] = session.scalars(select(ApiToken)).all()
        row = " ".join(str(v) for v in session.execute(text("SELECT * FROM api_tokens")).one())
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in row


def test_cli_issues_a_working_token_for_a_new_system_user_lists_and_revokes_it(app, client, ticket):
    runner = app.test_cli_runner()
    issued = runner.invoke(args=["api-token", "issue", "billing_gw", "--name", "Billing gateway",
                                 "--group", "billing"])
    assert issued.exit_code == 0, issued.output
    plaintext = issued.output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get(TASKS, headers=headers).status_code == 200
    listed = runner.invoke(args=["api-token", "list"])
    assert "billing_gw" in listed.output and "active" in listed.output and plaintext not in listed.output
    token_id = listed.output.split()[0].lstrip("#")
    revoked = runner.invoke(args=["api-token", "revoke", token_id])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    _assert_401(client.get(TASKS, headers=headers))
    assert "revoked" in runner.invoke(args=["api-token", "list"]).output


def test_cli_refuses_an_unknown_user_a_blank_name_or_an_unknown_token_id(app, ticket):
    runner = app.test_cli_runner()
    missing_user = runner.invoke(args=["api-token", "issue", "ghost", "--name", "x"])
    assert missing_user.exit_code != 0 and "ghost" in missing_user.output
    unnamed = runner.invoke(args=["api-token", "issue", "ghost", "--name", " ", "--group", "billing"])
    assert unnamed.exit_code != 0 and "name" in unnamed.output
    missing_token = runner.invoke(args=["api-token", "revoke", "999"])
    assert missing_token.exit_code != 0 and "999" in missing_token.output
