"""One page as zwgk reads it: the same extraction and the same column recognition a round uses.

Evaluators use this to see why zwgk said something ("why is 政策解读 missing?", "which
date did you take?"), so it must never disagree with a round: it calls the crawler's
:func:`zwgk.crawlers.extract.extract_page` and the rubric's
:class:`zwgk.columns.ColumnVocabulary`, nothing of its own.  The keys of
:func:`inspect_html`'s result are a public interface (docs/architecture.md).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from zwgk.columns import INTERPRETATION_WORDS, ColumnVocabulary
from zwgk.crawlers.extract import extract_page, has_search_box
from zwgk.text import normalise

INTERP_WORDS = INTERPRETATION_WORDS
WEAK_DATE_SOURCES = ("url", "element:")


def date_confidence(source: str) -> str:
    """``strong`` for a labelled or meta date; ``review`` for one read from the URL or an unlabelled element."""
    return "review" if source.startswith(WEAK_DATE_SOURCES) else "strong"


def inspect_html(url: str, html: str, kind: str, vocabulary: ColumnVocabulary) -> dict[str, Any]:
    """What zwgk reads from ``html`` (fetched from ``url``) as a page of ``kind``."""
    ex = extract_page(url, html, kind, want_dates=True)
    facts = ex.facts
    navigation = []
    columns: dict[str, list[str]] = {}
    for entry in facts.get("nav") or []:
        match = vocabulary.match(entry.get("text"))
        row = {
            **entry,
            "column": match.column if match else None,
            "match": match.method if match else None,
            "matched": match.matched if match else None,
        }
        navigation.append(row)
        if match:
            columns.setdefault(match.column, [])
            if entry["text"] not in columns[match.column]:
                columns[match.column].append(entry["text"])
    related = facts.get("related") or []
    interp_links = [r for r in related if any(w in normalise(r.get("text") or "") for w in INTERP_WORDS)]
    tree = LexborHTMLParser(html)
    items = facts.get("items")
    pages = facts.get("pagination")
    if items is None:  # list facts for any kind: is this page a list?
        column_view = extract_page(url, html, "column")
        items, pages = column_view.facts.get("items") or [], column_view.facts.get("pagination") or []
    return {
        "url": url,
        "kind": kind,
        "title": ex.title,
        "pub_date": {
            "date": ex.pub_date.isoformat() if ex.pub_date else None,
            "source": ex.date_source,
            "confidence": date_confidence(ex.date_source) if ex.pub_date else None,
        },
        "dates": facts.get("dates") or {},
        "doc_number": facts.get("doc_number") or "",
        "footer": facts.get("footer") or {},
        "meta": facts.get("meta") or {},
        "navigation": navigation,
        "columns": columns,
        "list": {
            "items": items,
            "pagination": pages,
            "is_list": len([i for i in items if i.get("date")]) >= 3 or bool(pages),
        },
        "related": related,
        "interpretation_links": interp_links,
        "is_interpretation": bool(facts.get("is_interpretation")),
        "search": has_search_box(tree) if "search" not in facts else bool(facts["search"]),
        "soft404": bool(ex.soft404),
        "links": len(ex.links),
        "resources": dict(Counter(link.tag for link in ex.links)),
        "annual_report": annual_report(ex.title, html, ex.links),
    }


def annual_report(title: str, html: str, links: list[Any]) -> dict[str, Any] | None:
    """A 年报 page's sections and tables as a round reads them from the page (the crawler's
    :mod:`zwgk.crawlers.annual_report`); its PDF / DOCX attachments are listed, not fetched."""
    from zwgk.crawlers.annual_report import (
        DOCUMENT_EXTENSIONS,
        html_rows,
        looks_like_report,
        parse_rows,
    )
    from zwgk.crawlers.urls import extension

    year = looks_like_report(title)
    if year is None:
        return None
    rows, images = html_rows(html)
    report = parse_rows(rows, source="html", images=images)
    report["year"] = year
    report["attachments"] = sorted(
        {link.target for link in links if link.tag == "a" and extension(link.target) in DOCUMENT_EXTENSIONS}
    )
    return report
