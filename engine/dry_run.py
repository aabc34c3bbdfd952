"""Dry run: the flow's own harness scenarios (tests/processes/test_<flow>*.py) against a draft diagram.

The scenarios run in a separate pytest process on their usual throwaway databases, with the
harness reading diagrams from a temporary copy of ``processes/`` in which the draft replaces
the flow's file. Nothing touches the live database. Also a pytest plugin (``-p engine.dry_run``):
with ``TICKETFLOW_DRY_RUN_DIR`` set it points the harness at that folder.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from engine.deployment import read_document
from engine.errors import DeployRejected

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
SCENARIOS = ROOT / "tests" / "processes"
DIR_VARIABLE = "TICKETFLOW_DRY_RUN_DIR"
TIME_LIMIT_SECONDS = 600


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario of the flow: its test name, whether it passed, and the first line of why not."""

    name: str
    passed: bool
    message: str = ""


def scenario_files(process_id: str) -> list[Path]:
    """The harness tests written for this flow."""
    return sorted(SCENARIOS.glob(f"test_{process_id}*.py")) if process_id.isidentifier() else []


def dry_run(process_id: str, xml: str) -> list[ScenarioResult]:
    """Run the flow's scenarios with ``xml`` in place of ``processes/<process_id>.bpmn``."""
    files = scenario_files(process_id)
    if not files:
        return []
    try:
        read_document(xml)
    except DeployRejected as exc:
        return [ScenarioResult("(draft)", False, exc.problems[0]["message"])]
    with tempfile.TemporaryDirectory(prefix="ticketflow-dry-run-") as folder:
        diagrams = Path(folder) / "processes"
        shutil.copytree(PROCESSES, diagrams)
        (diagrams / f"{process_id}.bpmn").write_text(xml, encoding="utf-8")
        report = Path(folder) / "report.xml"
        env = {**os.environ, DIR_VARIABLE: str(diagrams)}
        env.pop("TICKETFLOW_TEST_DATABASE_URL", None)  # throwaway SQLite files, never a shared server
        try:
            subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "engine.dry_run",
                 f"--junitxml={report}", *map(str, files)],
                cwd=ROOT, env=env, capture_output=True, timeout=TIME_LIMIT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            return [ScenarioResult("(all)", False, f"the scenarios took longer than {TIME_LIMIT_SECONDS} s")]
        if not report.exists():
            return [ScenarioResult("(all)", False, "the scenarios could not be started")]
        return _results(report)


def _results(report: Path) -> list[ScenarioResult]:
    results = []
    for case in etree.parse(str(report), etree.XMLParser(resolve_entities=False, no_network=True)).iter("testcase"):
        problem = next((child for child in case if child.tag in ("failure", "error")), None)
        if any(child.tag == "skipped" for child in case):
            continue
        lines = (problem.get("message") or problem.text or "").strip().splitlines() if problem is not None else []
        results.append(ScenarioResult(case.get("name", ""), problem is None, (lines[0] if lines else "")[:500]))
    return results


def pytest_configure(config) -> None:
    """Point the harness (and the scenarios that read diagrams) at the dry run's copy of processes/."""
    folder = os.environ.get(DIR_VARIABLE)
    if folder:
        import engine.testing

        engine.testing.PROCESSES = Path(folder)
