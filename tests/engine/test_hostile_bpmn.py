"""Hostile or broken BPMN files are refused with a sentence naming the problem, and nothing is stored.

Each file goes through every way a diagram enters: deploy (CLI and web), the draft store, and the
dry run. None may read a local file, fetch a URL, expand entities or spend long on the input.
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.commands import deploy_command
from engine.deployment import MAX_BPMN_BYTES, DocumentTooLarge, deploy_process, read_document
from engine.drafts import ProcessDraft, save_draft
from engine.dry_run import dry_run
from engine.errors import DeployRejected
from engine.models import ProcessVersion
from tests.engine.conftest import TICKET_BPMN

XML = TICKET_BPMN.read_text()
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def _with_doctype(doctype: str, *, name: str = "受理") -> str:
    return XML.replace(DECLARATION, DECLARATION + "\n" + doctype).replace('name="受理"', f'name="{name}"')


LAUGHS = "".join(['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)])
HOSTILE: dict[str, tuple[bytes | str, str]] = {
    "empty": (b"", "not well-formed"),
    "binary": (bytes(range(256)) * 16, "not well-formed"),
    "garbage-xml": ("<a><b>not bpmn</b></a>", "the root element is <a>, not the BPMN 2.0 <definitions>"),
    "truncated": (XML[:-200], "not well-formed"),
    "deep-nesting": ("<a>" * 100_000 + "</a>" * 100_000, "Excessive depth"),
    "xxe-file": (_with_doctype('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', name="&e;"), "DOCTYPE"),
    "xxe-parameter": (_with_doctype('<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'), "DOCTYPE"),
    "remote-dtd": (_with_doctype('<!DOCTYPE x SYSTEM "http://192.0.2.1/evil.dtd">'), "DOCTYPE"),
    "billion-laughs": (_with_doctype(f"<!DOCTYPE x [{LAUGHS}]>", name="&lol9;"), "DOCTYPE"),
    "plain-doctype": (_with_doctype("<!DOCTYPE bpmn:definitions>"), "DOCTYPE"),
    "latin-1": (XML.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("受理", "café")
                .encode("latin-1", errors="replace"), "UTF-8 encoded, not ISO-8859-1"),
    "utf-16": (XML.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"), "UTF-8 encoded, not UTF-16"),
    "too-large": (XML.replace("</bpmn:process>", "<!--" + "x" * MAX_BPMN_BYTES + "--></bpmn:process>"),
                  f"the limit is {MAX_BPMN_BYTES}"),
}
"""name → (file, words its first problem must contain)."""
NOT_TEXT = {"binary", "latin-1", "utf-16"}
"""Files the modeller could not have sent as text: only the CLI and the upload see them as bytes."""


def _versions(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(ProcessVersion))


@pytest.mark.parametrize("name", HOSTILE)
def test_deploy_refuses_with_a_named_problem_and_stores_nothing(flow, db, name):
    document, words = HOSTILE[name]
    with pytest.raises(DeployRejected) as caught:
        with db.transaction() as session:
            deploy_process(session, document, actor="owner")
    problem = caught.value.problems[0]
    assert words in problem["message"], caught.value.problems
    assert "root:" not in str(caught.value.problems)
    assert _versions(db) == 0


@pytest.mark.parametrize("name", sorted(set(HOSTILE) - NOT_TEXT))
def test_the_draft_store_refuses_unsafe_or_broken_xml(flow, db, name):
    document, words = HOSTILE[name]
    flow.deploy(TICKET_BPMN)
    with pytest.raises(DeployRejected) as caught:
        with db.transaction() as session:
            save_draft(session, "test_ticket", document, based_on_version=1, actor="owner")
    assert words in caught.value.problems[0]["message"]
    with db.reading() as session:
        assert session.get(ProcessDraft, "test_ticket") is None


def test_a_draft_need_not_be_deployable_only_well_formed(flow, db):
    flow.deploy(TICKET_BPMN)
    half_done = XML.replace('camunda:formKey="test.reply"', "")
    with db.transaction() as session:
        save_draft(session, "test_ticket", half_done, based_on_version=1, actor="owner")
    with db.reading() as session:
        assert session.get(ProcessDraft, "test_ticket").bpmn_xml == half_done


def test_only_an_oversized_file_is_too_large():
    with pytest.raises(DocumentTooLarge):
        read_document(HOSTILE["too-large"][0])
    with pytest.raises(DeployRejected) as caught:
        read_document(HOSTILE["xxe-file"][0])
    assert not isinstance(caught.value, DocumentTooLarge)


def test_the_dry_run_refuses_before_starting_any_scenario():
    [result] = dry_run("complaint", HOSTILE["xxe-file"][0])
    assert not result.passed and "DOCTYPE" in result.message


@pytest.mark.parametrize("name", ["binary", "deep-nesting", "xxe-file", "billion-laughs", "latin-1", "too-large"])
def test_cli_deploy_names_the_problem_and_fails(flow, db, tmp_path, monkeypatch, name):
    document, words = HOSTILE[name]
    monkeypatch.setenv("TICKETFLOW_DATABASE_URL", db.url)
    path = tmp_path / f"{name}.bpmn"
    path.write_bytes(document if isinstance(document, bytes) else document.encode("utf-8"))
    result = CliRunner().invoke(deploy_command, [str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{name}.bpmn: REFUSED" in result.output and words in result.output
    assert _versions(db) == 0
