"""Cached reads for the Streamlit pages.

Every cached function is keyed by the database URL, the round and the
viewer's (name, role, units), so two users never share an answer unless
they may see the same rows; the short TTL keeps other people's writes
visible, and a write in this app clears the cache at once.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from zwgk.dashboard import queries
from zwgk.dashboard.viewer import Viewer
from zwgk.storage.db import Database, resolve_url

TTL_SECONDS = 60
ViewerKey = tuple[str, str, tuple[str, ...]]


def db_url() -> str:
    """The database the dashboard shows: ``ZWGK_DB`` (set by ``zwgk dashboard --db``)."""
    return resolve_url(os.environ.get("ZWGK_DB") or None)


@st.cache_resource(show_spinner=False)
def database(url: str) -> Database:
    return Database.open(url)


def key(viewer: Viewer) -> ViewerKey:
    return (viewer.username, viewer.role, viewer.unit_ids)


def _v(vk: ViewerKey) -> Viewer:
    return Viewer(vk[0], vk[1], tuple(vk[2]))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def rounds(url: str, vk: ViewerKey) -> pd.DataFrame:
    return queries.list_rounds(database(url), _v(vk))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def ranking(url: str, round_id: int, vk: ViewerKey) -> pd.DataFrame:
    return queries.ranking(database(url), _v(vk), round_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def findings_by_rule(url: str, round_id: int, vk: ViewerKey) -> pd.DataFrame:
    return queries.findings_by_rule(database(url), _v(vk), round_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def trend(url: str, vk: ViewerKey) -> pd.DataFrame:
    return queries.trend(database(url), _v(vk))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def most_improved(url: str, round_id: int, vk: ViewerKey) -> pd.DataFrame:
    return queries.most_improved(database(url), _v(vk), round_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def visible_units(url: str, round_id: int | None, vk: ViewerKey) -> pd.DataFrame:
    return queries.visible_units(database(url), _v(vk), round_id)


def clear() -> None:
    """After a write: every page shows the new state on its next run."""
    st.cache_data.clear()


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def ipv6_sites(url: str, round_id: int, vk: ViewerKey) -> pd.DataFrame:
    return queries.ipv6_sites(database(url), _v(vk), round_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def report_overview(url: str, round_id: int, vk: ViewerKey) -> pd.DataFrame:
    return queries.report_overview(database(url), _v(vk), round_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def media_accounts(url: str, round_id: int, vk: ViewerKey) -> pd.DataFrame:
    return queries.media_accounts(database(url), _v(vk), round_id)
