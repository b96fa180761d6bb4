"""存档证据: the archived page behind a finding, as the assessor saw it.

Archived pages are untrusted.  They are shown three ways, none of which runs them:

* 安全预览 — the page cleaned of everything active (``zwgk.archive.sanitize``: scripts,
  frames, event handlers, links, every resource URL) with a Content-Security-Policy
  that allows no external request, inside an ``<iframe sandbox="">`` (no scripts, no
  forms, no navigation, opaque origin);
* 页面文本 — the cleaned page's text, as text;
* 源代码 / 响应头 — the body and headers as received, as escaped text.

Fetch time, HTTP status and the crawl's verdict are shown beside it.  Which unit may be
opened is decided by the query layer (``queries.finding_evidence``), not by this page.
"""

from __future__ import annotations

import html

import lxml.html
import streamlit as st

from zwgk.dashboard import queries
from zwgk.dashboard.safe import md_escape
from zwgk.dashboard.viewer import Viewer
from zwgk.dashboard.views.unit import pick_unit
from zwgk.storage.db import Database

MAX_SOURCE = 300_000  # characters of source shown (the file download has all of it)
OUTCOME_ZH = {
    "ok": "正常",
    "broken": "无法打开",
    "blocked": "被拦截",
    "transient": "暂时失败",
    "skipped": "未访问",
    "redirect": "跳转",
}


def sandboxed(safe_document: str, height: int = 560) -> str:
    """An iframe with every sandbox restriction holding the (already inert) document."""
    return (
        f'<iframe sandbox="" referrerpolicy="no-referrer" loading="eager" title="存档页面安全预览" '
        f'style="width:100%;height:{height}px;border:1px solid #ccc;background:#fff" '
        f'srcdoc="{html.escape(safe_document, quote=True)}"></iframe>'
    )


def page_text(safe_document: str) -> str:
    try:
        return lxml.html.document_fromstring(safe_document).text_content().strip()
    except Exception:  # noqa: BLE001 - lxml raises many kinds on hostile markup; the source view remains
        return ""


def render(url: str, db: Database, viewer: Viewer, round_id: int) -> None:
    st.title("存档证据")
    st.caption("评估时抓取的页面原样存档（WARC）。预览已去除脚本、外部请求和链接跳转，仅供核对。")
    unit_id = pick_unit(url, viewer, round_id, key="w_ev_unit")
    if unit_id is None:
        st.info("没有可查看的单位。")
        return
    findings = queries.evidence_findings(db, viewer, round_id, unit_id)  # PermissionError for others' units
    options = [None, *range(len(findings))]
    choice = st.selectbox(
        "问题",
        options,
        key="w_ev_finding",
        format_func=lambda i: "（仅首页）" if i is None else f"{findings.loc[i, 'rule']}　{findings.loc[i, 'subject']}",
    )
    rule = subject = None
    if choice is not None:
        rule, subject = str(findings.loc[choice, "rule"]), str(findings.loc[choice, "subject"])
        st.text(str(findings.loc[choice, "message"]))
    evidence = queries.finding_evidence(db, viewer, round_id, unit_id, rule, subject)
    if evidence is None or not evidence.pages:
        st.info("本轮没有该单位的存档页面（评估时选择了 --archive none）。")
        return
    pages = evidence.pages
    index = st.selectbox(
        "页面",
        list(range(len(pages))),
        key="w_ev_page",
        format_func=lambda i: f"[{i + 1}] {pages[i].url}" + ("（首页）" if pages[i].url == evidence.homepage else ""),
    )
    page = pages[index]
    c1, c2, c3 = st.columns(3)
    c1.metric("抓取时间 (UTC)", page.fetched_at.strftime("%Y-%m-%d %H:%M:%S") if page.fetched_at else "—")
    c2.metric("HTTP 状态", str(page.status) if page.status else "无响应")
    verdict = page.judged_outcome or page.record.outcome
    c3.metric("结论", OUTCOME_ZH.get(verdict, verdict))
    if page.judged_error:
        st.text(f"说明：{page.judged_error}")
    st.caption(md_escape(f"WARC {page.record.warc_file} @ {page.record.offset} (+{page.record.length})"))
    safe = page.safe_rendering()
    tabs = st.tabs(["安全预览", "页面文本", "源代码", "响应头"])
    with tabs[0]:
        if safe is None:
            st.info("该地址不是 HTML 页面，无预览。")
        else:
            # Streamlit's own frame holds only this static wrapper; the page sits in the
            # fully sandboxed frame inside it.
            st.iframe(sandboxed(safe), height=580)
    with tabs[1]:
        st.text(page_text(safe) if safe is not None else (page.text or ""))
    with tabs[2]:
        source = page.text if page.text is not None else f"（二进制内容，{len(page.body)} 字节）"
        st.code(source[:MAX_SOURCE], language="html", line_numbers=False)
    with tabs[3]:
        st.code(page.header_text(), language="http")
