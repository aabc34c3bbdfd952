"""Dry run: a draft is tried against its flow's own harness scenarios, never the live database."""
from engine.dry_run import dry_run, scenario_files
from engine.testing import PROCESSES

COMPLAINT = (PROCESSES / "complaint.bpmn").read_text()


def test_the_deployed_complaint_diagram_passes_all_its_scenarios():
    results = dry_run("complaint", COMPLAINT)
    assert len(results) >= 20 and all(r.passed for r in results), [r for r in results if not r.passed]


def test_a_draft_that_changes_a_deadline_fails_the_scenarios_that_pin_it():
    results = dry_run("complaint", COMPLAINT.replace('value="2 working days"', 'value="3 working days"'))
    failed = {r.name: r.message for r in results if not r.passed}
    assert "test_department_result_opened_on_national_day_eve_is_due_2026_10_09_16_00" in failed
    assert failed["test_department_result_opened_on_national_day_eve_is_due_2026_10_09_16_00"].startswith("AssertionError")
    assert any(r.passed for r in results)


def test_a_flow_without_scenarios_or_with_a_strange_id_runs_nothing():
    assert scenario_files("../../etc") == [] and dry_run("no_such_flow", COMPLAINT) == []
