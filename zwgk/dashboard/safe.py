"""Showing untrusted (crawled) text safely.

Titles, URLs and messages come from government websites we do not control, so
they are shown as text: in dataframes (rendered as text by the grid), with
``st.text``, or through :func:`md_escape` when they must sit in Markdown.
``unsafe_allow_html`` is never used.  Links are made only for http(s) URLs,
so ``javascript:`` or ``data:`` targets are never clickable.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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


def md_escape(text: object) -> str:
    """Escape every Markdown/HTML-significant character so the text renders literally."""
    s = "" if text is None else str(text)
    s = s.replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", s)


def chart_label(text: object) -> str:
    """A label for Plotly (which renders a subset of HTML in text): angle brackets made harmless."""
    s = "" if text is None else str(text)
    return s.replace("<", "‹").replace(">", "›").replace("&", "＆")
