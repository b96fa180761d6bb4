"""The archived pages behind a finding: ``zwgk evidence`` and the dashboard's evidence view.

For each finding the pages it names (its page, its subject when that is a URL, and
every URL in its evidence) plus the site's homepage are looked up in the round's
archive index, redirects followed, and written out as:

* ``NNN.source.txt`` / ``.source.bin`` — the body exactly as received (never ``.html``:
  opening evidence must not run the site's scripts);
* ``NNN.headers.txt`` — status line and response headers as received;
* ``NNN.safe.html`` — an inert rendering (``zwgk.archive.sanitize``) for HTML pages;
* ``index.json`` and ``索引.txt`` — which finding each page backs, fetch time, status,
  and where its WARC record lives; ``--warc`` adds ``evidence.warc.gz`` with the
  original records (and, for revisits, the records holding their payload).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk.archive import warc
from zwgk.archive.sanitize import safe_html
from zwgk.crawlers.decode import decode_body
from zwgk.crawlers.urls import resolve_link
from zwgk.model import ZwgkError
from zwgk.storage import archive as archive_store
from zwgk.storage.archive import ArchiveRecord
from zwgk.storage.db import Database

TEXT_TYPES = ("text/", "application/xhtml", "application/json", "application/xml", "application/javascript")


@dataclass(slots=True)
class ArchivedPage:
    """One archived URL as the assessor saw it (body untrusted)."""

    url: str
    record: ArchiveRecord
    status: int | None
    fetched_at: dt.datetime | None
    protocol: str
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    content_type: str
    text: str | None  # decoded body for text types
    notes: dict[str, Any] = field(default_factory=dict)
    judged_outcome: str = ""  # the crawl's verdict on the page (a 200 may be a soft-404: broken)
    judged_error: str = ""

    @property
    def is_html(self) -> bool:
        ctype = self.content_type.split(";", 1)[0].strip().lower()
        return self.text is not None and (ctype.startswith(("text/html", "application/xhtml")) or ctype == "")

    def header_text(self) -> str:
        if self.record.record_type == "metadata":
            return json.dumps(self.notes, ensure_ascii=False, indent=1)
        lines = [f"{self.protocol} {self.status or ''} {self.reason}".strip()]
        lines += [f"{k}: {v}" for k, v in self.headers]
        return "\n".join(lines) + "\n"

    def safe_rendering(self) -> str | None:
        return safe_html(self.text or "") if self.is_html else None


def load_page(root: Path, record: ArchiveRecord) -> ArchivedPage:
    """Read ``record`` (resolving a revisit to the record holding its payload)."""
    head = warc.read_record(root, record.warc_file, record.offset, record.length)
    if head.record_type == "metadata":
        return ArchivedPage(
            record.url,
            record,
            record.status,
            head.date or record.fetched_at,
            "",
            "",
            [],
            b"",
            "",
            None,
            head.metadata or {},
        )
    body = head.body
    if record.record_type == "revisit" and record.refers_file is not None:
        body = warc.read_record(root, *record.payload_location).body
    content_type = head.header("content-type")
    ctype = content_type.split(";", 1)[0].strip().lower()
    text = None
    if not ctype or ctype.startswith(TEXT_TYPES):
        text, _charset = decode_body(body, content_type or None)
    return ArchivedPage(
        record.url,
        record,
        head.status,
        head.date or record.fetched_at,
        head.protocol,
        head.reason,
        head.headers,
        body,
        content_type,
        text,
    )


def urls_in(value: Any) -> Iterable[str]:
    """Every http(s) URL string inside a finding's evidence (nested dicts and lists)."""
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from urls_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from urls_in(item)


def finding_urls(finding: Any, homepage: str) -> list[str]:
    """The URLs a finding rests on, homepage first, in a stable order."""
    urls = [homepage, finding.page, finding.subject, *urls_in(finding.evidence)]
    return list(dict.fromkeys(u for u in urls if isinstance(u, str) and u.startswith(("http://", "https://"))))


def with_redirects(urls: list[str], records: dict[str, ArchiveRecord], root: Path, hops: int = 6) -> list[str]:
    """``urls`` that were archived, each followed by the redirect targets it led to."""
    out: list[str] = []
    for url in urls:
        current = url
        for _ in range(hops):
            rec = records.get(current)
            if rec is None or current in out:
                break
            out.append(current)
            if rec.record_type != "response" or rec.status not in (301, 302, 303, 307, 308):
                break
            location = warc.read_record(root, rec.warc_file, rec.offset, rec.length).header("location")
            target = resolve_link(current, location) if location else None
            if not target:
                break
            current = target
    return out


@dataclass(slots=True)
class EvidenceSet:
    round_name: str
    unit_id: str
    unit_name: str
    homepage: str
    findings: list[dict[str, Any]]
    pages: list[ArchivedPage]
    root: Path


def collect(
    db: Database, round_name: str, unit_id: str, rule: str | None = None, subject: str | None = None
) -> EvidenceSet:
    """The archived pages behind a unit's findings (one finding with ``rule``+``subject``)."""
    from zwgk.archive.recorder import round_archive_root
    from zwgk.storage.registry import get_unit
    from zwgk.storage.results import list_findings
    from zwgk.storage.rounds import require_round
    from zwgk.storage.snapshot import load_snapshot

    info = require_round(db, round_name)
    unit = get_unit(db, unit_id)
    if unit is None:
        raise ZwgkError(f"no unit {unit_id!r} in the registry of {db.url}")
    findings = [f for f in list_findings(db, info.id, unit_id, rule) if subject is None or f.subject == subject]
    if (rule or subject) and not findings:
        known = "; ".join(f"{f.rule} {f.subject}" for f in list_findings(db, info.id, unit_id)) or "none"
        raise ZwgkError(
            f"round {round_name!r} has no finding {rule or ''} {subject or ''} for unit {unit_id}; its findings: {known}"
        )
    records = archive_store.site_records(db, info.id, unit_id)
    if not records:
        raise ZwgkError(
            f"round {round_name!r} archived nothing for unit {unit_id} (run with --archive none, or before zwgk "
            "archived rounds)"
        )
    root = round_archive_root(db, info)
    snapshot = load_snapshot(db, info.id, unit, info.as_of)
    homepage = snapshot.homepage
    wanted: list[str] = [homepage] if homepage in records else []
    described: list[dict[str, Any]] = []
    for f in findings:
        urls = with_redirects(finding_urls(f, homepage), records, root)
        described.append(
            {
                "rule": f.rule,
                "subject": f.subject,
                "message": f.message,
                "page": f.page,
                "points": f.points,
                "severity": f.severity,
                "urls": urls,
                "not_archived": [u for u in finding_urls(f, homepage) if u not in records],
            }
        )
        wanted.extend(urls)
    if not findings and homepage not in records:
        wanted.extend(with_redirects([homepage], records, root))
    pages = [load_page(root, records[u]) for u in dict.fromkeys(wanted)]
    for page in pages:
        seen = snapshot.pages.get(page.url)
        page.judged_outcome = seen.outcome if seen is not None else page.record.outcome
        page.judged_error = (seen.error if seen is not None else page.record.error) or ""
    return EvidenceSet(info.name, unit_id, unit.name, homepage, described, pages, root)


def write_evidence(ev: EvidenceSet, out: Path, with_warc: bool = False) -> dict[str, Any]:
    """Write the files, ``index.json`` and ``索引.txt`` (and ``evidence.warc.gz``) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    for n, page in enumerate(ev.pages, 1):
        stem = f"{n:03d}"
        source = f"{stem}.source.txt" if page.text is not None else f"{stem}.source.bin"
        (out / source).write_bytes(page.body)
        (out / f"{stem}.headers.txt").write_text(page.header_text(), encoding="utf-8")
        safe = page.safe_rendering()
        if safe is not None:
            (out / f"{stem}.safe.html").write_text(safe, encoding="utf-8")
        rec = page.record
        entries.append(
            {
                "n": n,
                "url": page.url,
                "status": page.status,
                "outcome": page.judged_outcome or rec.outcome,
                "error": page.judged_error,
                "fetch_outcome": rec.outcome,
                "fetch_error": rec.error,
                "fetched_at": page.fetched_at.isoformat() + "Z" if page.fetched_at else None,
                "content_type": page.content_type,
                "bytes": len(page.body),
                "truncated": rec.truncated,
                "payload_digest": rec.payload_digest,
                "source": source,
                "headers": f"{stem}.headers.txt",
                "safe_rendering": f"{stem}.safe.html" if safe is not None else None,
                "warc": {
                    "file": rec.warc_file,
                    "offset": rec.offset,
                    "length": rec.length,
                    "type": rec.record_type,
                    "payload_in": list(rec.payload_location) if rec.record_type == "revisit" else None,
                },
                "is_homepage": page.url == ev.homepage,
            }
        )
    index = {
        "round": ev.round_name,
        "unit_id": ev.unit_id,
        "unit_name": ev.unit_name,
        "homepage": ev.homepage,
        "archive_dir": str(ev.root),
        "findings": ev.findings,
        "pages": entries,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if with_warc:
        index["warc"] = "evidence.warc.gz"
        export_warc(ev, out / "evidence.warc.gz")
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "索引.txt").write_text(readable_index(index), encoding="utf-8")
    return index


def readable_index(index: dict[str, Any]) -> str:
    """The index for a person: plain text, Chinese labels (crawled text stays text)."""
    lines = [
        f"证据包  轮次 {index['round']}  单位 {index['unit_name']}（{index['unit_id']}）",
        f"首页 {index['homepage']}",
        f"存档目录 {index['archive_dir']}",
        "",
        "问题及其依据页面：",
    ]
    by_url = {p["url"]: p for p in index["pages"]}
    for f in index["findings"]:
        lines.append(f"- {f['rule']}  {f['subject']}")
        lines.append(f"  {f['message']}")
        for url in f["urls"]:
            p = by_url.get(url)
            if p:
                lines.append(f"  [{p['n']:03d}] {url}  状态 {p['status'] or '-'}  抓取时间 {p['fetched_at'] or '-'}")
        for url in f["not_archived"]:
            lines.append(f"  [未存档] {url}")
    lines += ["", "页面文件："]
    for p in index["pages"]:
        note = f"  {p['error']}" if p["error"] else ""
        lines.append(
            f"[{p['n']:03d}] {p['url']}\n      状态 {p['status'] or '-'}（{p['outcome']}）{note}  抓取时间 {p['fetched_at'] or '-'}"
            f"\n      原文 {p['source']}  响应头 {p['headers']}"
            + (f"  安全预览 {p['safe_rendering']}" if p["safe_rendering"] else "")
            + f"\n      WARC {p['warc']['file']} @ {p['warc']['offset']} (+{p['warc']['length']})"
        )
    lines += ["", "说明：原文按抓取时原样保存（不含脚本执行）；安全预览已去除脚本、外部请求与链接跳转。"]
    return "\n".join(lines) + "\n"


def export_warc(ev: EvidenceSet, path: Path) -> None:
    """A WARC of the evidence: the original records' bytes, revisit payloads included."""
    spans: list[tuple[str, int, int]] = []
    for page in ev.pages:
        rec = page.record
        if rec.record_type == "revisit" and rec.refers_file is not None:
            spans.append(rec.payload_location)  # the payload first, as in the original crawl
        spans.append((rec.warc_file, rec.offset, rec.length + rec.request_length))
    file = warc.WarcFile(path)
    file.start(
        {
            "software": "zwgk evidence",
            "format": "WARC File Format 1.1",
            "description": f"evidence, round {ev.round_name}, unit {ev.unit_id}",
        }
    )
    seen: set[tuple[str, int]] = set()
    with open(path, "ab") as fh:
        for name, offset, length in spans:
            if (name, offset) in seen:
                continue
            seen.add((name, offset))
            fh.write(warc.read_bytes(ev.root, name, offset, length))
