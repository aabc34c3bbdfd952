"""Fuzz every REST operation from the API's own OpenAPI document (schemathesis, in-process over WSGI).

Whatever a caller sends, the API must never answer 5xx, and every answer must be one the document
lists: a documented status code, the documented content type and a body matching its schema.
The fuzzer calls as a user in every group (so it reaches the engine, not only 401/404) on a
database with every flow deployed and some work orders open. Schema-valid cases are mostly steered
towards ids, flows, messages and form values that exist, so that each operation also succeeds;
schema-violating cases (schemathesis's negative mode, half of all) are sent as generated.
Examples are derandomized, so a run in CI fuzzes exactly what it fuzzed here.
"""
from __future__ import annotations

import copy

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode
from sqlalchemy import select

from engine.arrears import read_arrears_csv
from engine.directory import DEPARTMENTS, ROLES
from engine.models import HumanTask, WorkOrder
from engine.tasks import claim_task
from tests.engine.conftest import INTAKE, TICKET_BPMN
from web.demo_scenarios import ARREARS_CSV, COMPLAINT, FAULT

SPEC = "/api/v1/openapi.json"
FLOWS = ("fault_repair", "complaint", "tip_off", "power_application", "arrears_reminder")
EXAMPLES_PER_OPERATION = 150
"""Bounded so the whole fuzz run (nine operations) stays within a couple of minutes on a small box."""
INTAKES = {"test_ticket": INTAKE, "fault_repair": FAULT, "complaint": COMPLAINT}
REAL_BODY_FIELDS = {
    "name": ["visit_done", "payment_confirmed"],
    "data": [{"result": "已处理"}, {"result": "已处理", "needs_visit": True}, {"reply": "已回复客户"}],
    "expected_version": [None],
    "rows": [read_arrears_csv(ARREARS_CSV)[:2]],
}
"""Message names the flows wait for, task forms' values and a valid arrears batch, to reach past validation."""
AIMED = st.sampled_from([True, True, True, False])
"""Three times in four a steerable part of a schema-valid case is aimed at something real."""


@pytest.fixture
def seeded(flow, fuzzer) -> dict[str, list]:
    """Every flow deployed, a few work orders open with ready tasks (one claimed by the fuzzer)."""
    for process in FLOWS:
        flow.deploy(process)
    flow.deploy(TICKET_BPMN)
    opened = [flow.open(name, **INTAKES[name])
              for name in ("test_ticket", "test_ticket", "test_ticket", "fault_repair", "complaint")]
    for waiting in opened[:2]:
        flow.complete(waiting, "handle", actor=flow.user_in("business"), result="已处理", needs_visit=True)
    with flow.db.reading() as session:
        numbers = list(session.scalars(select(WorkOrder.number)))
        task_ids = list(session.scalars(select(HumanTask.id)))
    claim_task(flow.db, flow.task(opened[2], "handle").id, actor="fuzzer")
    return {"ref": [*numbers, *map(str, opened)], "task_id": task_ids, "flow": ["test_ticket", *FLOWS]}


@pytest.fixture
def fuzzer(api_token) -> dict[str, str]:
    """A token of a user in every group: lanes of all flows, plus auditor and process owner."""
    return api_token("fuzzer", sorted({*DEPARTMENTS, *ROLES}))


OPERATIONS = [
    ("POST", "/api/v1/work-orders"),
    ("GET", "/api/v1/work-orders/{ref}"),
    ("POST", "/api/v1/work-orders/{ref}/events"),
    ("GET", "/api/v1/tasks"),
    ("GET", "/api/v1/tasks/{task_id}"),
    ("POST", "/api/v1/tasks/{task_id}/claim"),
    ("POST", "/api/v1/tasks/{task_id}/complete"),
    ("POST", "/api/v1/arrears-batches"),
]
"""Listed here so each gets its own test; a test below fails when the document grows one not listed."""
FORM_CHECKED = [
    {"include-path": path, "include-method": "POST",
     "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}}}
    for path in ("/api/v1/work-orders", "/api/v1/work-orders/{ref}/events", "/api/v1/tasks/{task_id}/complete",
                 "/api/v1/arrears-batches")
]
"""Where a schema-valid body may still be refused 422: the intake, event payload and task data are
checked by the flow's own forms, and arrears rows by the billing rules, which the document describes
only as free objects (their fields differ per flow and task). Such a 422 still has to match the
documented error schema; every other operation must accept every schema-valid request."""


@pytest.fixture
def api_schema(app, seeded, fuzzer):
    """The document as the app serves it; schemathesis sends the fuzzer's token as the bearer scheme."""
    token = fuzzer["Authorization"].removeprefix("Bearer ")
    config = {"auth": {"openapi": {"bearerAuth": {"bearer": token}}}, "operations": FORM_CHECKED}
    return schemathesis.openapi.from_wsgi(SPEC, app, config=schemathesis.config.SchemathesisConfig.from_dict(config))


def test_every_documented_operation_is_fuzzed(api_schema):
    documented = {(r.ok().method.upper(), r.ok().path) for r in api_schema.get_all_operations()}
    assert documented == set(OPERATIONS)


def _steer(case, data, seeded: dict[str, list]) -> None:
    """Mostly, point path parameters, body fields and the opened flow at things that exist.

    Only schema-valid cases are steered: a negative case must keep the part that makes it invalid.
    """
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    for name in list(case.path_parameters or {}):
        if name in seeded and data.draw(AIMED, label=f"real {name}"):
            case.path_parameters[name] = data.draw(st.sampled_from(seeded[name]), label=name)
    if not isinstance(case.body, dict):
        return
    for name in sorted(REAL_BODY_FIELDS.keys() & case.body.keys()):
        if data.draw(AIMED, label=f"real {name}"):
            case.body[name] = copy.deepcopy(data.draw(st.sampled_from(REAL_BODY_FIELDS[name]), label=name))
    if "flow" in case.body and data.draw(AIMED, label="real flow"):
        case.body["flow"] = data.draw(st.sampled_from(seeded["flow"]), label="flow")
        if case.body["flow"] in INTAKES and data.draw(AIMED, label="valid intake"):
            case.body["intake"] = dict(INTAKES[case.body["flow"]])


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_answer_is_documented_and_none_is_a_server_error(api_schema, seeded, method, path):
    """Every built-in schemathesis check: no 5xx, documented status, content type, headers and body
    schema, schema-valid data accepted and schema-violating data refused."""
    operation = api_schema[path][method]
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @hypothesis.given(case=cases, data=st.data())
    @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))
    def answers_as_documented(case, data):
        _steer(case, data, seeded)
        case.call_and_validate()

    answers_as_documented()
