"""Errors under /api/v1 are JSON whatever goes wrong; the HTML pages keep their own error pages."""
import pytest

import web.api.views


def test_an_unknown_api_path_is_a_json_404(client, ivr):
    response = client.get("/api/v1/no-such-thing", headers=ivr)
    assert response.status_code == 404 and response.is_json and response.json["error"] == "not_found"


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(client, ivr):
    response = client.delete("/api/v1/work-orders", headers=ivr)
    assert response.status_code == 405 and response.is_json
    assert "POST" in response.headers["Allow"]


def test_an_unexpected_failure_is_a_json_500_without_details(client, ivr, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("database exploded at /secret/path")

    monkeypatch.setattr(web.api.views, "inbox", broken)
    response = client.get("/api/v1/tasks", headers=ivr)
    assert response.status_code == 500 and response.json["error"] == "internal_error"
    assert "secret" not in response.get_data(as_text=True)


def test_html_pages_outside_the_api_keep_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and not response.is_json


@pytest.mark.parametrize("path", ["/api/v1/tasks/1/claim", "/api/v1/work-orders"])
def test_api_posts_need_no_csrf_token_because_they_carry_no_cookie_session(app, client, ticket, ivr, path):
    assert app.config.get("WTF_CSRF_ENABLED", True) and "csrf" in app.extensions
    response = client.post(path, json={}, headers=ivr)
    assert response.is_json and response.status_code in (404, 422)
