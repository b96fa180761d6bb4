"""Recognising standard columns by meaning (zwgk.columns), with the national rubric's data."""

from __future__ import annotations

import pytest

from zwgk.columns import ColumnVocabulary
from zwgk.indicators.catalog import load_rubric


@pytest.fixture(scope="module")
def vocab() -> ColumnVocabulary:
    return load_rubric("national-2019").column_vocabulary()


@pytest.mark.parametrize(
    ("text", "column", "method"),
    [
        ("政策解读", "政策解读", "exact"),
        ("政策解讀", "政策解读", "exact"),  # 繁体
        ("【 政策解读 】", "政策解读", "exact"),  # decoration
        ("热点解读", "政策解读", "terms"),  # a name that merely contains 解读
        ("文件解读", "政策解读", "terms"),
        ("法定公开内容", "法定主动公开内容", "terms"),  # without 主动
        ("万载县政府信息公开年报", "政府信息公开年报", "suffix"),
        ("信息公开年度报表", "政府信息公开年报", "terms"),
        ("政府信息公开目录", "政府信息公开", "exact"),
        ("个人办事", "办事服务", "exact"),
        ("政務公開", "政府信息公开", "exact"),
        ("通知公示", "通知公告", "exact"),
        ("县市区动态", "区县动态", "terms"),
    ],
)
def test_names_recognised_with_how(vocab, text, column, method):
    match = vocab.match(text)
    assert match is not None, text
    assert (match.column, match.method) == (column, method)
    assert match.strong


@pytest.mark.parametrize(
    "text",
    [
        "数据解读",  # a statistics section, not 政策解读 (look-alike excluded)
        "政府公告",  # not a rubric name of 通知公告, and 公告 alone is no key term
        "政策",
        "服务",
        "更多",
        "依申请公开",  # not the 政府信息公开 column
        "政务公开工作要点",
        "关于做好政策解读工作的通知",  # a headline, not a column name
        "市政府召开政务公开工作会议",
    ],
)
def test_look_alikes_and_headlines_are_not_columns(vocab, text):
    assert vocab.match(text) is None


def test_near_spelling_is_weak_evidence():
    from zwgk.columns import ColumnTerms

    vocab = ColumnVocabulary((ColumnTerms("政府信息公开指南", synonyms=("政府信息公开工作指南",)),))
    match = vocab.match("政府信息公开工作指楠")  # a typo
    assert match is not None and match.column == "政府信息公开指南"
    assert match.method == "fuzzy" and not match.strong


def test_a_hubs_general_term_yields_to_a_specific_column(vocab):
    assert vocab.match("部门预决算信息公开").column == "财政预决算"
    assert vocab.match("政府信息公开年度报表").column == "政府信息公开年报"


def test_equally_plausible_columns_are_not_guessed():
    from zwgk.columns import ColumnTerms

    vocab = ColumnVocabulary((ColumnTerms("甲", key_terms=("公开",)), ColumnTerms("乙", key_terms=("目录",))))
    assert vocab.match("公开目录") is None
    assert vocab.match("公开").column == "甲"


def test_rubric_key_terms_are_data(tmp_path):
    """An evaluator teaches a province's name without code: key terms in the rubric."""
    rubric = tmp_path / "p.toml"
    rubric.write_text(
        'base = "national-2019"\nname = "p"\n[columns."政策解读"]\nkey_terms = ["解读", "政策+问答", "读懂"]\n',
        encoding="utf-8",
    )
    vocab = load_rubric(rubric).column_vocabulary()
    assert vocab.match("一图读懂").column == "政策解读"
    assert load_rubric("national-2019").column_vocabulary().match("一图读懂") is None


@pytest.mark.parametrize("text", ["关于重点项目建设的咨询", "关于老旧小区改造的咨询", "某市耕地保护工作的通知"])
def test_an_entry_worded_as_a_headline_is_no_column(vocab, text):
    assert vocab.match(text) is None


def test_a_department_sites_own_news_is_a_news_column(vocab):
    assert vocab.match("单位动态").column == "部门动态" and vocab.match("本单位动态").column == "部门动态"


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("财政信息", "财政预决算"),  # the 信息公开目录 category of many county and department sites
        ("财政信息公开", "财政预决算"),
        ("新闻动态", "工作动态"),  # a site's own news, as common a name as 工作动态
    ],
)
def test_common_names_of_budget_and_news_columns(vocab, text, column):
    match = vocab.match(text)
    assert match is not None and match.column == column and match.strong


@pytest.mark.parametrize("text", ["县长调研重点项目建设工作", "市政府召开重点项目推进会", "县领导走访慰问困难群众"])
def test_a_news_headline_is_no_column_whatever_terms_it_holds(vocab, text):
    assert vocab.match(text) is None


@pytest.mark.parametrize("text", ["调研成果", "重点项目", "重大建设项目"])
def test_a_column_name_beginning_with_a_news_word_still_matches_or_not_as_before(vocab, text):
    """The headline guard wants a subject before the verb: names that start with it are untouched."""
    from zwgk.columns import _HEADLINE, clean_name

    assert not _HEADLINE.search(clean_name(text))
