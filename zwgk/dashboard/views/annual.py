"""年度考核: the year's ranking rolled up from its rounds, probes, bulletins and 整改 (``zwgk annual``)."""

from __future__ import annotations

import streamlit as st

from zwgk.dashboard import adapters, queries, safe
from zwgk.dashboard import downloads as dl
from zwgk.dashboard.labels import ANNUAL_LABELS, KIND_LABELS
from zwgk.dashboard.viewer import Viewer
from zwgk.storage.db import Database


def render(url: str, db: Database, viewer: Viewer, round_id: int) -> None:
    st.title("年度考核")
    years = queries.annual_years(db, viewer)
    if not years:
        st.info("还没有已完成的评估轮次。")
        return
    year = st.selectbox("年度", years, index=0, key="w_annual_year")
    st.caption(
        "年度得分 = 月检查（各轮得分平均）、日监测（可用率）、季通报（未被点名的季度占比）、"
        "整改完成（到期事项已整改占比）按评分细则 [annual] 权重加权；某项无数据的单位按其余项折算。"
    )
    frame = queries.annual(db, viewer, int(year))
    if frame.empty:
        st.info("该年度没有可查看的单位。")
        return
    if viewer.sees_all:
        c1, c2 = st.columns([1, 1])
        dl.button(
            c1,
            "下载年度考核 (xlsx)",
            db,
            lambda v: adapters.annual_download(db, v, int(year), "xlsx"),
            f"年度考核-{year}.xlsx",
            adapters.MIME["xlsx"],
            "dl_annual_xlsx",
        )
        dl.button(
            c2,
            "下载年度考核 (CSV)",
            db,
            lambda v: adapters.annual_download(db, v, int(year), "csv"),
            f"年度考核-{year}.csv",
            adapters.MIME["csv"],
            "dl_annual_csv",
        )
    view = frame.assign(kind=[KIND_LABELS.get(k, k) for k in frame["kind"]])
    view = view.rename(columns=ANNUAL_LABELS)
    st.dataframe(view, hide_index=True, width="stretch")
    safe.caption(f"共 {len(frame)} 个单位；未测评的单位不排名。")
