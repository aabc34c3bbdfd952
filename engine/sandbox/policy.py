"""The sandbox policy: our AST rules on top of RestrictedPython's, and the one place code is compiled."""
from __future__ import annotations

import ast
import re
from types import CodeType
from typing import NamedTuple

from RestrictedPython import compile_restricted_eval, compile_restricted_exec

MODES = ("exec", "eval")

FORBIDDEN_NAMES = frozenset({
    "eval", "exec", "compile", "open", "globals", "locals", "vars",
    "getattr", "setattr", "delattr", "__import__", "breakpoint", "input",
    "type", "dir",
})

_PRINT_NAMES = frozenset({"print", "printed"})
_STR_FORMATTERS = frozenset({"format", "format_map"})
_RP_LINE = re.compile(r"^Line (\d+): (.*)$", re.DOTALL)
_MAX_SNIPPET = 80


class CompiledSource(NamedTuple):
    """Outcome of compiling one source: ``code`` is None whenever ``problems`` is not empty."""

    code: CodeType | None
    problems: tuple[str, ...]
    syntax_error: SyntaxError | None


def normalise(source: str, mode: str) -> str:
    """Expressions come from XML text, which modellers often wrap in newlines and indentation."""
    return source.strip() if mode == "eval" else source


def compile_checked(source: str, mode: str) -> CompiledSource:
    """Parse, apply our rules and RestrictedPython's, and compile when everything passes."""
    if mode not in MODES:
        raise ValueError(f"mode must be 'exec' or 'eval', not {mode!r}")
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, not {type(source).__name__}")
    text = normalise(source, mode)
    lines = text.splitlines()
    try:
        tree = ast.parse(text, "<string>", mode)
        ours = _PolicyVisitor(lines, mode).check(tree)
        compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
        result = compiler(tree, "<string>")
    except SyntaxError as err:
        line = err.lineno or 0
        return CompiledSource(None, (_sentence(f"syntax error: {err.msg}", line, lines),), err)
    except RecursionError:
        return CompiledSource(None, ("the code is nested too deeply to be checked",), None)
    except ValueError as err:
        return CompiledSource(None, (f"the code cannot be read: {err}",), None)
    reported_lines = {line for line, _ in ours}
    problems = [message for _, message in ours]
    for error in result.errors:
        line, message = _split_restricted_error(error)
        if line not in reported_lines:
            problems.append(_sentence(message, line, lines))
    problems = list(dict.fromkeys(problems))
    if problems:
        return CompiledSource(None, tuple(problems), None)
    return CompiledSource(result.code, (), None)


def _split_restricted_error(error: str) -> tuple[int, str]:
    match = _RP_LINE.match(error)
    if not match:
        return 0, error.rstrip(".")
    return int(match.group(1)), match.group(2).rstrip(".")


def _sentence(message: str, line: int, lines: list[str]) -> str:
    if line < 1 or line > len(lines):
        return message
    snippet = lines[line - 1].strip()
    if len(snippet) > _MAX_SNIPPET:
        snippet = snippet[: _MAX_SNIPPET - 3] + "..."
    return f"{message} (line {line}: {snippet})"


def _private(name: str | None) -> bool:
    """A lone ``_`` is the usual throw-away variable and reaches nothing, so only it is let through."""
    return bool(name) and name.startswith("_") and name != "_"


class _PolicyVisitor(ast.NodeVisitor):
    """Collects (line, message) for every construct our policy forbids."""

    def __init__(self, lines: list[str], mode: str):
        self.lines = lines
        self.mode = mode
        self.found: list[tuple[int, str]] = []

    def check(self, tree: ast.AST) -> list[tuple[int, str]]:
        self.visit(tree)
        return self.found

    def report(self, node: ast.AST, message: str) -> None:
        line = getattr(node, "lineno", 0)
        self.found.append((line, _sentence(message, line, self.lines)))

    def check_name(self, node: ast.AST, name: str | None, kind: str) -> None:
        if _private(name):
            self.report(node, f"the {kind} '{name}' is not allowed because it starts with an underscore")

    def visit_Import(self, node: ast.Import) -> None:
        self.report(node, "imports are not allowed")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.report(node, "imports are not allowed")

    def visit_Global(self, node: ast.Global) -> None:
        self.report(node, "global statements are not allowed")

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.report(node, "nonlocal statements are not allowed")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.report(node, "class definitions are not allowed")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_NAMES:
            self.report(node, f"calling {node.func.id}() is not allowed")
            for child in [*node.args, *node.keywords]:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_NAMES:
            self.report(node, f"using {node.id} is not allowed")
        elif self.mode == "eval" and node.id in _PRINT_NAMES:
            self.report(node, f"{node.id} is only available in scripts, not in expressions")
        else:
            self.check_name(node, node.id, "name")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in _STR_FORMATTERS:
            self.report(
                node, f".{node.attr}() is not allowed because it can reach private attributes; use an f-string"
            )
        self.check_name(node, node.attr, "attribute")
        self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        self.check_name(node.value, node.arg, "keyword argument")
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.check_name(node, node.name, "function name")
        self.generic_visit(node)

    def visit_arg(self, node: ast.arg) -> None:
        self.check_name(node, node.arg, "argument name")

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        self.check_name(node, node.name, "name")
        self.generic_visit(node)
