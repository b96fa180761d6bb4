"""PUBLISH-LATE, KEYPOINTS-LATE, INTERP-LEADER on hand-built snapshots (the farm plants them too:
tests/test_farm_substance.py).  Working days are the 调休-aware calendar's."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures_indicators import SiteBuilder, by_rule, days_ago
from zwgk.indicators import evaluate, load_rubric
from zwgk.indicators.jiceng import load_standard
from zwgk.model import is_review_candidate


@pytest.fixture(scope="module")
def rubric(tmp_path_factory):
    """national-2019 with the 上级 要点 date of 2026, as a province's rubric would add it."""
    path = tmp_path_factory.mktemp("rubric") / "province.toml"
    path.write_text(
        'base = "national-2019"\n[rules.KEYPOINTS-LATE.params.reference_dates]\n"2026" = "2026-04-15"\n',
        encoding="utf-8",
    )
    return load_rubric(path)


def _doc(ws: SiteBuilder, path: str, written: dt.date, published: dt.date, label: str = "发布日期"):
    return ws.article(
        path,
        "关于印发示例市某某实施办法的通知",
        published,
        dates={"成文日期": written.isoformat(), label: published.isoformat()},
        doc_number="示府〔2026〕3号",
    )


# ---------------------------------------------------------------- PUBLISH-LATE


def test_publish_late_counts_working_days_with_the_national_day_holiday(ws, rubric):
    # 2026-09-21 → 2026-10-26 is 25 weekdays but 20 working days: 国庆 1–7 Oct off, Sat 10 Oct worked
    _doc(ws, "zc/1.html", dt.date(2026, 9, 21), dt.date(2026, 10, 26))
    _doc(ws, "zc/2.html", dt.date(2026, 9, 21), dt.date(2026, 10, 27))
    _doc(ws, "zc/3.html", dt.date(2026, 9, 21), dt.date(2026, 10, 27), label="公开日期")
    found = {f.subject: f for f in by_rule(evaluate(ws.snapshot(), rubric), "PUBLISH-LATE")}
    assert set(found) == {"http://www.example.gov.cn/zc/2.html", "http://www.example.gov.cn/zc/3.html"}
    ev = found["http://www.example.gov.cn/zc/2.html"].evidence
    assert (ev["working_days"], ev["deadline"], ev["published_label"]) == (21, "2026-10-26", "发布日期")
    assert not is_review_candidate(ev)


def test_publish_late_reads_the_pubdate_tag_when_no_date_is_labelled(ws, rubric):
    ws.article("zc/t.html", "只有成文日期与PubDate", days_ago(10), dates={"成文日期": days_ago(200).isoformat()})
    [f] = by_rule(evaluate(ws.snapshot(), rubric), "PUBLISH-LATE")
    assert f.evidence["published_label"] == "meta:PubDate"


def test_publish_late_reads_a_directory_systems_made_and_uploaded_dates(ws, rubric):
    """政府信息公开目录 systems: 产生日期 (made) and 上载日期 (put online), no PubDate tag."""
    page = ws.article(
        "gkml/1.html",
        "关于印发某某方案的通知",
        days_ago(10),
        dates={"产生日期": days_ago(120).isoformat(), "上载日期": days_ago(10).isoformat()},
    )
    page.date_source = "table:上载日期"
    [f] = by_rule(evaluate(ws.snapshot(), rubric), "PUBLISH-LATE")
    assert (f.evidence["written_label"], f.evidence["published_label"]) == ("产生日期", "上载日期")


def test_publish_late_needs_both_labelled_dates_in_the_window(ws, rubric):
    ws.article("zc/a.html", "只有发布日期", days_ago(10), dates={"发布日期": days_ago(10).isoformat()})
    url_dated = ws.article("zc/b.html", "只有成文日期", days_ago(10), dates={"成文日期": days_ago(200).isoformat()})
    url_dated.date_source = "url"  # a publication date read from the URL is never used
    _doc(ws, "zc/old.html", days_ago(500), days_ago(400))  # before the one-year window
    _doc(ws, "zc/odd.html", days_ago(5), days_ago(10))  # made after it was published: not judged
    assert not by_rule(evaluate(ws.snapshot(), rubric), "PUBLISH-LATE")


# ---------------------------------------------------------------- KEYPOINTS-LATE


def _keypoints(ws: SiteBuilder, rows: list[tuple[str, dt.date]]):
    ws.column("gkzd/", "政府信息公开制度", rows, name="政府信息公开制度")


def test_keypoints_on_time_late_and_late_without_the_units_name(ws, rubric):
    deadline = dt.date(2026, 5, 29)  # 2026-04-15 + 30 working days (劳动节 1–5 May off, 9 May worked)
    _keypoints(
        ws,
        [
            ("示例市人民政府关于印发2026年政务公开工作要点的通知", deadline),
            ("示例市人民政府关于印发2025年政务公开工作要点的通知", dt.date(2025, 5, 6)),
        ],
    )
    assert not by_rule(evaluate(ws.snapshot(), rubric), "KEYPOINTS-LATE")

    late = SiteBuilder()
    _keypoints(
        late,
        [
            ("示例市人民政府关于印发2026年政务公开工作要点的通知", dt.date(2026, 6, 1)),
            ("国务院办公厅关于印发2026年政务公开工作要点的通知", dt.date(2026, 4, 20)),
        ],
    )
    [f] = by_rule(evaluate(late.snapshot(), rubric), "KEYPOINTS-LATE")
    assert f.subject == "2026" and f.evidence["status"] == "late" and f.evidence["deadline"] == deadline.isoformat()
    assert not is_review_candidate(f.evidence) and f.points == 2

    other = SiteBuilder()
    _keypoints(other, [("关于印发2026年政务公开工作要点的通知", dt.date(2026, 7, 1))])
    [f] = by_rule(evaluate(other.snapshot(), rubric), "KEYPOINTS-LATE")
    assert is_review_candidate(f.evidence)  # the title does not say whose 要点 it is


def test_keypoints_missing_is_a_review_candidate_and_never_judged_without_any(ws, rubric):
    _keypoints(
        ws,
        [
            ("示例市人民政府关于印发2025年政务公开工作要点的通知", dt.date(2025, 5, 6)),
            ("转发国务院办公厅2026年政务公开工作要点的通知", dt.date(2026, 4, 20)),
        ],
    )
    [f] = by_rule(evaluate(ws.snapshot(), rubric), "KEYPOINTS-LATE")
    assert f.evidence["status"] == "missing" and is_review_candidate(f.evidence)
    assert not by_rule(evaluate(SiteBuilder().snapshot(), rubric), "KEYPOINTS-LATE")  # no 要点 at all


def test_keypoints_are_not_judged_for_a_year_without_a_reference_date(ws, rubric):
    _keypoints(ws, [("示例市人民政府关于印发2025年政务公开工作要点的通知", dt.date(2025, 5, 6))])
    assert not by_rule(evaluate(ws.snapshot(), load_rubric("national-2019")), "KEYPOINTS-LATE")
    early = SiteBuilder(as_of=dt.date(2026, 5, 20))  # before 2026's deadline, 2025 has no date either
    _keypoints(early, [("示例市人民政府关于印发2025年政务公开工作要点的通知", dt.date(2025, 5, 6))])
    assert not by_rule(evaluate(early.snapshot(), rubric), "KEYPOINTS-LATE")


# ---------------------------------------------------------------- INTERP-LEADER


def _interps(ws: SiteBuilder, titles: list[str], read: bool = True, **facts):
    rows = [(t, days_ago(20 * (i + 1))) for i, t in enumerate(titles)]
    ws.column("zcjd/", "政策解读", rows, name="政策解读")
    if read:
        for i, (t, d) in enumerate(rows):
            ws.article(f"zcjd/item{i}.html", t, d, is_interpretation=True, **(facts if i == 0 else {}))


TITLES = [
    "《示例市养老服务条例》政策解读",
    "一图读懂2026年示例市政府工作报告",
    "图解：示例市稳就业十条措施",
    "关于《示例市城市更新办法》的解读",
]


def test_no_head_interpretation_in_the_year_is_a_deduction_when_pages_were_read(ws, rubric):
    _interps(ws, TITLES)
    [f] = by_rule(evaluate(ws.snapshot(), rubric), "INTERP-LEADER")
    assert f.subject == "http://www.example.gov.cn/" and f.evidence["interpretations"] == 4
    assert not is_review_candidate(f.evidence)
    titles_only = SiteBuilder()
    _interps(titles_only, TITLES, read=False)
    [f] = by_rule(evaluate(titles_only.snapshot(), rubric), "INTERP-LEADER")
    assert is_review_candidate(f.evidence)


@pytest.mark.parametrize(
    "title",
    [
        "市长做客在线访谈解读：示例市稳就业十条措施",
        "主要负责同志解读《示例市养老服务条例》",
        "局长谈：示例市城市更新办法",
        "第一解读人｜示例市一季度经济形势",
    ],
)
def test_a_head_interpretation_by_title(ws, rubric, title):
    _interps(ws, TITLES[:3] + [title])
    assert not by_rule(evaluate(ws.snapshot(), rubric), "INTERP-LEADER")


def test_a_head_by_byline_counts_and_a_deputy_does_not(ws, rubric):
    _interps(ws, TITLES, byline="市长 张某某")
    assert not by_rule(evaluate(ws.snapshot(), rubric), "INTERP-LEADER")
    deputy = SiteBuilder()
    _interps(deputy, TITLES[:3] + ["副市长做客在线访谈解读稳就业措施"], byline="副市长 李某某")
    assert by_rule(evaluate(deputy.snapshot(), rubric), "INTERP-LEADER")


def test_too_few_interpretations_are_not_judged(ws, rubric):
    _interps(ws, TITLES[:2])
    assert not by_rule(evaluate(ws.snapshot(), rubric), "INTERP-LEADER")


def test_byline_is_read_from_the_page():
    from zwgk.crawlers.extract import extract_page

    html = (
        "<html><head><title>解读</title></head><body><h1>《示例办法》政策解读</h1>"
        "<p>解读人：县长 王某某</p><p>正文……</p></body></html>"
    )
    out = extract_page("http://www.example.gov.cn/zcjd/1.html", html, "article")
    assert out.facts["byline"].startswith("县长 王某某")


# ---------------------------------------------------------------- 基层 标准目录 (JICENG-*)


HEADERS = ["序号", "公开事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开方式", "公开渠道和载体", "公开对象"]


def _county(areas: list[str], headers: dict[str, list[str]] | None = None, column: str = "基层政务公开标准目录"):
    ws = SiteBuilder(tier="县")
    ws.unit = ws.unit.__class__("u-001", "示例县人民政府", "县", "portal", ws.unit.site_url)
    ws.column("bzml/", column, [(f"{a}领域基层政务公开标准目录", days_ago(40)) for a in areas], name=column)
    for i, a in enumerate(areas):
        if headers and a in headers:
            ws.article(
                f"bzml/item{i}.html",
                f"{a}领域基层政务公开标准目录",
                days_ago(40),
                catalog={"headers": headers[a], "rows": 3},
            )
    return ws


def test_the_standard_has_the_seeds_26_areas_and_elements():
    std = load_standard()
    assert len(std.areas) == 26 and std.areas[6].name == "征地补偿" and std.areas[-1].name == "市政服务"
    assert [e.name for e in std.elements if e.required] == ["事项", "依据", "时限", "主体", "方式", "渠道", "对象"]
    assert std.area_of("生态环境领域基层政务公开标准目录").name == "环境保护"
    assert std.area_of("国有土地上房屋征收与补偿领域").name == "国有土地上房屋征收"


def test_missing_areas_one_finding_each_with_coverage(nat_rubric):
    names = [a.name for a in load_standard().areas]
    ws = _county([n for n in names[:21] if n != "扶贫"] + ["乡村振兴"])  # 扶贫 under another name counts
    found = {f.subject: f for f in by_rule(evaluate(ws.snapshot(), nat_rubric), "JICENG-AREA")}
    assert set(found) == set(names[21:])
    f = found["户籍管理"]
    assert (
        f.evidence["coverage"] == pytest.approx(21 / 26, abs=1e-4)
        and f.points == 0.2
        and not is_review_candidate(f.evidence)
    )


def test_areas_not_judged_without_a_catalogue_or_with_too_few_areas_or_on_a_city(nat_rubric):
    assert not by_rule(evaluate(SiteBuilder(tier="县").snapshot(), nat_rubric), "JICENG-AREA")
    assert not by_rule(evaluate(_county(["征地补偿", "义务教育"]).snapshot(), nat_rubric), "JICENG-AREA")
    city = _county(["征地补偿", "义务教育", "社会救助", "养老服务", "扶贫", "救灾"])
    city.unit = city.unit.__class__("u-001", "示例市人民政府", "市", "portal", city.unit.site_url)
    assert not by_rule(evaluate(city.snapshot(), nat_rubric), "JICENG-AREA")


def test_catalogue_table_missing_elements(nat_rubric):
    names = [a.name for a in load_standard().areas]
    short = [h for h in HEADERS if h not in ("公开时限", "公开对象")]
    ws = _county(
        names,
        {
            "征地补偿": short,
            "义务教育": HEADERS,
            "社会救助": HEADERS[:3] + ["公开依据", "公开时限", "责任主体", "公开方式", "公开渠道", "公开范围"],
        },
    )
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "JICENG-ELEMENT")
    assert f.evidence["area"] == "征地补偿" and f.evidence["missing"] == ["时限", "对象"]
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "JICENG-AREA")


def test_catalogue_table_is_read_from_the_page():
    from zwgk.crawlers.extract import extract_page

    head = "".join(f"<th>{h}</th>" for h in HEADERS)
    html = (
        f"<html><head><title>征地补偿领域基层政务公开标准目录</title></head><body><table><tr>{head}</tr>"
        "<tr><td>1</td><td>征地告知</td></tr><tr><td>2</td><td>征地批复</td></tr></table></body></html>"
    )
    out = extract_page("http://www.example.gov.cn/bzml/1.html", html, "article")
    assert out.facts["catalog"] == {"headers": HEADERS, "rows": 2}
    plain = extract_page(
        "http://www.example.gov.cn/a.html",
        "<table><tr><th>姓名</th><th>职务</th></tr><tr><td>a</td></tr></table>",
        "article",
    )
    assert "catalog" not in plain.facts
