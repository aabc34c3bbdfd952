"""The modeller refuses hostile or broken diagrams with a 4xx naming the problem, and stores nothing;
requests over the size limits get a readable 413 page (or, for the modeller's JSON posts, its problem list)."""
from __future__ import annotations

import io

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from engine.drafts import ProcessDraft
from engine.models import ProcessVersion
from tests.engine.conftest import TICKET_BPMN
from tests.engine.test_hostile_bpmn import HOSTILE, NOT_TEXT
from tests.web.conftest import csrf_token, post
from web import MAX_FORM_FIELD_BYTES, MAX_FORM_PARTS, MAX_REQUEST_BYTES

UPLOAD = "/modeller/test_ticket/upload"


@pytest.fixture
def owner(flow, login_as):
    flow.deploy(TICKET_BPMN)
    return login_as("owner1", "process_owner")



def _stored(db) -> tuple[int, int]:
    """(process versions, drafts): a refusal must change neither."""
    with db.reading() as session:
        return (session.scalar(select(func.count()).select_from(ProcessVersion)),
                session.scalar(select(func.count()).select_from(ProcessDraft)))


def _upload(client, document: bytes | str):
    data = document if isinstance(document, bytes) else document.encode("utf-8")
    return post(client, UPLOAD, {"file": (io.BytesIO(data), "diagram.bpmn")}, content_type="multipart/form-data")


def _json_post(client, url: str, body: dict):
    return client.post(url, json=body, headers={"X-CSRFToken": csrf_token(client)})


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_upload_is_a_4xx_page_naming_the_problem_and_the_draft_is_untouched(owner, db, name):
    document, words = HOSTILE[name]
    response = _upload(owner, document)
    page = response.get_data(as_text=True)
    if name in NOT_TEXT:
        assert response.status_code == 422 and ("UTF-8" in page)
    else:
        assert response.status_code == (413 if name == "too-large" else 422)
        assert str(escape(words.split(",")[0])) in page, page
    assert "modeller.js" in page  # the modeller page itself, with the message above the canvas
    assert _stored(db) == (1, 0)


def test_an_upload_without_a_file_is_a_400(owner, db):
    response = post(owner, UPLOAD, {}, content_type="multipart/form-data")
    assert response.status_code == 400 and _stored(db) == (1, 0)


@pytest.mark.parametrize("name", ["xxe-file", "billion-laughs", "deep-nesting", "truncated"])
def test_saving_or_deploying_a_hostile_diagram_is_422_with_the_problem(owner, db, name):
    document, words = HOSTILE[name]
    for action in ("draft", "deploy"):
        response = _json_post(owner, f"/modeller/test_ticket/{action}", {"xml": document, "based_on": 1})
        assert response.status_code == 422, (action, response.get_data(as_text=True))
        assert words in response.get_json()["problems"][0]["message"]
    assert _stored(db) == (1, 0)


def test_an_oversized_diagram_is_413_with_the_limit(owner, db):
    for action in ("draft", "deploy"):
        response = _json_post(owner, f"/modeller/test_ticket/{action}", {"xml": HOSTILE["too-large"][0]})
        assert response.status_code == 413 and "limit" in response.get_json()["problems"][0]["message"]
    assert _stored(db) == (1, 0)


def test_a_request_over_the_size_limit_gets_a_readable_413_page(owner, db):
    response = _upload(owner, b"x" * (MAX_REQUEST_BYTES + 1))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<html" in page and "error-page" in page and "4 MiB" in page
    assert _stored(db) == (1, 0)


def test_a_json_post_over_the_size_limit_gets_the_modellers_problem_list(owner, db):
    response = _json_post(owner, "/modeller/test_ticket/draft", {"xml": "x" * (MAX_REQUEST_BYTES + 1)})
    assert response.status_code == 413 and "4 MiB" in response.get_json()["problems"][0]["message"]
    assert _stored(db) == (1, 0)


def test_form_fields_and_parts_are_limited(owner, app):
    assert app.config["MAX_FORM_MEMORY_SIZE"] == MAX_FORM_FIELD_BYTES
    assert app.config["MAX_FORM_PARTS"] == MAX_FORM_PARTS
    token = csrf_token(owner)
    one_big_field = {"csrf_token": token, "note": "x" * (MAX_FORM_FIELD_BYTES + 1)}
    many_fields = {"csrf_token": token, **{f"f{i}": "1" for i in range(MAX_FORM_PARTS + 1)}}
    for form in (one_big_field, many_fields):
        response = owner.post("/modeller/test_ticket/discard", data=form, content_type="multipart/form-data")
        assert response.status_code == 413 and "<html" in response.get_data(as_text=True)
