"""`zwgk rules` through the real command line (typer CliRunner) and the generated docs."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from zwgk.cli import app
from zwgk.indicators import docs

runner = CliRunner()


def test_rules_lists_every_code():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0, result.output
    for code in ("AVAIL-DOWN", "INTERP-LATE", "LINK-PAGE", "REPLY-LATE", "SEARCH-MISSING"):
        assert code in result.output
    assert "单项否决" in result.output


def test_rules_explains_interp_late_in_chinese_and_english():
    result = runner.invoke(app, ["rules", "INTERP-LATE"])
    assert result.exit_code == 0, result.output
    out = result.output
    for text in (
        "政策解读发布不及时",
        "Late policy interpretation",
        "检查内容 / What it checks",
        "原因 / Why",
        "阈值 / Thresholds",
        "整改方法 / How to fix",
        "对象 / Subject",
        "依据 / Source",
        "max_working_days = 3",
        "3个工作日",
        "3 working days",
        "国办发〔2016〕19号",
    ):
        assert text in out, text


def test_rules_explain_uses_the_given_rubric(tmp_path: Path):
    path = tmp_path / "p.toml"
    path.write_text('base = "national-2019"\n[rules.INTERP-LATE.params]\nmax_working_days = 5\n', encoding="utf-8")
    result = runner.invoke(app, ["rules", "interp-late", "--rubric", str(path)])
    assert result.exit_code == 0 and "max_working_days = 5" in result.output


def test_rules_unknown_code_fails_clearly():
    result = runner.invoke(app, ["rules", "NOPE-1"])
    assert result.exit_code == 2 and "NOPE-1" in result.output


def test_rules_check_accepts_good_and_rejects_bad_file(tmp_path: Path):
    good = runner.invoke(app, ["rules", "--check", "zwgk/data/rubrics/zhaoqing-2019.toml"])
    assert good.exit_code == 0 and "zhaoqing-2019" in good.output
    bad = tmp_path / "bad.toml"
    bad.write_text('base = "national-2019"\n[scoring]\nweight = 0.03\n', encoding="utf-8")
    result = runner.invoke(app, ["rules", "--check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3" in result.output and "0.04" in result.output


def test_committed_rules_reference_is_up_to_date():
    committed = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == docs.render(), "docs/rules.md is stale: run `python -m zwgk.indicators.docs`"
