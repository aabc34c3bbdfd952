"""The SpiffWorkflow script engine ticketflow runs every workflow (and DMN table) with."""
from __future__ import annotations

from typing import Any, Callable

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.sandbox.environment import RestrictedEnvironment
from engine.sandbox.guards import GUARDS


class SandboxedScriptEngine(PythonScriptEngine):
    """Expression errors keep their original message, and service tasks are refused."""

    def evaluate(self, task: Any, expression: str, external_context: dict | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as err:
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:
            wrapped = WorkflowTaskException(
                f"Error evaluating expression '{expression}'", task=task, exception=err
            )
            wrapped.add_note(f"{type(err).__name__}: {err}")
            raise wrapped from err

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        """The stock implementation hits a NameError on failure; ticketflow has no service tasks anyway."""
        raise WorkflowTaskException(
            "Service tasks are not supported: ticketflow diagrams cannot call external services",
            task=task,
        )


def make_script_engine(functions: dict[str, Callable] | None = None) -> PythonScriptEngine:
    """A sandboxed engine; ``functions`` become callable by name from scripts, conditions and timers."""
    functions = dict(functions or {})
    for name in functions:
        if not name.isidentifier() or name.startswith("_") or name in GUARDS:
            raise ValueError(f"{name!r} cannot be offered to scripts: use a plain public identifier")
    return SandboxedScriptEngine(environment=RestrictedEnvironment(functions))
