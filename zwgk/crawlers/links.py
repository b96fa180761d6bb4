"""Every URL a page links to or makes a browser load — and nothing that is only a hint.

A visitor meets a broken resource whether it is an ``<a href>``, a CSS
``background: url(…)``, one candidate of an ``srcset``, a ``<video><source>``, an
``<embed>``/``<object>``, an ``<input type=image>`` or the ``background``
attribute of an old table layout: all are extracted and checked.  Resource
*hints* (``<link rel=dns-prefetch|preconnect|prefetch|prerender>``) are not
resources: a font host's bare root answering 404 is no broken link, so they are
skipped.  Navigation that a handler performs (``onclick="window.open('…')"``,
``location.href='…'``) is extracted as an anchor with its text, because an
inspector clicks it like any other entry.

URLs are resolved against ``<base href>`` and canonicalised
(:func:`zwgk.crawlers.urls.normalise_url`), so one target written two ways is one link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from zwgk.crawlers.urls import resolve_link

# (selector, attribute, tag recorded on the Link).  Anchors come first: their text matters.
RESOURCE_SELECTORS: tuple[tuple[str, str, str], ...] = (
    ("a[href]", "href", "a"),
    ("area[href]", "href", "area"),
    ("iframe[src]", "src", "iframe"),
    ("frame[src]", "src", "frame"),
    ("img[src]", "src", "img"),
    ("script[src]", "src", "script"),
    ("embed[src]", "src", "embed"),
    ("object[data]", "data", "object"),
    ("video[src]", "src", "video"),
    ("video[poster]", "poster", "video"),
    ("audio[src]", "src", "audio"),
    ("source[src]", "src", "source"),
    ("track[src]", "src", "track"),
    ("input[src]", "src", "input"),
    ("[background]", "background", "background"),
)
SRCSET_SELECTORS = ("img[srcset]", "source[srcset]")
HINT_RELS = frozenset({"dns-prefetch", "preconnect", "prefetch", "prerender", "next", "prev"})
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.I)
# The first quoted URL-like string of a click handler: window.open('…'), location.href="…",
# location.assign('…'), a site's own openUrl('…') / goto("…").
_HANDLER_URL = re.compile(
    r"""(?:open|href|location|assign|replace|url|go(?:to)?|link|jump|redirect)\w*\s*[=(]\s*['"]"""
    r"""((?:https?://|/|\./|\.\./)[^'"\s]*|[\w\-./]+\.(?:s?html?|jsp|aspx?|php|do)(?:\?[^'"\s]*)?)['"]""",
    re.I,
)


@dataclass(slots=True)
class RawLink:
    """A link found on a page before it becomes a :class:`zwgk.model.Link`."""

    target: str
    tag: str
    node: LexborNode | None = None  # anchors and clickable elements: for text and region
    text: str = ""


def page_base(tree: LexborHTMLParser, url: str) -> str:
    node = tree.css_first("base[href]")
    if node is None:
        return url
    return resolve_link(url, node.attributes.get("href")) or url


def handler_target(base: str, handler: str | None) -> str | None:
    """The URL a click handler navigates to, when it names one plainly."""
    if not handler:
        return None
    match = _HANDLER_URL.search(handler)
    return resolve_link(base, match.group(1)) if match else None


def css_targets(base: str, css: str) -> list[str]:
    """URLs of ``url(…)`` and ``@import`` in a style sheet or style attribute."""
    out = []
    for match in _CSS_URL.finditer(css):
        raw = match.group(2) or match.group(4)
        target = resolve_link(base, raw)
        if target:
            out.append(target)
    return out


def srcset_targets(base: str, srcset: str) -> list[str]:
    """Every candidate URL of an ``srcset`` (``a.jpg 1x, b.jpg 2x``)."""
    out = []
    for candidate in srcset.split(","):
        raw = candidate.strip().split(" ", 1)[0]
        target = resolve_link(base, raw)
        if target:
            out.append(target)
    return out


def raw_links(tree: LexborHTMLParser, base: str) -> list[RawLink]:
    """Every link and loaded resource of the page, in document-kind order (anchors first)."""
    out: list[RawLink] = []
    for selector, attr, tag in RESOURCE_SELECTORS:
        for node in tree.css(selector):
            if tag == "input" and (node.attributes.get("type") or "").strip().lower() != "image":
                continue
            target = resolve_link(base, node.attributes.get(attr))
            if target is None:
                if tag == "a":  # href="#" / javascript:… with a handler naming a URL
                    target = handler_target(base, node.attributes.get("onclick"))
                if target is None:
                    continue
            out.append(RawLink(target, tag, node if tag in ("a", "area") else None))
    for node in tree.css("link[href]"):
        rels = set((node.attributes.get("rel") or "").lower().split())
        if rels & HINT_RELS:
            continue
        target = resolve_link(base, node.attributes.get("href"))
        if target:
            out.append(RawLink(target, "link"))
    for selector in SRCSET_SELECTORS:
        for node in tree.css(selector):
            out.extend(RawLink(t, "img") for t in srcset_targets(base, node.attributes.get("srcset") or ""))
    for node in tree.css("[style]"):
        style = node.attributes.get("style") or ""
        if "url(" in style.lower():
            out.extend(RawLink(t, "css") for t in css_targets(base, style))
    for node in tree.css("style"):
        out.extend(RawLink(t, "css") for t in css_targets(base, node.text() or ""))
    # Clickable elements that are not anchors but whose handler names a page (<li onclick=…>).
    for node in tree.css("[onclick]"):
        if node.tag in ("a", "area"):
            continue  # anchors with a handler were taken above
        target = handler_target(base, node.attributes.get("onclick"))
        if target:
            out.append(RawLink(target, "a", node))
    return out


def placeholder_anchors(tree: LexborHTMLParser, base: str) -> list[LexborNode]:
    """Anchors that lead nowhere by themselves (``#``, ``javascript:``, no href) and name no
    URL in a handler: homepage tabs and menu headings.  Their text still shows that a
    column exists, so navigation keeps them (without a URL)."""
    out = []
    for node in tree.css("a"):
        href = (node.attributes.get("href") or "").strip()
        if href and not href.startswith("#") and not href.lower().startswith("javascript"):
            continue
        if handler_target(base, node.attributes.get("onclick")):
            continue
        out.append(node)
    return out
