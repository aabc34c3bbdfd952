"""The load balancer's probe answers without a session and says when the database is gone."""


def test_healthz_answers_ok_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_cannot_be_reached(app, client, monkeypatch):
    from engine.db import Database

    monkeypatch.setitem(app.extensions, "ticketflow.db", Database("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
