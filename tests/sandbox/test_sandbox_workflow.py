"""End to end: SpiffWorkflow runs diagrams (and DMN tables) through the sandboxed script engine."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.camunda.parser import CamundaParser

from engine.sandbox import make_script_engine

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="defs" targetNamespace="http://ticketflow.test">"""

ROUTING = HEADER + """
  <bpmn:process id="routing" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prepare" name="Prepare">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>total = amount + fee
due = due_after(opened_at, 2)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="big" name="Big?" default="f_small">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_big</bpmn:outgoing><bpmn:outgoing>f_small</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:scriptTask id="escalate" name="Escalate">
      <bpmn:incoming>f_big</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>route = "escalated"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:scriptTask id="normal" name="Normal">
      <bpmn:incoming>f_small</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>route = "normal"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="big"/>
    <bpmn:sequenceFlow id="f_big" sourceRef="big" targetRef="escalate">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">total &gt; 100 and category in ["billing", "outage"]</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_small" sourceRef="big" targetRef="normal"/>
    <bpmn:sequenceFlow id="f3" sourceRef="escalate" targetRef="end"/>
    <bpmn:sequenceFlow id="f4" sourceRef="normal" targetRef="end"/>
  </bpmn:process>
  <bpmn:process id="reminder" isExecutable="true">
    <bpmn:startEvent id="r_start"><bpmn:outgoing>r1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait" name="Two working days">
      <bpmn:incoming>r1</bpmn:incoming><bpmn:outgoing>r2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="wait_timer"><bpmn:timeDate>due_after(opened_at, 2)</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="r_end"><bpmn:incoming>r2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="r1" sourceRef="r_start" targetRef="wait"/>
    <bpmn:sequenceFlow id="r2" sourceRef="wait" targetRef="r_end"/>
  </bpmn:process>
  <bpmn:process id="hostile" isExecutable="true">
    <bpmn:startEvent id="h_start"><bpmn:outgoing>h1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="steal" name="Steal">
      <bpmn:incoming>h1</bpmn:incoming><bpmn:outgoing>h2</bpmn:outgoing>
      <bpmn:script>ran = True
leaked = ().__class__.__bases__[0].__subclasses__()</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="h_end"><bpmn:incoming>h2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="h1" sourceRef="h_start" targetRef="steal"/>
    <bpmn:sequenceFlow id="h2" sourceRef="steal" targetRef="h_end"/>
  </bpmn:process>
</bpmn:definitions>"""


def due_after(start_iso: str, days: int) -> str:
    return (datetime.fromisoformat(start_iso) + timedelta(days=days)).isoformat()


def start_workflow(process_id: str, data: dict, functions: dict | None = None) -> BpmnWorkflow:
    parser = BpmnParser()
    parser.add_bpmn_str(ROUTING.encode("utf-8"))
    engine = make_script_engine({"due_after": due_after} if functions is None else functions)
    workflow = BpmnWorkflow(parser.get_spec(process_id), script_engine=engine)
    workflow.get_tasks(spec_name="Start")[0].data.update(data)
    return workflow


def finished_data(workflow: BpmnWorkflow, end_id: str) -> dict:
    return workflow.get_tasks(spec_name=end_id)[0].data


@pytest.mark.parametrize(
    ("amount", "category", "route"),
    [(150, "billing", "escalated"), (50, "billing", "normal"), (150, "meter", "normal")],
)
def test_sandboxed_engine_routes_the_exclusive_gateway(amount, category, route):
    workflow = start_workflow(
        "routing", {"amount": amount, "fee": 5, "category": category, "opened_at": "2024-03-01T09:00:00+00:00"}
    )
    workflow.do_engine_steps()
    assert workflow.completed
    data = finished_data(workflow, "end")
    assert data["route"] == route
    assert data["total"] == amount + 5


def test_custom_function_is_callable_from_a_script_and_not_left_in_task_data():
    workflow = start_workflow(
        "routing", {"amount": 1, "fee": 1, "category": "x", "opened_at": "2024-03-01T09:00:00+00:00"}
    )
    workflow.do_engine_steps()
    data = finished_data(workflow, "end")
    assert data["due"] == "2024-03-03T09:00:00+00:00"
    assert "due_after" not in data and "__builtins__" not in data


def test_custom_function_is_callable_from_a_timer_expression():
    opened = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    waiting = start_workflow("reminder", {"opened_at": opened})
    waiting.do_engine_steps()
    assert not waiting.completed
    assert waiting.waiting_events()[0].value == due_after(opened, 2)

    overdue = start_workflow("reminder", {"opened_at": (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()})
    overdue.do_engine_steps()
    overdue.refresh_timers()
    overdue.do_engine_steps()
    assert overdue.completed


def test_unsafe_script_in_a_running_workflow_raises_instead_of_running():
    workflow = start_workflow("hostile", {})
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert "__class__" in str(caught.value)
    assert caught.value.error_type == "UnsafeScript"
    assert "ran" not in workflow.get_tasks(spec_name="steal")[0].data


def test_runtime_error_in_a_script_surfaces_with_its_original_message():
    workflow = start_workflow("routing", {"amount": 1, "fee": "x", "category": "x", "opened_at": "2024-03-01"})
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert "unsupported operand" in str(caught.value)
    assert caught.value.line_number == 1


def test_runtime_error_in_a_condition_surfaces_with_its_original_message():
    workflow = start_workflow("routing", {"amount": "a", "fee": "b", "category": "x", "opened_at": "2024-03-01"})
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert "Error evaluating expression" in str(caught.value)
    assert "TypeError: '>' not supported" in str(caught.value)


def test_service_tasks_are_refused_with_a_clear_error():
    workflow = start_workflow("routing", {"amount": 1, "fee": 1, "category": "x", "opened_at": "2024-03-01"})
    task = workflow.get_tasks(spec_name="Start")[0]
    with pytest.raises(WorkflowTaskException, match="Service tasks are not supported"):
        workflow.script_engine.call_service(task, operation_name="x", operation_params={})


@pytest.mark.parametrize("bad_name", ["_hidden", "not an identifier", "_getattr_"])
def test_functions_must_have_names_scripts_can_call(bad_name):
    with pytest.raises(ValueError):
        make_script_engine({bad_name: len})


DMN_BPMN = HEADER + """
  <bpmn:process id="prioritise" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide" name="Decide priority" camunda:decisionRef="priority_table">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dd" name="DRD" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="priority_table" name="Priority">
    <decisionTable id="dt" hitPolicy="FIRST">
      <input id="in1" label="Category"><inputExpression id="ie1" typeRef="string"><text>category</text></inputExpression></input>
      <input id="in2" label="Amount"><inputExpression id="ie2" typeRef="integer"><text>amount</text></inputExpression></input>
      <output id="out1" label="Priority" name="priority" typeRef="string"/>
      <rule id="r1">
        <inputEntry id="r1i1"><text>"billing"</text></inputEntry>
        <inputEntry id="r1i2"><text>&gt; 100</text></inputEntry>
        <outputEntry id="r1o1"><text>"high"</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="r2i1"><text>? in ["billing", "outage"]</text></inputEntry>
        <inputEntry id="r2i2"><text>10 &lt; ? &lt;= 100</text></inputEntry>
        <outputEntry id="r2o1"><text>f"mid-{category}"</text></outputEntry>
      </rule>
      <rule id="r3">
        <inputEntry id="r3i1"><text></text></inputEntry>
        <inputEntry id="r3i2"><text></text></inputEntry>
        <outputEntry id="r3o1"><text>"low"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>"""


@pytest.mark.parametrize(
    ("category", "amount", "priority"),
    [("billing", 150, "high"), ("outage", 50, "mid-outage"), ("meter", 5, "low")],
)
def test_dmn_decision_tables_evaluate_through_the_sandbox(category, amount, priority):
    parser = CamundaParser()
    parser.add_bpmn_str(DMN_BPMN.encode("utf-8"))
    parser.add_dmn_str(DMN.encode("utf-8"))
    workflow = BpmnWorkflow(parser.get_spec("prioritise"), script_engine=make_script_engine())
    workflow.get_tasks(spec_name="Start")[0].data.update({"category": category, "amount": amount})
    workflow.do_engine_steps()
    assert workflow.completed
    assert finished_data(workflow, "end")["priority"] == priority
