"""The OpenAPI document lists every route and is well-formed; the reference page runs on local assets only."""
import re

import pytest

SPEC = "/api/v1/openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}


def _api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods if m.lower() in METHODS}
    return routes


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@pytest.fixture
def spec(client) -> dict:
    response = client.get(SPEC)
    assert response.status_code == 200 and response.is_json
    return response.json


def test_the_document_is_openapi_3_with_title_version_and_bearer_security(spec):
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] and spec["info"]["version"] == "v1"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"]}
    assert spec["security"] == [{"bearerAuth": []}]


def test_every_api_route_is_documented_and_nothing_else(app, spec):
    documented = {(path, method) for path, item in spec["paths"].items() for method in item if method in METHODS}
    assert documented == _api_routes(app)
    assert ("/api/v1/work-orders", "post") in documented and ("/api/v1/tasks/{task_id}/complete", "post") in documented


def test_every_operation_documents_success_401_and_json_errors(spec):
    for path, item in spec["paths"].items():
        for method, operation in ((m, o) for m, o in item.items() if m in METHODS):
            codes = set(operation["responses"])
            assert any(c.startswith("2") for c in codes), (path, method)
            assert "401" in codes, (path, method)
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")) and "content" in response:
                    assert list(response["content"]) == ["application/json"], (path, method, code)


def test_every_path_parameter_is_declared(spec):
    for path, item in spec["paths"].items():
        names = set(re.findall(r"{([a-z_]+)}", path))
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        for method, operation in ((m, o) for m, o in item.items() if m in METHODS):
            declared_here = declared | {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert names <= declared_here, (path, method)


def test_every_reference_resolves(spec):
    for ref in set(_refs(spec)):
        assert ref.startswith("#/"), ref
        node = spec
        for part in ref[2:].split("/"):
            assert part in node, f"unresolved {ref}"
            node = node[part]


def test_the_reference_page_loads_only_assets_from_this_server(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert SPEC in urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        asset.close()
    script = client.get("/api/v1/docs/static/api-docs.js")
    assert "validatorUrl: null" in script.get_data(as_text=True)
    script.close()


@pytest.mark.parametrize("name", ["index.html", "package.json", "..%2Fpackage.json"])
def test_only_the_two_swagger_ui_files_are_served(client, name):
    response = client.get(f"/api/v1/docs/assets/{name}")
    assert response.status_code == 404 and response.is_json
