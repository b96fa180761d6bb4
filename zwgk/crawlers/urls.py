"""URL helpers: normalisation, same-site test, attachment and trap patterns."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

IGNORED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "ftp:")
ATTACHMENT_EXTENSIONS = frozenset(
    [
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "wps",
        "et",
        "dps",
        "ofd",
        "zip",
        "rar",
        "7z",
        "txt",
        "csv",
        "xml",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "bmp",
        "tif",
        "tiff",
        "mp3",
        "mp4",
        "avi",
        "wmv",
        "flv",
        "swf",
        "apk",
        "exe",
    ]
)
HTML_EXTENSIONS = frozenset(["html", "htm", "shtml", "shtm", "xhtml", "jsp", "asp", "aspx", "php", "do", "action"])
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str) -> str:
    """Canonical form used as the snapshot key: no fragment, lower-case host, no default port, '/' path."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = _canonical_escapes(parts.path or "/", _PATH_SAFE)
    query = _canonical_escapes(parts.query, _QUERY_SAFE) if parts.query else ""
    return urlunsplit((scheme, netloc, path, query, ""))


_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"


def _escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _canonical_escapes(component: str, safe: str) -> str:
    """One spelling per URL (RFC 3986 §6.2.2): escapes of unreserved characters decoded,
    other escapes upper-case, raw non-ASCII and spaces escaped as UTF-8 — so the same
    target written two ways (``/%7euser/文件.pdf`` and ``/~user/%E6%96%87%E4%BB%B6.pdf``)
    is checked once."""
    if "%" in component:
        component = _PERCENT.sub(_escape, component)
    if component.isascii() and " " not in component:
        return component
    return quote(component, safe=safe, encoding="utf-8", errors="strict")


def resolve_link(base: str, href: str | None) -> str | None:
    """Absolute, normalised URL of ``href`` seen on ``base``; None for javascript:/mailto:/#…

    Every crawled page repeats its navigation and footer links, and resolving a
    link is a third of the cost of extracting a page, so results are memoised
    under the part of ``base`` that decides them (see ``_join_scope``).
    """
    if not href:
        return None
    href = href.strip().replace("\\", "/")
    if not href or href.startswith("#"):
        return None
    scope = _join_scope(base, href)
    if scope is None:
        return _resolve(base, href)
    return _resolve_in_scope(scope, href, base)


def _resolve(base: str, href: str) -> str | None:
    lower = href.lower()
    if lower.startswith(IGNORED_SCHEMES):
        return None
    try:
        absolute = urljoin(base, href)
    except ValueError:
        return None
    if not absolute.lower().startswith(("http://", "https://")):
        return None
    try:
        return normalise_url(absolute)
    except ValueError:
        return None


# (scope, href) → resolved URL.  A plain dict, emptied when full: bounded memory, safe to share
# between threads (each entry is a pure function of its key), no per-call locking.
_RESOLVED: dict[tuple[str, str], str | None] = {}
_RESOLVED_MAX = 32768


def _resolve_in_scope(scope: str, href: str, base: str) -> str | None:
    key = (scope, href)
    try:
        return _RESOLVED[key]
    except KeyError:
        pass
    value = _resolve(base, href)
    if len(_RESOLVED) >= _RESOLVED_MAX:
        _RESOLVED.clear()
    _RESOLVED[key] = value
    return value


_UNSAFE_FOR_SCOPE = re.compile(r"[\x00-\x20\x7f]")


def _join_scope(base: str, href: str) -> str | None:
    """A prefix of ``base`` that alone decides ``urljoin(base, href)``; None when unsure.

    absolute ``http(s)://host…`` hrefs: the base's scheme; ``/…`` and ``//host…``:
    scheme and authority; a relative path without ``:`` and not starting with
    ``?`` or ``;``: the base up to the last ``/`` of its path.  Anything else
    (``?q``, ``//``, ``http:///x``, other schemes, control characters, odd bases)
    is resolved uncached.  A finer scope than needed only costs cache hits; a
    coarser one would be a bug, hence the conservative rules.
    """
    if _UNSAFE_FOR_SCOPE.search(href):
        return None
    cut = base.find("://")
    if cut <= 0 or not base[:cut].isalpha():
        return None
    authority_end = base.find("/", cut + 3)
    if authority_end == -1:
        return None
    for stop in ("?", "#"):
        if base.find(stop, cut + 3, authority_end) != -1:
            return None  # e.g. http://host?x/ — leave it to urljoin
    lower = href[:8].lower()
    for prefix in ("http://", "https://"):
        if lower.startswith(prefix):
            host_start = href[len(prefix) : len(prefix) + 1]
            if not host_start or host_start in "/?#\\":
                return None  # no authority: the result would take the base's
            return "S" + base[:cut].lower()
    if href.startswith("/"):
        if href.startswith("//") and href[2:3] in ("", "?", "#"):
            return None  # empty authority and path: the base's path decides
        return "A" + base[:authority_end]
    if href[0] in "?;" or ":" in href:
        return None
    path_end = len(base)
    for stop in ("?", "#"):
        at = base.find(stop, authority_end)
        if at != -1:
            path_end = min(path_end, at)
    return "D" + base[: base.rfind("/", authority_end, path_end) + 1]


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def netloc_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def same_site(url: str, home: str) -> bool:
    """True when ``url`` belongs to the site of ``home`` (same host, www. optional, same port)."""
    a, b = urlsplit(url), urlsplit(home)
    if _bare((a.hostname or "").lower()) != _bare((b.hostname or "").lower()):
        return False
    return (a.port or _DEFAULT_PORTS.get(a.scheme)) == (b.port or _DEFAULT_PORTS.get(b.scheme))


def extension(url: str) -> str:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def is_attachment(url: str) -> bool:
    return extension(url) in ATTACHMENT_EXTENSIONS


_DIGITS = re.compile(r"\d+")


def path_pattern(url: str) -> str:
    """The URL's host+path with digit runs folded: pages of one template share a pattern."""
    parts = urlsplit(url)
    return parts.netloc + _DIGITS.sub("N", parts.path)


def path_key(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc + parts.path
