"""The Chinese catalogue covers every interface text and the committed .mo matches the .po."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "web" / "translations" / "zh" / "LC_MESSAGES"


def _extracted(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "web/babel.cfg", "-k", "_l",
         "-o", str(pot), "--no-location", "--omit-header", "."],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return {m.id for m in read_po(pot.open("rb")) if m.id}


def test_every_interface_text_has_a_chinese_translation(tmp_path):
    po = read_po((CATALOGUE / "messages.po").open("rb"))
    translated = {m.id for m in po if m.id and m.string}
    extracted = _extracted(tmp_path)
    assert {"Inbox", "Group queue", "Shift handover"} <= extracted
    missing = sorted(extracted - translated)
    assert missing == [], f"add these to web/translations/zh/LC_MESSAGES/messages.po: {missing}"


def test_compiled_catalogue_matches_the_po_file():
    po = read_po((CATALOGUE / "messages.po").open("rb"))
    mo = read_mo((CATALOGUE / "messages.mo").open("rb"))
    assert {m.id: m.string for m in po if m.id} == {m.id: m.string for m in mo if m.id}, \
        "run: pybabel compile -d web/translations"
