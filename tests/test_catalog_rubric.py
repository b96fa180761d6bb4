"""Loading rubrics: shipped files, base + overrides, and errors that name file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures_indicators import SiteBuilder, by_rule, u
from zwgk.indicators import deductions_by_indicator, evaluate, load_rubric
from zwgk.indicators.catalog import find_line
from zwgk.indicators.rules import RULES
from zwgk.model import RubricError

REQUIRED = [
    "政府信息公开",
    "政府信息公开指南",
    "政府信息公开制度",
    "法定主动公开内容",
    "政府信息公开年报",
    "政策文件",
    "政策解读",
    "通知公告",
    "互动交流",
    "机构职能",
    "财政预决算",
]
CODES = [
    "AVAIL-DOWN",
    "FRESH-HOME",
    "FRESH-COLUMN",
    "COLUMN-BLANK",
    "COLUMN-MISSING",
    "INTERP-LATE",
    "INTERP-MISSING",
    "IPV6-NONE",
    "IPV6-UNREACHABLE",
    "IPV6-MISMATCH",
    "LINK-HOME",
    "LINK-PAGE",
    "IDENT-SITECODE",
    "IDENT-ICP",
    "IDENT-PSB",
    "IDENT-META",
    "REPORT-LATE",
    "REPLY-LATE",
]


def write(tmp_path: Path, text: str, name: str = "province.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_national_rubric_has_every_public_code_and_scoring_defaults(nat_rubric):
    assert set(CODES) <= set(nat_rubric.rules)
    assert set(nat_rubric.rules) == set(RULES)  # every catalog entry has a function and vice versa
    s = nat_rubric.scoring
    assert (s.total, s.pass_line, s.bonus_gate, s.bonus_max, s.weight) == (100, 60, 80, 30, 0.04)
    assert s.no_services_mode == "scale" and abs(s.no_services_factor - 4 / 3) < 1e-9
    assert s.services_indicator == "services" and nat_rubric.indicators["services"].points == 25
    assert s.composite == {"website": 0.6, "依申请公开": 0.1, "年报质量": 0.1, "解读质量": 0.1, "社会评议": 0.1}
    assert sum(i.points for i in nat_rubric.indicators.values() if i.part == "deduct") == 100
    assert sum(i.points for i in nat_rubric.indicators.values() if i.part == "bonus") == 30
    for spec in nat_rubric.rules.values():
        assert spec.indicator in nat_rubric.indicators
        assert spec.why_zh and spec.why_en and spec.fix_zh and spec.fix_en and spec.source and spec.subject


def test_required_columns_and_synonyms(nat_rubric):
    required = sorted(n for n, c in nat_rubric.columns.items() if c.required)
    assert required == sorted(REQUIRED)
    syn = nat_rubric.column_synonyms()
    assert "政务公开" in syn["政府信息公开"] and "公示公告" in syn["通知公告"]
    assert {"政府文件", "规范性文件"} <= set(syn["政策文件"])
    assert {"解读回应", "图解政策"} <= set(syn["政策解读"])
    assert {"政民互动", "公众参与"} <= set(syn["互动交流"])
    assert {"机构概况", "部门职责"} <= set(syn["机构职能"])
    assert "预决算公开" in syn["财政预决算"]
    periods = {n: c.freshness_days for n, c in nat_rubric.columns.items()}
    assert periods["政务动态"] == periods["本地要闻"] == periods["部门动态"] == periods["工作动态"] == 14
    assert periods["通知公告"] == periods["政策文件"] == 183
    assert periods["人事信息"] == periods["规划计划"] == 365
    assert periods["机构职能"] is None


def test_hash_and_text_are_stable_and_auditable(nat_rubric):
    again = load_rubric("national-2019")
    assert again.hash == nat_rubric.hash and len(nat_rubric.hash) == 64
    data = json.loads(nat_rubric.text)
    assert data["rules"]["INTERP-LATE"]["params"]["max_working_days"] == 3


def test_zhaoqing_overrides_bonus_and_services(nat_rubric):
    zq = load_rubric("zhaoqing-2019")
    assert zq.scoring.bonus_max == 25 and zq.scoring.no_services_mode == "redistribute"
    assert zq.indicators["services"].points == 20
    assert sum(i.points for i in zq.indicators.values() if i.part == "deduct") == 100
    assert sum(i.points for i in zq.indicators.values() if i.part == "bonus") == 25
    assert zq.rules["LINK-HOME"].points == nat_rubric.rules["LINK-HOME"].points  # inherited
    assert zq.hash != nat_rubric.hash
    assert json.loads(zq.text)["scoring"]["bonus_max"] == 25


def test_province_override_changes_points_thresholds_and_deductions(tmp_path, nat_rubric):
    path = write(
        tmp_path,
        """
base = "national-2019"
name = "province-test"
[rules.LINK-PAGE]
points = 0.5
[rules.FRESH-HOME.params]
days = 7
[rules.INTERP-LATE]
enabled = false
""",
    )
    province = load_rubric(path)
    assert province.name == "province-test"
    assert province.rules["LINK-PAGE"].points == 0.5
    assert province.rules["FRESH-HOME"].params["days"] == 7
    assert province.rules["LINK-PAGE"].name_zh == nat_rubric.rules["LINK-PAGE"].name_zh  # deep merge keeps the rest

    b = SiteBuilder()
    b.home.facts["items"][0]["date"] = "2026-11-10"  # 10 days old
    for i in range(3):
        art = b.article(f"a{i}.html", f"文章{i}", None)
        b.broken(f"gone{i}.html")
        b.link(art.url, u(f"gone{i}.html"))
    snap = b.snapshot()
    nat = evaluate(snap, nat_rubric)
    prov = evaluate(snap, province)
    assert not by_rule(nat, "FRESH-HOME") and by_rule(prov, "FRESH-HOME")  # threshold 14 → 7
    assert deductions_by_indicator(nat, nat_rubric)["availability"] == pytest.approx(0.3)
    assert deductions_by_indicator(prov, province)["availability"] == pytest.approx(1.5)


def test_indicator_cap_limits_deductions(tmp_path):
    path = write(
        tmp_path,
        """
base = "national-2019"
[rules.LINK-PAGE]
points = 4
""",
    )
    rubric = load_rubric(path)
    b = SiteBuilder()
    for i in range(4):
        b.broken(f"gone{i}.html")
        b.link(u("about.html"), u(f"gone{i}.html"))
    findings = evaluate(b.snapshot(), rubric)
    assert len(by_rule(findings, "LINK-PAGE")) == 4
    assert deductions_by_indicator(findings, rubric)["availability"] == 10  # 16 capped at the indicator's 10


@pytest.mark.parametrize(
    "body, line, fragment",
    [
        ('base = "national-2019"\n\n[rules.LINK-HOME]\npoints = 1\npointz = 2\n', 5, "unknown key 'pointz'"),
        ('base = "national-2019"\n[rules.LINK-HOME]\npoints = -1\n', 3, "negative"),
        ('base = "national-2019"\n[scoring]\ntotal = 100\nweight = 0.03\n', 4, "0.04"),
        ('base = "national-2019"\ncolour = "red"\n', 2, "unknown key 'colour'"),
        ('base = "national-2019"\n[rules.NEW-RULE]\npoints = 1\n', 2, "unknown rule code"),
        ('base = "national-2019"\n[rules.FRESH-HOME.params]\ndays = 14\nweeks = 2\n', 4, "unknown parameter 'weeks'"),
        ('base = "national-2019"\n[rules.LINK-HOME]\nseverity = "fatal"\n', 3, "severity"),
        ('base = "national-2019"\n[indicators.update]\npoints = -5\n', 3, "negative"),
        ('base = "national-2019"\nrules.LINK-PAGE.points = -0.1\n', 2, "negative"),
        ('base = "national-2019"\n[columns."政策文件"]\nfreshness = 30\n', 3, "unknown key 'freshness'"),
        ('base = "national-2019"\n[scoring]\nno_services_mode = "double"\n', 3, "no_services_mode"),
        ('base = "national-2019"\n[rules.LINK-HOME\n', 2, "invalid TOML"),
    ],
)
def test_bad_rubric_files_are_rejected_with_file_and_line(tmp_path, body, line, fragment):
    path = write(tmp_path, body)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    err = info.value
    assert err.source == str(path)
    assert err.line == line, str(err)
    assert fragment in err.reason
    assert f"{path}:{line}" in str(err)


def test_indicator_sums_must_match_totals(tmp_path):
    path = write(tmp_path, 'base = "national-2019"\n[indicators.update]\npoints = 30\n')
    with pytest.raises(RubricError, match="sum to 115"):
        load_rubric(path)


def test_unknown_rubric_name_lists_shipped_ones():
    with pytest.raises(RubricError, match="national-2019"):
        load_rubric("atlantis-2030")


def test_base_loop_is_reported(tmp_path):
    write(tmp_path, 'base = "b.toml"\n', "a.toml")
    write(tmp_path, 'base = "a.toml"\n', "b.toml")
    with pytest.raises(RubricError, match="loops"):
        load_rubric(tmp_path / "a.toml")


def test_province_may_add_a_column_with_synonyms(tmp_path):
    path = write(
        tmp_path,
        """
base = "national-2019"
[columns."乡村振兴"]
synonyms = ["三农工作"]
required = true
freshness_days = 183
kind = "动态"
""",
    )
    rubric = load_rubric(path)
    assert rubric.column_synonyms()["乡村振兴"] == ["乡村振兴", "三农工作"]
    findings = evaluate(SiteBuilder().snapshot(), rubric)
    assert [f.subject for f in by_rule(findings, "COLUMN-MISSING")] == ["乡村振兴"]


def test_find_line_understands_headers_dotted_and_quoted_keys():
    text = '[a]\nx = 1\n[a."中 文".b]\ny = 2\nz.w = 3\n'
    assert find_line(text, ["a", "x"]) == 2
    assert find_line(text, ["a", "中 文", "b", "y"]) == 4
    assert find_line(text, ["a", "中 文", "b", "z", "w"]) == 5
    assert find_line(text, ["a", "nope"]) == 1


def _indicator_imports(path: Path) -> set[str]:
    """The ``zwgk.indicators`` modules a source file names in its imports (anywhere in it)."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zwgk.indicators"):
            names.add(node.module)
            if node.module == "zwgk.indicators":  # ``from zwgk.indicators import workdays`` names a module
                names |= {f"zwgk.indicators.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("zwgk.indicators")}
    return names


def test_rules_never_import_the_catalog():
    """The dependencies run one way, as in ruff: the catalog (loader) checks codes against the rule
    table, and the rule functions — with every ``zwgk.indicators`` module they import, followed
    through — name only the typed values of ``zwgk.indicators.spec``, never the loader, the engine
    or the package (whose ``__init__`` imports the catalog)."""
    import zwgk.indicators.rules as rules_pkg

    package = Path(rules_pkg.__file__).parents[1]
    forbidden = {"zwgk.indicators", "zwgk.indicators.catalog", "zwgk.indicators.engine"}

    def source(module: str) -> Path | None:
        rel = Path(*module.split(".")[2:])
        for candidate in (package / rel / "__init__.py", package / rel.with_suffix(".py")):
            if candidate.is_file():
                return candidate
        return None

    todo = [f"zwgk.indicators.rules.{p.stem}" for p in sorted((package / "rules").glob("*.py"))]
    todo = [m.removesuffix(".__init__") for m in todo]
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = source(module)
        assert path is not None, module
        named = _indicator_imports(path)
        assert not named & forbidden, (path.name, named & forbidden)
        todo += [m for m in named if source(m) is not None]
    assert {"zwgk.indicators.spec", "zwgk.indicators.workdays", "zwgk.indicators.ipv6_support"} <= seen
    assert not _indicator_imports(package / "spec.py"), "spec imports nothing of zwgk.indicators"
