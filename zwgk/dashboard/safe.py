"""Showing untrusted (crawled) text safely.

Titles, URLs and messages come from government websites we do not control, so
they are shown as text: in dataframes (rendered as text by the grid), with
``st.text``, or through :func:`md_escape` when they must sit in Markdown.
``unsafe_allow_html`` is never used.  Links are made only for http(s) URLs,
so ``javascript:`` or ``data:`` targets are never clickable.
"""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import urlsplit

import streamlit as st

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=])")
MAX_URL = 2048


def http_url(value: object) -> str | None:
    """``value`` if it is a well-formed http(s) URL with a host, else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > MAX_URL or any(c in url for c in "\r\n\t\x00 "):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


# GFM turns bare "http://…", "www.…" and "a@b.cn" into links even when their punctuation is
# backslash-escaped; an invisible WORD JOINER after the trigger breaks the pattern.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|www|@)")
WORD_JOINER = "\u2060"


def md_escape(text: object) -> str:
    """Escape every Markdown/HTML-significant character so the text renders literally.

    Also defuses GFM autolinks (a crawled URL in a message must not become clickable text).
    """
    s = "" if text is None else str(text)
    s = s.replace("\r", " ").replace("\n", " ")
    s = _AUTOLINK.sub(lambda m: m.group(1) + WORD_JOINER, s)
    return _MD_SPECIAL.sub(r"\\\1", s)


def chart_label(text: object) -> str:
    """A label for Plotly (which renders a subset of HTML in text): angle brackets made harmless."""
    s = "" if text is None else str(text)
    return s.replace("<", "‹").replace(">", "›").replace("&", "＆")


# --------------------------------------------------------------------------- the one way text reaches the page
#
# Every view shows dynamic text through these wrappers (never ``st.markdown`` / ``st.error``
# with a formatted string): they escape with :func:`md_escape`, so a unit name, a crawled
# title or a URL parameter is shown literally, never as a link, an image or formatting.

LOG = logging.getLogger("zwgk.dashboard")


def plain(text: object) -> str:
    """``text`` escaped for any Streamlit element that renders Markdown (the one escaping helper)."""
    return md_escape(text)


def error(text: object) -> None:
    st.error(plain(text))


def warning(text: object) -> None:
    st.warning(plain(text))


def info(text: object) -> None:
    st.info(plain(text))


def success(text: object) -> None:
    st.success(plain(text))


def caption(text: object) -> None:
    st.caption(plain(text))


def subheader(text: object) -> None:
    st.subheader(plain(text))


def reference_id() -> str:
    """A short id that a person can read out on the phone and an administrator can grep for."""
    return secrets.token_hex(4).upper()


def refused(what: str = "该页面或单位") -> str:
    """Access refused or the unit unknown: one message for both (no probing which ids exist)."""
    ref = reference_id()
    LOG.info("refused %s (ref %s)", what, ref)
    error(f"没有找到{what}，或您无权查看。（参考编号 {ref}）")
    return ref


def internal_error(exc: BaseException) -> str:
    """An unexpected error: the traceback goes to the server log under a reference id only."""
    ref = reference_id()
    LOG.error("dashboard error (ref %s)", ref, exc_info=(type(exc), exc, exc.__traceback__))
    error(f"系统内部错误，请稍后重试或联系管理员。（参考编号 {ref}）")
    return ref
