"""RestrictedEnvironment: TaskDataEnvironment semantics, but forbidden code never runs."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from RestrictedPython import compile_restricted_eval, compile_restricted_exec

from engine.errors import UnsafeScript
from engine.sandbox import RestrictedEnvironment
from engine.sandbox import environment as environment_module
from engine.sandbox.environment import cached_compile, clear_code_cache
from engine.sandbox.guards import SAFE_BUILTINS, guarded_getattr, internal_import
from engine.sandbox.policy import FORBIDDEN_NAMES, CompiledSource


def ticket_data() -> dict:
    return {
        "category": "billing",
        "callers": ["a", "b", "c"],
        "data": {"x": 7},
        "amount": 150,
        "fee": 5,
        "attempts": 0,
        "items": [1, 2],
        "opened_at": datetime(2024, 3, 1, 9, 30),
        "note": None,
    }


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('category == "billing"', True),
        ("len(callers) >= 3", True),
        ('data.get("x")', 7),
        ('data.get("missing", "none")', "none"),
        ('f"{category}:{amount:05d}"', "billing:00150"),
        ('f"{opened_at:%Y-%m-%d}"', "2024-03-01"),
        ('opened_at.strftime("%H:%M")', "09:30"),
        ("opened_at.year", 2024),
        ("[c.upper() for c in callers]", ["A", "B", "C"]),
        ('category in ["a", "billing"]', True),
        ('"PT45M"', "PT45M"),
        ("amount > 100", True),
        ("\n   amount > 100\n  ", True),
        ("note is None", True),
        ("sorted(callers, reverse=True)[0]", "c"),
        ("{k: v * 2 for k, v in data.items()}", {"x": 14}),
        ("sum(i for i in items) + max(items)", 5),
        ("isinstance(amount, int) and round(2.5) == 2", True),
        ('" ".join(callers)', "a b c"),
    ],
)
def test_allowed_expressions_evaluate_like_python(expression, expected):
    assert RestrictedEnvironment().evaluate(expression, ticket_data()) == expected


def test_evaluate_sees_globals_and_external_context_and_leaves_task_data_alone():
    env = RestrictedEnvironment({"double": lambda v: v * 2})
    data = ticket_data()
    assert env.evaluate("double(amount) + bonus", data, {"bonus": 1}) == 301
    assert data == ticket_data()


def test_script_assignments_land_in_task_data_and_functions_do_not():
    env = RestrictedEnvironment({"double": lambda v: v * 2})
    data = ticket_data()
    script = (
        "total = amount + fee\n"
        "attempts = attempts + 1\n"
        "attempts += 1\n"
        "items.append(3)\n"
        "data['y'] = double(4)\n"
        "def helper(v):\n"
        "    return v + 1\n"
        "bumped = helper(1)\n"
        "first, second = callers[0], callers[1]\n"
        "for i, c in enumerate(callers):\n"
        "    last = c\n"
    )
    assert env.execute(script, data, {"bonus": 1}) is True
    assert data["total"] == 155
    assert data["attempts"] == 2
    assert data["items"] == [1, 2, 3]
    assert data["data"] == {"x": 7, "y": 8}
    assert (data["bumped"], data["first"], data["second"], data["last"]) == (2, "a", "b", "c")
    for leaked in ("helper", "double", "bonus", "__builtins__", "_getattr_", "_write_", "_print"):
        assert leaked not in data


def test_script_cleanup_happens_even_when_the_script_fails():
    data = ticket_data()
    with pytest.raises(ZeroDivisionError):
        RestrictedEnvironment({"double": lambda v: v}).execute("partial = 1\nboom = 1 / 0", data)
    assert data["partial"] == 1
    assert "__builtins__" not in data and "double" not in data and "_getiter_" not in data


def test_task_data_that_hides_a_function_is_refused_like_task_data_environment():
    env = RestrictedEnvironment({"working_days": lambda s, n: s})
    with pytest.raises(ValueError, match="working_days"):
        env.execute("x = 1", {"working_days": 3})


def test_task_data_that_hides_a_sandbox_guard_is_refused():
    with pytest.raises(ValueError, match="reserved by the script sandbox"):
        RestrictedEnvironment().execute("x = 1", {"_getattr_": "mine"})


def test_task_data_cannot_shadow_guards_in_expressions():
    assert RestrictedEnvironment().evaluate("data.get('x')", {"data": {"x": 1}, "_getattr_": None}) == 1


@pytest.mark.parametrize(
    "script",
    [
        "import os\nos.system('echo pwned')",
        "x = ().__class__.__bases__[0].__subclasses__()",
        "f = open('/etc/passwd')",
        "x = eval('1')",
        "exec('x = 1')",
        "x = getattr(amount, 'real')",
        "m = __import__('os')",
        "_hidden = 1",
        "global amount\namount = 0",
    ],
)
def test_forbidden_script_raises_before_any_line_runs(script):
    data = ticket_data()
    with pytest.raises(UnsafeScript):
        RestrictedEnvironment().execute("ran = True\n" + script, data)
    assert "ran" not in data


def test_forbidden_expression_raises_instead_of_evaluating():
    with pytest.raises(UnsafeScript, match="calling open"):
        RestrictedEnvironment().evaluate("open('/etc/passwd').read()", ticket_data())


def test_syntax_errors_stay_syntax_errors_so_spiffworkflow_reports_the_line():
    with pytest.raises(SyntaxError):
        RestrictedEnvironment().execute("x = (1 +", {})


def _restricted_python_only(source: str, mode: str) -> CompiledSource:
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source.strip() if mode == "eval" else source)
    return CompiledSource(result.code, tuple(result.errors), None)


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("'{0.__class__}'.format(amount)", AttributeError),
        ("open('/etc/passwd')", NameError),
        ("getattr(amount, 'real')", NameError),
        ("type(amount)", NameError),
        ("globals()", NameError),
        ("compile('1', 's', 'eval')", NameError),
        ("setattr(data, 'x', 1)", NameError),
    ],
)
def test_runtime_guards_hold_even_if_the_static_policy_missed_something(monkeypatch, expression, error):
    monkeypatch.setattr(environment_module, "compile_checked", _restricted_python_only)
    clear_code_cache()
    try:
        with pytest.raises(error):
            RestrictedEnvironment().evaluate(expression, ticket_data())
    finally:
        clear_code_cache()


@pytest.mark.parametrize("exit_class", ["SystemExit", "KeyboardInterrupt", "BaseException", "GeneratorExit"])
def test_scripts_cannot_raise_exceptions_that_bypass_error_handling(exit_class):
    with pytest.raises(NameError):
        RestrictedEnvironment().execute(f"raise {exit_class}()", {})


def test_no_dangerous_builtin_is_reachable_at_run_time():
    for name in FORBIDDEN_NAMES - {"__import__"}:
        assert name not in SAFE_BUILTINS, name
    with pytest.raises(ImportError):
        internal_import("os")


@pytest.mark.parametrize("name", ["__class__", "__globals__", "_secret", "gi_frame", "f_globals"])
def test_attribute_guard_refuses_private_and_introspection_names(name):
    with pytest.raises(AttributeError):
        guarded_getattr(lambda: None, name)


def test_attribute_guard_refuses_str_format_which_can_walk_attributes():
    with pytest.raises(AttributeError, match="f-string"):
        guarded_getattr("{0.__class__}", "format")


def test_writes_are_allowed_on_dicts_and_lists_only():
    data = {"record": {"a": 1}, "row": [0], "when": datetime(2024, 1, 1), "step": timedelta(days=1)}
    RestrictedEnvironment().execute("record['a'] = 2\nrow[0] = 1", data)
    assert data["record"] == {"a": 2} and data["row"] == [1]
    with pytest.raises(TypeError):
        RestrictedEnvironment().execute("when.year = 1999", data)


def test_compiled_code_is_cached_per_source_and_mode():
    clear_code_cache()
    first = cached_compile("amount > 100", "eval")
    assert cached_compile("amount > 100", "eval") is first
    assert cached_compile("amount > 100", "exec") is not first


def test_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(environment_module, "CODE_CACHE_LIMIT", 3)
    clear_code_cache()
    for n in range(10):
        cached_compile(f"{n} + 1", "eval")
    assert len(environment_module._CODE_CACHE) == 3
    clear_code_cache()
