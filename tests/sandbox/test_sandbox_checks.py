"""check_code: every forbidden construct is refused with a readable sentence; ordinary code passes."""
from __future__ import annotations

import pytest

from engine.sandbox import check_code


@pytest.mark.parametrize(
    ("source", "mode", "expected"),
    [
        ("import os", "exec", "imports are not allowed (line 1: import os)"),
        ("from os import path", "exec", "imports are not allowed (line 1: from os import path)"),
        ("x.__class__", "eval", "the attribute '__class__' is not allowed because it starts with an underscore"),
        ("().__class__.__bases__", "eval", "the attribute '__bases__' is not allowed"),
        ("open('/etc/passwd').read()", "eval", "calling open() is not allowed (line 1:"),
        ("eval('1 + 1')", "eval", "calling eval() is not allowed"),
        ("exec('x = 1')", "exec", "calling exec() is not allowed"),
        ("getattr(amount, 'real')", "eval", "calling getattr() is not allowed"),
        ("__import__('os')", "eval", "calling __import__() is not allowed"),
        ("_private + 1", "eval", "the name '_private' is not allowed because it starts with an underscore"),
        ("data._cache", "eval", "the attribute '_cache' is not allowed"),
        ("global counter\ncounter = 1", "exec", "global statements are not allowed (line 1: global counter)"),
        ("def f():\n    nonlocal x", "exec", "nonlocal"),
        ("class Sneaky:\n    pass", "exec", "class definitions are not allowed"),
        ("compile('1', 's', 'eval')", "eval", "calling compile() is not allowed"),
        ("globals()", "eval", "calling globals() is not allowed"),
        ("vars()", "eval", "calling vars() is not allowed"),
        ("setattr(a, 'b', 1)", "exec", "calling setattr() is not allowed"),
        ("breakpoint()", "exec", "calling breakpoint() is not allowed"),
        ("f = eval", "exec", "using eval is not allowed"),
        ("'{0.__class__}'.format(amount)", "eval", ".format() is not allowed"),
        ("g.gi_frame", "eval", "gi_frame"),
        ("print(amount)", "eval", "print is only available in scripts"),
    ],
)
def test_check_code_rejects_forbidden_construct_with_its_message(source, mode, expected):
    problems = check_code(source, mode)
    assert problems, f"{source!r} should be refused"
    assert any(expected in problem for problem in problems), problems


def test_check_code_reports_syntax_errors_with_their_line():
    problems = check_code("total = amount +\n", "exec")
    assert len(problems) == 1
    assert problems[0].startswith("syntax error:")
    assert "(line 1: total = amount +)" in problems[0]


def test_check_code_reports_the_line_of_a_problem_deep_in_a_script():
    problems = check_code("a = 1\nb = 2\nimport subprocess\n", "exec")
    assert problems == ["imports are not allowed (line 3: import subprocess)"]


def test_check_code_reports_errors_python_only_finds_when_compiling():
    assert check_code("x = 1\nreturn x", "exec")[0].startswith("syntax error: 'return' outside function")


def test_check_code_refuses_pathologically_nested_code_instead_of_crashing():
    assert check_code("-" * 5000 + "1", "eval") == ["the code is nested too deeply to be checked"]


def test_check_code_rejects_statements_where_an_expression_is_expected():
    assert check_code("import os", "eval")[0].startswith("syntax error")


def test_check_code_refuses_an_unknown_mode():
    with pytest.raises(ValueError):
        check_code("1", "single")


@pytest.mark.parametrize(
    ("source", "mode"),
    [
        ('category == "billing"', "eval"),
        ("len(callers) >= 3", "eval"),
        ('data.get("x")', "eval"),
        ('f"{name} owes {amount:.2f}"', "eval"),
        ("[c for c in callers if c]", "eval"),
        ('x in ["a", "b"]', "eval"),
        ('"PT45M"', "eval"),
        ("sorted(items, key=lambda i: i['n'])", "eval"),
        ("working_days(opened_at, 2)", "eval"),
        ("total = amount + fee", "exec"),
        ("attempts = attempts + 1\nattempts += 1", "exec"),
        ("items.append(3)", "exec"),
        ("for _ in range(3):\n    n = n + 1", "exec"),
        ("def double(v):\n    return v * 2\nx = double(2)", "exec"),
        ("a, b = pair\nrecord['k'] = a", "exec"),
        ("try:\n    v = 1 / 0\nexcept ZeroDivisionError as err:\n    v = str(err)", "exec"),
    ],
)
def test_check_code_accepts_ordinary_ticket_code(source, mode):
    assert check_code(source, mode) == []
