"""A safe rendering of an archived page: no scripts, no external requests, no navigation.

Archived pages are untrusted.  The rendering keeps the page's text and layout and
removes everything active: script-like elements, frames and plugins, ``<base>``,
``<link>``, every ``<meta http-equiv>`` (refresh would navigate), event-handler
attributes, ``javascript:``/``data:`` URLs, and every attribute that would load a
resource (``src``, ``srcset``, ``background``, ``poster``, ``style`` url()).  A
Content-Security-Policy allowing nothing external is put first in the document, so
a browser refuses scripts and requests even for anything the cleaning missed.
Links stay as text (``href`` removed): archived content is never followed.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; base-uri 'none'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
# Removed with their content:
_DROP = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "applet",
    "template",
    "portal",
    "svg",
    "math",
    "audio",
    "video",
    "canvas",
}
# Removed, their content kept (libxml2 treats some void elements, e.g. <embed>, as containers):
_UNWRAP = {"noscript", "object", "embed", "base", "link", "meta", "source", "track", "dialog", "param"}
_URL_ATTRS = {
    "src",
    "srcset",
    "href",
    "action",
    "formaction",
    "background",
    "poster",
    "data",
    "codebase",
    "lowsrc",
    "dynsrc",
    "ping",
    "longdesc",
    "cite",
    "manifest",
    "xmlns",
    "usemap",
}
_CSS_URL = re.compile(r"url\s*\([^)]*\)?|@import[^;]*;?|expression\s*\([^)]*\)?|image-set\s*\(", re.I)


def safe_html(text: str) -> str:
    """The page as inert HTML (see module doc), starting with the CSP meta element."""
    try:
        doc = lxml.html.document_fromstring(text or "<p></p>")
    except (etree.ParserError, ValueError):
        return f'<!doctype html><html><head>{CSP_META}<meta charset="utf-8"></head><body></body></html>'
    for el in list(doc.iter()):
        if not isinstance(el.tag, str):  # comments, processing instructions
            parent = el.getparent()
            if parent is not None:
                el.drop_tree()
            continue
        tag = el.tag.lower()
        if tag in _DROP or tag in _UNWRAP:
            if el.getparent() is not None:
                el.drop_tree() if tag in _DROP else el.drop_tag()
            continue
        for name in list(el.attrib):
            low = name.lower()
            if low.startswith("on") or low in _URL_ATTRS or ":" in low:
                del el.attrib[name]
            elif low == "style":
                el.attrib[name] = _CSS_URL.sub("none", el.attrib[name])
        if tag == "style" and el.text:
            el.text = _CSS_URL.sub("none", el.text)
    body = lxml.html.tostring(doc, encoding="unicode", method="html")
    body = re.sub(r"^\s*<html[^>]*>", "", body, flags=re.I)
    return f'<!doctype html><html><head>{CSP_META}<meta charset="utf-8"></head>{body}'
