"""A SpiffWorkflow script environment that runs task scripts and expressions under RestrictedPython."""
from __future__ import annotations

import copy
import threading
from types import CodeType
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.errors import UnsafeScript
from engine.sandbox.guards import GUARDS, SAFE_BUILTINS
from engine.sandbox.policy import CompiledSource, compile_checked

CODE_CACHE_LIMIT = 4096
"""DMN fallbacks splice data values into expressions, so the cache must not grow without bound."""

_CODE_CACHE: dict[tuple[str, str], CompiledSource] = {}
_CACHE_LOCK = threading.Lock()


def cached_compile(source: str, mode: str) -> CodeType:
    """Compile once per (source, mode); raise SyntaxError or UnsafeScript when the policy refuses it."""
    key = (source, mode)
    entry = _CODE_CACHE.get(key)
    if entry is None:
        entry = compile_checked(source, mode)
        with _CACHE_LOCK:
            while len(_CODE_CACHE) >= CODE_CACHE_LIMIT:
                _CODE_CACHE.pop(next(iter(_CODE_CACHE)))
            _CODE_CACHE[key] = entry
    if entry.syntax_error is not None:
        err = entry.syntax_error
        raise SyntaxError(err.msg, (err.filename, err.lineno, err.offset, err.text))
    if entry.problems:
        raise UnsafeScript("; ".join(entry.problems), problems=list(entry.problems))
    return entry.code


def clear_code_cache() -> None:
    with _CACHE_LOCK:
        _CODE_CACHE.clear()


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """TaskDataEnvironment semantics, but compiled by RestrictedPython and run with minimal builtins."""

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        code = cached_compile(expression, "eval")
        my_globals = copy.copy(self.globals)
        self._prepare_context(context)
        my_globals.update(external_context or {})
        my_globals.update(context)
        my_globals.update(GUARDS)
        my_globals["__builtins__"] = SAFE_BUILTINS
        return eval(code, my_globals)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        code = cached_compile(script, "exec")
        my_globals = copy.copy(self.globals)
        self._prepare_context(context)
        my_globals.update(external_context or {})
        context.update(my_globals)
        context.update(GUARDS)
        context["__builtins__"] = SAFE_BUILTINS
        try:
            exec(code, context)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True

    def _prepare_context(self, context: dict) -> None:
        pass

    def _remove_globals_and_functions_from_context(
        self, context: dict, external_context: dict | None = None
    ) -> None:
        """Leave only data behind: no builtins, guards, functions or injected globals."""
        for key in list(context):
            if (
                key == "__builtins__"
                or key in GUARDS
                or callable(context[key])
                or key in self.globals
                or (external_context and key in external_context)
            ):
                context.pop(key)

    def check_for_overwrite(self, context: dict, external_context: dict) -> None:
        """Fail fast when task data would hide a predefined function or a sandbox guard."""
        overwrites = set(self.globals).intersection(context)
        overwrites.update(set(external_context).intersection(context))
        if overwrites:
            raise ValueError(
                "You have task data that overwrites a predefined function(s). Please change the "
                f"following variable or field name(s) to something else: {overwrites}"
            )
        reserved = set(GUARDS).intersection(context)
        if reserved:
            raise ValueError(
                f"Task data uses name(s) reserved by the script sandbox: {sorted(reserved)}"
            )
