"""Requests over the size limit get a documented JSON 413; out-of-range numbers are 404/422, never 500."""
from __future__ import annotations

import pytest

from engine.queries import MAX_ID
from tests.engine.conftest import INTAKE
from web import MAX_REQUEST_BYTES
from web.api.errors import ErrorSchema

BODY_OPERATIONS = [("/api/v1/work-orders", "post"), ("/api/v1/work-orders/{ref}/events", "post"),
                   ("/api/v1/tasks/{task_id}/complete", "post"), ("/api/v1/arrears-batches", "post")]


@pytest.mark.parametrize("url", ["/api/v1/work-orders", "/api/v1/arrears-batches", "/api/v1/tasks/1/complete",
                                 "/api/v1/work-orders/1/events"])
def test_an_oversized_body_is_a_json_413_in_the_error_schema(client, ticket, ivr, url):
    body = {"flow": "test_ticket", "intake": {**INTAKE, "summary": "长" * MAX_REQUEST_BYTES}}
    response = client.post(url, json=body, headers=ivr)
    assert response.status_code == 413 and response.is_json
    assert ErrorSchema().load(response.json) == response.json
    assert response.json["error"] == "request_entity_too_large" and "4 MiB" in response.json["message"]


def test_413_and_400_are_documented_wherever_a_body_is_read(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, method in BODY_OPERATIONS:
        assert {"400", "413"} <= set(spec["paths"][path][method]["responses"]), path
    for item in spec["paths"].values():
        for operation in (o for o in item.values() if isinstance(o, dict) and "responses" in o):
            assert "default" not in operation["responses"] and not any(c.startswith("5") for c in operation["responses"])


@pytest.mark.parametrize("url", [f"/api/v1/tasks/{MAX_ID + 1}", f"/api/v1/tasks/{10**40}",
                                 f"/api/v1/work-orders/{MAX_ID + 1}", f"/api/v1/work-orders/{10**40}",
                                 "/api/v1/work-orders/²"])
def test_ids_beyond_any_row_are_404_not_a_database_overflow(client, ticket, ivr, url):
    response = client.get(url, headers=ivr)
    assert response.status_code == 404 and response.is_json


def test_a_page_beyond_any_inbox_is_refused_and_an_unknown_filter_too(client, ticket, business):
    assert client.get("/api/v1/tasks?page=100000", headers=business).status_code == 200
    for query in ("page=4246196925589324288", "per_page=1000", "overdue_only=true"):
        response = client.get(f"/api/v1/tasks?{query}", headers=business)
        assert response.status_code == 422 and response.json["error"] == "validation_failed", query
