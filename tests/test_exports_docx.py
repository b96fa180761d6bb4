"""整改通知书 and 通报 as Word documents: opened with python-docx, they hold the right unit's
findings, the addressee, the deadline, the attachment table and East Asian fonts that Word
and WPS honour; the dashboard hands them only to the roles that get the PDF today."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from zwgk.dashboard import adapters
from zwgk.dashboard.viewer import Viewer
from zwgk.storage import Database
from zwgk.storage.rounds import require_round


def zwgk(*args: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([sys.executable, "-m", "zwgk", *args], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr + run.stdout
    return run


@pytest.fixture(scope="module")
def round_db(default_round, tmp_path_factory):
    """The run's round 2026-Q4 over the default farm (``default_round``), a private copy."""
    work = tmp_path_factory.mktemp("docx")
    db = default_round.copy_db(work)
    zwgk("export", "findings", "--round", "2026-Q4", "-o", str(work / "findings.json"), "--db", db)
    findings = json.loads((work / "findings.json").read_text(encoding="utf-8"))
    return {"work": work, "db": db, "findings": findings, "truth": default_round.truth}


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _east_asian_fonts(document) -> set[str]:
    fonts = set()
    for run in document.element.body.iter(qn("w:r")):
        rfonts = run.find(qn("w:rPr") + "/" + qn("w:rFonts"))
        if rfonts is not None and rfonts.get(qn("w:eastAsia")):
            fonts.add(rfonts.get(qn("w:eastAsia")))
    return fonts


def test_rectification_notice_docx_holds_only_that_units_findings(round_db):
    by_unit: dict[str, list[dict]] = {}
    for f in round_db["findings"]:
        by_unit.setdefault(f["unit_id"], []).append(f)
    departments = [s for s in round_db["truth"]["sites"] if s["kind"] == "department" and s["unit_id"] in by_unit]
    site = departments[0]
    out = round_db["work"] / "notice.docx"
    zwgk(
        "export",
        "rectification",
        "--unit",
        site["unit_id"],
        "--round",
        "2026-Q4",
        "--format",
        "docx",
        "-o",
        str(out),
        "--db",
        round_db["db"],
    )
    document = docx.Document(str(out))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "政务公开整改通知书"
    assert "〔" in paragraphs[1] and "号" in paragraphs[1]  # 文号 placeholder
    assert f"{site['name']}：" in paragraphs  # 主送
    text = _all_text(document)
    mine = by_unit[site["unit_id"]]
    for f in mine:
        assert f["message"] in text
    others = {f["message"] for u, fs in by_unit.items() if u != site["unit_id"] for f in fs} - {
        f["message"] for f in mine
    }
    assert others and not any(message in text for message in others)
    assert "前整改完毕" in text and "附件：整改清单" in paragraphs
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells][:2] == ["序号", "问题类型"]
    assert len(table.rows) == 1 + len([f for f in mine if f.get("review") != "dismissed"])
    assert {"方正小标宋简体", "仿宋", "黑体", "宋体"} <= _east_asian_fonts(document)
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋"


def test_bulletin_docx_ranks_every_unit_and_names_failures(round_db):
    out = round_db["work"] / "bulletin.docx"
    zwgk("export", "bulletin", "--round", "2026-Q4", "-o", str(out), "--db", round_db["db"])
    document = docx.Document(str(out))
    paragraphs = [p.text for p in document.paragraphs]
    assert "2026-Q4" in paragraphs[0] and paragraphs[0].endswith("通报")
    assert "各有关单位：" in paragraphs
    (table,) = document.tables
    ids = {row.cells[3].text for row in table.rows[1:]}
    assert ids == {s["unit_id"] for s in round_db["truth"]["sites"]}
    failed = [row.cells[4].text for row in table.rows[1:] if row.cells[6].text in ("不合格", "单项否决")]
    body = "\n".join(paragraphs)
    for name in failed:
        assert f"{name}：" in body


def test_dashboard_hands_word_files_to_the_roles_allowed_today(round_db):
    db = Database.open(round_db["db"])
    round_id = require_round(db, "2026-Q4").id
    unit = next(f["unit_id"] for f in round_db["findings"])
    other = next(f["unit_id"] for f in round_db["findings"] if f["unit_id"] != unit)
    dept = Viewer("dept", "department", (unit,))
    dl = adapters.rectification_download(db, dept, unit, "docx", round_id)
    assert dl.file_name == f"整改通知书-{unit}.docx" and dl.data[:2] == b"PK"
    with pytest.raises(PermissionError):
        adapters.rectification_download(db, dept, other, "docx", round_id)
    with pytest.raises(PermissionError):
        adapters.bulletin_download(db, dept, round_id, "docx")
    leader = Viewer("leader", "leader")
    bulletin = adapters.bulletin_download(db, leader, round_id, "docx")
    path = Path(round_db["work"]) / bulletin.file_name
    path.write_bytes(bulletin.data)
    assert docx.Document(str(path)).tables
