"""One import direction: web → engine → forms, processes. The engine never imports Flask or web."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(package: str) -> list[tuple[str, str]]:
    found = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


def test_engine_never_imports_flask_or_web():
    bad = [(f, m) for f, m in _imports("engine") if m.split(".")[0] in {"flask", "flask_login", "flask_wtf", "flask_babel", "flask_smorest", "werkzeug", "web"}]
    assert bad == []


def test_forms_import_neither_engine_nor_web():
    bad = [(f, m) for f, m in _imports("forms") if m.split(".")[0] in {"engine", "web", "flask"}]
    assert bad == []
