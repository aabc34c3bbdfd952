"""(a) Work orders per second through the engine services vs bare SpiffWorkflow, same diagram.

The baseline is what the engine must beat half of: SpiffWorkflow in memory with a cached spec
and ``serialize_json``/``deserialize_json`` around each user step (the notes' ~220/s figure).
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from bench.fixtures import INTAKE, TICKET_BPMN, fresh_database
from engine.tasks import complete_task
from engine.workorders import open_work_order

STEPS = [("handle", {"result": "已核实", "needs_visit": False}), ("reply", {"reply": "已答复客户"})]


def _bare_functions() -> dict:
    def deadline(_name, start):
        return (datetime.fromisoformat(start) + timedelta(days=2)).isoformat()

    return {"deadline": deadline, "notify": lambda group, text: True}


def bare_spiff(n: int) -> float:
    """Instances per second: SpiffWorkflow alone, JSON round trip around each user step."""
    parser = CamundaParser()
    parser.add_bpmn_file(str(TICKET_BPMN))
    spec, subprocess_specs = parser.get_spec("test_ticket"), parser.get_subprocess_specs("test_ticket")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    engine = PythonScriptEngine(environment=TaskDataEnvironment(_bare_functions()))
    started = time.perf_counter()
    for _ in range(n):
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=engine)
        workflow.get_tasks(state=TaskState.READY)[0].data.update(
            INTAKE, opened_at=datetime.now(timezone.utc).isoformat(), work_order_number="X")
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        for name, data in STEPS:
            workflow = serializer.deserialize_json(state)
            workflow.script_engine = engine
            task = workflow.get_tasks(state=TaskState.READY, manual=True, spec_name=name)[0]
            task.data.update(data)
            task.run()
            workflow.refresh_timers()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
        assert workflow.is_completed()
    return n / (time.perf_counter() - started)


def through_engine(n: int) -> float:
    """Work orders per second: open, complete both tasks, via the services on SQLite."""
    db = fresh_database()
    from engine.models import HumanTask

    started = time.perf_counter()
    for _ in range(n):
        work_order = open_work_order(db, "test_ticket", INTAKE, actor="call_centre_user")
        for name, data in STEPS:
            with db.reading() as session:
                task_id = session.query(HumanTask.id).filter_by(work_order_id=work_order.id, bpmn_id=name, state="ready").scalar()
            actor = "business_user" if name == "handle" else "call_centre_user"
            complete_task(db, task_id, data, actor=actor)
    elapsed = time.perf_counter() - started
    db.dispose()
    return n / elapsed


def run(short: bool = False) -> dict:
    n = 30 if short else 300
    bare_spiff(5), through_engine(3)  # warm caches
    bare = bare_spiff(n)
    engine = through_engine(n)
    return {"bare_spiff_per_s": bare, "engine_per_s": engine, "ratio": engine / bare, "target_ratio": 0.5, "n": n}


if __name__ == "__main__":
    print(run())
