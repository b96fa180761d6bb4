"""Turning response bytes into text: header charset, then <meta>, then detection.

Lexbor (selectolax) mangles raw GBK bytes, so pages are always decoded here
first and parsed as ``str``.  GBK and GB2312 are decoded as GB18030 (their
superset): real county sites label GB18030-only characters as gb2312.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_CHINESE_SUPERSET = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
    "x-euc-cn": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
}


def normalise_charset(name: str | None) -> str | None:
    """A Python codec name for ``name`` (GBK family → gb18030), or None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    label = _CHINESE_SUPERSET.get(label, label)
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    return _CHINESE_SUPERSET.get(codec, codec)


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^;\"'\s]+)", content_type, re.I)
    return match.group(1) if match else None


def sniff_meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``body``; returns ``(text, charset_used)``.

    A body that is valid UTF-8 (with non-ASCII bytes) is UTF-8 whatever the
    labels say: GBK text is practically never valid UTF-8, while mislabelled
    UTF-8 pages are common.  Otherwise: HTTP header charset → ``<meta>`` →
    charset_normalizer detection → GB18030, each tried strictly before the
    next; the last resort decodes with replacement characters.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace"), "utf-8"
    declared = [normalise_charset(c) for c in (charset_from_content_type(content_type), sniff_meta_charset(body))]
    try:
        # final=False: a body cut at the size cap may end inside a character
        text = codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        pass
    else:
        if not body.isascii() or not any(declared):
            return text, "utf-8"
    for codec in declared:
        if codec:
            try:
                return codecs.getincrementaldecoder(codec)().decode(body, final=False), codec
            except (UnicodeDecodeError, LookupError):
                continue
    codec = None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:65536]).best()
        codec = normalise_charset(best.encoding) if best else None
    except Exception:  # noqa: BLE001 — detection is a best effort; fall through to GB18030
        codec = None
    if codec:
        try:
            return body.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            pass
    fallback = next((c for c in declared if c), None) or "gb18030"
    return body.decode(fallback, "replace"), fallback
