"""WARC records (ISO 28500, WARC/1.1) written and read with ``warcio``.

Every record is its own gzip member, so a record is read back by seeking to its
offset and reading ``length`` bytes, and records can be copied between files
byte for byte.  The body is kept as the crawler received it after HTTP
transfer/content decoding (aiohttp decodes gzip/br while reading): the response's
``Content-Encoding``, ``Transfer-Encoding`` and ``Content-Length`` headers are
therefore kept under ``X-Archive-Orig-…`` names (the convention of pywb and
warcprox) and ``Content-Length`` states the stored length, so any WARC reader
replays the page correctly.  A body cut at the crawler's cap carries
``WARC-Truncated: length``.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from zwgk.model import ZwgkError

WARC_VERSION = "1.1"
ORIG_PREFIX = "X-Archive-Orig-"
_RENAMED = ("content-encoding", "transfer-encoding", "content-length")
REVISIT_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
REVISIT_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
_UNSAFE = re.compile(r"[^0-9A-Za-z_.-]+")


def safe_name(text: str) -> str:
    """A file-name-safe form of a unit id or round name (never a path separator)."""
    return _UNSAFE.sub("_", text).strip("._") or "x"


def payload_digest(body: bytes) -> str:
    """``sha1:BASE32`` — the form warcio, Heritrix and wget write in WARC-Payload-Digest."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def stored_headers(raw: list[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    """Response headers as received, with the encoding headers renamed (see module doc)."""
    out: list[tuple[str, str]] = []
    for name, value in raw:
        if name.lower() in _RENAMED:
            out.append((ORIG_PREFIX + name, value))
        else:
            out.append((name, value))
    out.append(("Content-Length", str(body_length)))
    return out


def original_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Undo :func:`stored_headers`: the header list the server sent."""
    out: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower().startswith(ORIG_PREFIX.lower()):
            out.append((name[len(ORIG_PREFIX) :], value))
        elif name.lower() == "content-length":
            continue
        else:
            out.append((name, value))
    return out


class WarcFile:
    """Appends records to one ``.warc.gz`` file; each write returns (offset, length).

    The file is opened per write (append) rather than held open: a national round
    has tens of thousands of site files and a crawl keeps none of them busy for long.
    """

    def __init__(self, path: Path):
        self.path = path

    def start(self, info: dict[str, Any]) -> None:
        """Create the file afresh with its warcinfo record (a re-crawled site starts over)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "wb") as fh:
            fh.write(member(builder().create_warcinfo_record(self.path.name, info)))

    def append(self, *records: Any) -> list[tuple[int, int]]:
        """Write records one after the other; (offset, length) of each gzip member."""
        members = [member(record) for record in records]
        spans: list[tuple[int, int]] = []
        with open(self.path, "ab") as fh:
            for data in members:
                start = fh.tell()
                fh.write(data)
                spans.append((start, len(data)))
        return spans


def member(record: Any) -> bytes:
    """One record as its own gzip member.  Level 6, not warcio's 9: as small within a few per
    cent and several times faster, which matters on multi-megabyte pages."""
    raw = io.BytesIO()
    WARCWriter(raw, gzip=False, warc_version=WARC_VERSION).write_record(record)
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0)


def builder() -> WARCWriter:
    """A record factory (writes nothing itself)."""
    return WARCWriter(io.BytesIO(), gzip=True, warc_version=WARC_VERSION)


def response_record(
    b: WARCWriter,
    uri: str,
    protocol: str,
    status: int,
    reason: str,
    headers: list[tuple[str, str]],
    body: bytes,
    truncated: bool,
    digest: str = "",
) -> Any:
    http = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol)
    warc_headers = {"WARC-Payload-Digest": digest or payload_digest(body)}  # hashed once
    if truncated:
        warc_headers["WARC-Truncated"] = "length"
    return b.create_warc_record(
        uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=http, warc_headers_dict=warc_headers
    )


def revisit_record(
    b: WARCWriter,
    uri: str,
    protocol: str,
    status: int,
    reason: str,
    headers: list[tuple[str, str]],
    digest: str,
    refers: dict[str, Any] | None,
    profile: str,
) -> Any:
    """A revisit: headers only; the payload is the record named by ``refers``."""
    http = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol)
    if refers is not None and profile == REVISIT_IDENTICAL:
        record = b.create_revisit_record(uri, digest, refers["uri"], refers["date"], http_headers=http)
        record.rec_headers.replace_header("WARC-Profile", profile)
    else:
        record = b.create_warc_record(uri, "revisit", http_headers=http, warc_headers_dict={"WARC-Profile": profile})
        if refers is not None:
            record.rec_headers.add_header("WARC-Refers-To-Target-URI", refers["uri"])
            record.rec_headers.add_header("WARC-Refers-To-Date", refers["date"])
    if refers is not None and refers.get("record_id"):
        record.rec_headers.add_header("WARC-Refers-To", refers["record_id"])
    return record


def request_record(
    b: WARCWriter, uri: str, request_line: str, headers: list[tuple[str, str]], concurrent_to: str
) -> Any:
    http = StatusAndHeaders(request_line, headers, is_http_request=True)
    return b.create_warc_record(
        uri, "request", http_headers=http, warc_headers_dict={"WARC-Concurrent-To": concurrent_to}
    )


def metadata_record(b: WARCWriter, uri: str, data: dict[str, Any]) -> Any:
    """What happened to a fetch that got no HTTP response (DNS, refused, timeout, policy)."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return b.create_warc_record(
        uri, "metadata", payload=io.BytesIO(payload), length=len(payload), warc_content_type="application/json"
    )


def record_id(record: Any) -> str:
    return record.rec_headers.get_header("WARC-Record-ID") or ""


def record_date(record: Any) -> str:
    return record.rec_headers.get_header("WARC-Date") or ""


@dataclass(slots=True)
class ArchivedResponse:
    """A record read back: what the server answered, as the assessor saw it."""

    uri: str
    record_type: str
    date: dt.datetime | None
    protocol: str
    status: int | None
    reason: str
    headers: list[tuple[str, str]]  # as stored (encoding headers renamed)
    body: bytes
    truncated: bool
    metadata: dict[str, Any] | None = None

    def header(self, name: str) -> str:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return ""


def read_bytes(root: Path, file: str, offset: int, length: int) -> bytes:
    path = (root / file).resolve()
    if root.resolve() not in path.parents:
        raise ZwgkError(f"archive record path {file!r} leaves the archive directory {root}")
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read(length)
    except FileNotFoundError:
        raise ZwgkError(f"WARC file {path} is missing (archive directory {root}); was it moved?") from None
    if len(data) != length:
        raise ZwgkError(f"WARC file {path} ends before the record at offset {offset} (+{length} bytes)")
    return data


def read_record(root: Path, file: str, offset: int, length: int) -> ArchivedResponse:
    """Parse the one record stored at ``file``/``offset``/``length``."""
    data = read_bytes(root, file, offset, length)
    for record in ArchiveIterator(io.BytesIO(data), check_digests=False):
        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
        date_text = record.rec_headers.get_header("WARC-Date")
        date = iso_date_to_datetime(date_text) if date_text else None
        truncated = bool(record.rec_headers.get_header("WARC-Truncated"))
        if record.rec_type == "metadata":
            meta = json.loads(record.raw_stream.read().decode("utf-8"))
            return ArchivedResponse(uri, "metadata", date, "", meta.get("status"), "", [], b"", False, meta)
        http = record.http_headers
        body = record.raw_stream.read()
        status_text = http.get_statuscode() if http is not None else ""
        status = int(status_text) if status_text and status_text.isdigit() else None
        reason = http.statusline.partition(" ")[2] if http is not None else ""
        return ArchivedResponse(
            uri,
            record.rec_type,
            date,
            http.protocol if http is not None else "",
            status,
            reason,
            list(http.headers) if http is not None else [],
            body,
            truncated,
        )
    raise ZwgkError(f"no WARC record at {file} offset {offset}")
