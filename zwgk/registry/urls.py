"""Turning a registry's URL cell into one homepage URL, saying what was fixed.

Registries are typed by hand; the national export alone has URLs without a
scheme, with trailing spaces or tabs, full-width punctuation (``http：//``),
a missing slash (``http:/host``), ``Http://``, and several URLs in one cell
separated by ``,`` ``;`` ``，`` ``；`` spaces or parentheses.  We repair what has
one obvious reading and refuse the rest with a reason a person understands.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

# "http:/x", "http: //x", "http//x", "http:x" → "http://x" (after NFKC turned "：" into ":").
_SCHEME_FIX = re.compile(r"(?i)\b(https?)(?:\s*:\s*/*|/{1,3})\s*")
_SEPARATORS = re.compile(r"[\s,;()、|<>\"'{}]+")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(slots=True)
class UrlResult:
    """``url`` is the homepage to use, or ``None`` and ``reason`` says why not."""

    url: str | None
    fixes: list[str] = field(default_factory=list)
    reason: str = ""


def _valid_host(host: str) -> bool:
    """A DNS name with a dot and an alphabetic TLD, or an IP address."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return False
    tld = labels[-1]
    return tld.isalpha() or tld.startswith("xn--")


def _candidate(text: str) -> tuple[str | None, list[str]]:
    """One token → a clean absolute http(s) URL (or None and why), with its fixes.

    On failure the list holds one entry: the reason.
    """
    fixes: list[str] = []
    token = text.strip()
    if "://" not in token:
        token = "http://" + token
        fixes.append("added http://")
    try:
        parts = urlsplit(token)
        port = parts.port
    except ValueError as exc:
        return None, [f"it is not a valid address ({exc})"]
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None, [f"{parts.scheme}:// is not a web address (http/https)"]
    if not token.startswith(scheme + "://"):
        fixes.append(f"scheme {token.split(':', 1)[0]}:// → {scheme}://")
    host = parts.hostname or ""
    if parts.username or parts.password:
        return None, ["it carries a user name or password"]
    if not _valid_host(host):
        return None, [f"{host or 'the host'!r} is not a domain name or IP address" if host else "it has no host name"]
    written = parts.netloc.rsplit("@", 1)[-1]
    if written != written.lower():
        fixes.append("host lowercased")
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port is not None else "")
    path = parts.path or "/"
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
        fixes.append("duplicate slashes in path removed")
    if "#" in token:
        fixes.append(f"fragment {token[token.index('#') :]} dropped (browsers never send it)")
    return urlunsplit((scheme, netloc, path, parts.query, "")), fixes


def normalise_url(cell: str | None, column: str = "site_url") -> UrlResult:
    """The first usable http(s) URL of ``cell``; notes every repair applied.

    ``column`` names the column in reasons (``首页网址`` for the national export).
    """
    raw = "" if cell is None else str(cell)
    if not raw.strip():
        return UrlResult(None, reason=f"{column} is empty")
    fixes: list[str] = []
    text = unicodedata.normalize("NFKC", raw)  # full-width ：/，；（ and U+3000/U+00A0 → ASCII
    if re.sub(r"\s", "", text) != re.sub(r"\s", "", raw):
        fixes.append("full-width characters converted")
    if raw != raw.strip():
        fixes.append("surrounding whitespace removed")
    text = text.strip()
    repaired = _SCHEME_FIX.sub(lambda m: m.group(1) + "://", text)
    if repaired != text:
        fixes.append("malformed scheme separator repaired")
    # A scheme separator glued to the previous URL ("a.gov.cnhttp://b") splits too.
    tokens = [t for t in _SEPARATORS.split(re.sub(r"(?i)(?<=\S)(https?://)", r" \1", repaired)) if t]
    found: list[tuple[str, list[str]]] = []
    rejected: list[str] = []
    why = ""
    for token in tokens:
        url, token_fixes = _candidate(token)
        if url:
            found.append((url, token_fixes))
        else:
            rejected.append(token)
            why = why or token_fixes[0]
    if not found:
        shown = raw.strip()
        if len(shown) > 80:
            shown = shown[:77] + "…"
        detail = f": {why}" if len(tokens) == 1 and why else ""
        return UrlResult(None, reason=f"{column} {shown!r} holds no usable http(s) web address{detail}")
    url, token_fixes = found[0]
    fixes.extend(token_fixes)
    if len(found) > 1:
        others = ", ".join(u for u, _ in found[1:])
        fixes.append(f"{len(found)} URLs in the cell: used the first, ignored {others}")
    if rejected:
        fixes.append("ignored text " + " ".join(repr(t) for t in rejected))
    elif len(found) == 1 and _SEPARATORS.search(repaired):
        fixes.append("stray separators removed")
    return UrlResult(url, fixes)
