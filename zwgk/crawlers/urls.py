"""URL helpers: normalisation, same-site test, attachment and trap patterns."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

IGNORED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "ftp:")
ATTACHMENT_EXTENSIONS = frozenset(
    "pdf doc docx xls xlsx ppt pptx wps et dps ofd zip rar 7z txt csv xml jpg jpeg png gif bmp tif tiff "
    "mp3 mp4 avi wmv flv swf apk exe".split()
)
HTML_EXTENSIONS = frozenset("html htm shtml shtm xhtml jsp asp aspx php do action".split())
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
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def resolve_link(base: str, href: str | None) -> str | None:
    """Absolute, normalised URL of ``href`` seen on ``base``; None for javascript:/mailto:/#…"""
    if not href:
        return None
    href = href.strip().replace("\\", "/")
    if not href or href.startswith("#"):
        return None
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
