"""Deploy refuses timers that would not give a due time, and diagrams from other modellers we cannot run."""
import pytest
from click.testing import CliRunner

from engine.commands import deploy_command
from engine.deployment import deploy_process
from engine.errors import DeployRejected
from tests.engine.conftest import TICKET_BPMN

XML = TICKET_BPMN.read_text()
TIMER = 'deadline("deadline.handle", opened_at)'


def _problems(db, xml) -> list[dict]:
    with pytest.raises(DeployRejected) as caught, db.transaction() as session:
        deploy_process(session, xml, actor="owner")
    return caught.value.problems


def test_unquoted_iso_duration_timer_is_refused_with_a_hint_to_quote_it(flow, db):
    [problem] = _problems(db, XML.replace(TIMER, "PT45M"))
    assert (problem["element_id"], problem["element_name"]) == ("late", "2个工作日")
    assert "'PT45M'" in problem["message"] and "must be quoted" in problem["message"]


def test_quoted_iso_duration_and_timestamp_variables_deploy(flow, db):
    with db.transaction() as session:
        _, created = deploy_process(session, XML.replace(TIMER, '"PT45M"'), actor="owner")
    with db.transaction() as session:
        _, again = deploy_process(session, XML.replace(TIMER, "hours(some_stored_at, 3)"), actor="owner")
    assert created and again


def test_deadline_naming_a_missing_property_is_refused(flow, db):
    [problem] = _problems(db, XML.replace(TIMER, 'deadline("deadline.nope", opened_at)'))
    assert problem["element_id"] == "late"
    assert "no setting 'deadline.nope'" in problem["message"]


def test_property_with_an_unreadable_rule_text_is_refused(flow, db):
    [problem] = _problems(db, XML.replace('value="2 working days"', 'value="2 fortnights"'))
    assert problem["element_id"] == "late" and "failed" in problem["message"]


def test_timer_giving_no_due_time_is_refused(flow, db):
    [problem] = _problems(db, XML.replace(TIMER, '"next tuesday"'))
    assert "not a valid ISO date-time or duration" in problem["message"]


def test_timer_expression_with_a_syntax_error_is_refused_once(flow, db):
    [problem] = _problems(db, XML.replace(TIMER, "hours(opened_at, "))
    assert problem["element_id"] == "late" and "syntax error" in problem["message"]


def test_elements_from_another_modeller_are_listed_not_raised(flow, db):
    foreign = XML.replace('<bpmn:exclusiveGateway id="gw"', '<bpmn:complexGateway id="gw"').replace(
        "</bpmn:exclusiveGateway>", "</bpmn:complexGateway>")
    problems = _problems(db, foreign)
    assert any(p["element_id"] == "gw" and p["message"].startswith("complexGateway:") for p in problems)


def test_cli_deploy_prints_every_problem_and_fails(flow, db, tmp_path, monkeypatch):
    monkeypatch.setenv("TICKETFLOW_DATABASE_URL", db.url)
    bad = tmp_path / "bad.bpmn"
    bad.write_text(XML.replace(TIMER, "PT45M").replace('"test.reply"', '"test.nope"'))
    result = CliRunner().invoke(deploy_command, [str(bad)])
    assert result.exit_code == 1
    assert "- late «2个工作日»: the timer expression 'PT45M'" in result.output
    assert "- reply «回复客户»: the form 'test.nope' does not exist in forms/" in result.output
