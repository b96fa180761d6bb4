"""What a page says that an inspector must catch: tampering, illegal content, wording, privacy,
service entries and 办事指南.

Called once per HTML page from ``extract.extract_page`` (one line) on the tree it already
parsed; everything returned goes into ``Page.facts`` (keys documented in docs/architecture.md):

- ``content``: ``{"illegal", "hidden_links", "redirects", "wording", "privacy"}`` lists, each
  entry carrying the exact text or link and where it sits (``where``: title / meta / text / link /
  hidden, and an ``excerpt``).  Numbers in ``privacy`` are masked here, before anything is stored:
  a full resident ID or mobile number never reaches the database, an export or a log.
- ``title_tag`` (home): the ``<title>`` as written, for CONTENT-TITLE.
- ``services`` (home, column pages): ``{"entries": [{"text", "url", "platform"}]}``.
- ``guide`` (a page titled 办事指南 …): ``{"labels": [...], "forms": [{"text", "url"}]}``.

Word lists are data (``zwgk/data/content/lists.toml`` plus ``$ZWGK_CONTENT_LISTS``), matched with
one Aho-Corasick automaton per list over normalised text (NFKC, lower case, Simplified, digits and
look-alike characters folded, separators between CJK characters removed), so the cost per page
stays linear in its text whatever the lists' size (bench/content_scan.py measures it).
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import ahocorasick
from selectolax.lexbor import LexborHTMLParser, LexborNode

from zwgk.crawlers.dates import normalise
from zwgk.crawlers.urls import resolve_link, same_site

LISTS_FILE = Path(__file__).resolve().parents[1] / "data" / "content" / "lists.toml"
LEADERS_FILE = LISTS_FILE.with_name("leaders.toml")
ENV_DIR = "ZWGK_CONTENT_LISTS"
MAX_PER_KIND = 10  # entries per fact list and page: evidence, not an inventory
EXCERPT = 24  # characters of context each side of a match
MAX_HITS = 200  # vocabulary hits examined per text

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|(?:left|top|text-indent|margin-left)\s*:\s*-\d{3,}"
    r"|(?<![-\w])(?:width|height|font-size)\s*:\s*0(?:px|em|pt)?\s*(?:;|$|!)|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)",
    re.I,
)
_STYLE_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_URL_IN_SCRIPT = re.compile(r"(?:https?:)?//[A-Za-z0-9.\-]+(?::\d+)?(?:/[^\s'\"<>()\\]*)?")
_REDIRECT_JS = re.compile(r"location(?:\.href)?\s*=|location\.(?:replace|assign)\s*\(|window\.open\s*\(", re.I)
_WRITE_JS = re.compile(r"document\.write(?:ln)?\s*\(", re.I)
_JS_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[\s\W_]{1,3}(?=[\u4e00-\u9fff])")
_ID18 = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])(?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<![0-9])(1[3-9]\d{9})(?![0-9])")
_PERSONAL = re.compile(r"姓名|身份证|申请人|户主|住址|家庭住址|本人|当事人|公民身份号码|被执行人|受助人|救助对象")
_OFFICIAL_PHONE = re.compile(r"联系电话|咨询电话|监督电话|举报电话|服务电话|值班电话|传真|联系人")
_LABEL = re.compile(r"^\s*([\u4e00-\u9fff（）()、]{2,12})\s*[:：]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


# ----------------------------------------------------------------------------- the lists


@dataclass
class Lists:
    """The word lists as matchers (built once per process)."""

    illegal: ahocorasick.Automaton | None = None  # value: (category, term)
    illegal_latin: dict[str, str] = field(default_factory=dict)  # word → category
    enforcement: tuple[str, ...] = ()
    fold: dict[int, str] = field(default_factory=dict)  # str.translate table: digits, look-alikes
    wording: ahocorasick.Automaton | None = None  # value: (list, term, right form)
    entry_texts: tuple[str, ...] = ()
    platform_hosts: tuple[str, ...] = ()
    guide_titles: tuple[str, ...] = ()
    form_texts: tuple[str, ...] = ()
    form_extensions: tuple[str, ...] = ()
    trusted_script_hosts: tuple[str, ...] = ()  # badge / statistics scripts every government site loads
    leaders: list[dict[str, Any]] = field(default_factory=list)
    title_pattern: re.Pattern[str] | None = None  # leadership titles, longest first


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot read content word list: {exc}") from None


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    """Lists are added to, tables merged, so an extra file only adds terms."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, list) and isinstance(into.get(key), list):
            into[key] = list(dict.fromkeys([*into[key], *value]))
        else:
            into[key] = value


def _automaton(pairs: Iterable[tuple[str, Any]]) -> ahocorasick.Automaton | None:
    auto = ahocorasick.Automaton()
    n = 0
    for key, value in pairs:
        if key:
            auto.add_word(key, (key, value))
            n += 1
    if not n:
        return None
    auto.make_automaton()
    return auto


class _ListsLoader:
    """``load_lists``: called like a function and cleared like an ``lru_cache`` (``cache_clear``).

    A class, not a function given a ``cache_clear`` attribute, so that the type checker knows
    both; the default directory is read from the environment at each call, so the cache (keyed
    by directory) sees ``$ZWGK_CONTENT_LISTS`` change."""

    def __call__(self, extra_dir: str | None = None) -> Lists:
        """The bundled lists plus those in ``extra_dir`` (default ``$ZWGK_CONTENT_LISTS``), built once."""
        return _load_lists(extra_dir if extra_dir is not None else os.environ.get(ENV_DIR, ""))

    def cache_clear(self) -> None:
        """Forget the built lists (tests and the site farm rewrite the list files)."""
        _load_lists.cache_clear()


load_lists = _ListsLoader()


@functools.lru_cache(maxsize=4)
def _load_lists(extra: str) -> Lists:
    data = _read(LISTS_FILE)
    leaders = _read(LEADERS_FILE).get("leader", [])
    for directory in [d for d in extra.split(os.pathsep) if d]:  # several directories: os.pathsep
        path = Path(directory) / "lists.toml"
        if path.is_file():
            _merge(data, _read(path))
        path = Path(directory) / "leaders.toml"
        if path.is_file():
            leaders = [*leaders, *_read(path).get("leader", [])]
    lists = Lists()
    fold = {ord(k): v for k, v in (data.get("digits") or {}).items() if len(k) == 1}
    fold.update({ord(k): v for k, v in (data.get("lookalike") or {}).items() if len(k) == 1})
    lists.fold = fold
    illegal = data.get("illegal") or {}
    lists.enforcement = tuple(illegal.get("enforcement_words", []))
    lists.illegal = _automaton(
        (_norm(term, fold), cat) for cat, terms in illegal.items() if cat != "enforcement_words" for term in terms
    )
    lists.illegal_latin = {w.lower(): cat for cat, words in (data.get("illegal_pinyin") or {}).items() for w in words}
    wording = data.get("wording") or {}
    pairs: list[tuple[str, Any]] = [(_norm(w, {}), ("term", r)) for w, r in (wording.get("terms") or {}).items()]
    pairs += [(_norm(w, {}), ("sensitive", "")) for w in (wording.get("sensitive") or {}).get("terms", [])]
    for leader in leaders:
        for variant in leader.get("variants", []):
            pairs.append((_norm(variant, {}), ("leader", leader.get("name", ""))))
    lists.wording = _automaton(pairs)
    lists.leaders = [dict(x) for x in leaders if x.get("name")]
    titles = sorted(
        {*(data.get("leader_titles") or {}).get("titles", []), *(t for x in lists.leaders for t in _titles(x))},
        key=len,
        reverse=True,
    )
    lists.title_pattern = re.compile("|".join(re.escape(t) for t in titles)) if titles else None
    svc = data.get("services") or {}
    lists.entry_texts = tuple(svc.get("entry_texts", []))
    lists.platform_hosts = tuple(h.lower() for h in svc.get("platform_hosts", []))
    lists.guide_titles = tuple(svc.get("guide_titles", []))
    lists.form_texts = tuple(svc.get("form_texts", []))
    lists.form_extensions = tuple(e.lower() for e in svc.get("form_extensions", []))
    lists.trusted_script_hosts = tuple(h.lower() for h in (data.get("scripts") or {}).get("trusted_hosts", []))
    return lists


def _norm(text: str, fold: dict[int, str]) -> str:
    """Matching form: NFKC, lower case, Simplified, folded, no separators between CJK characters."""
    text = normalise(unicodedata.normalize("NFKC", text or "")).lower()
    if fold:
        text = _fold_pattern(tuple(sorted(fold))).sub(lambda m: fold[ord(m.group(0))], text)
    return _CJK_GAP.sub("", text)


@functools.lru_cache(maxsize=8)
def _fold_pattern(codes: tuple[int, ...]) -> re.Pattern[str]:
    """One character class of the folded characters (a regex beats str.translate with a dict)."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in codes) + "]")


# ----------------------------------------------------------------------------- helpers


def mask_number(number: str) -> str:
    """``110101199003077777`` → ``110101********7777``; ``13812345678`` → ``138****5678``."""
    if len(number) == 18:
        return number[:6] + "*" * 8 + number[-4:]
    if len(number) == 11:
        return number[:3] + "****" + number[-4:]
    return number[:2] + "*" * max(len(number) - 4, 0) + number[-2:]


def is_resident_id(number: str) -> bool:
    """GB 11643-1999 check digit of an 18-character resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def is_government_host(host: str, home: str) -> bool:
    """Same site, or a host under .gov.cn (every government domain)."""
    host = (host or "").lower().rstrip(".")
    if not host:
        return True
    home_host = (urlsplit(home).hostname or "").lower()
    bare = lambda h: h[4:] if h.startswith("www.") else h  # noqa: E731
    return bare(host) == bare(home_host) or host == "gov.cn" or host.endswith(".gov.cn")


def _excerpt(text: str, start: int, end: int) -> str:
    """The match with context, every ID or mobile number in it masked."""
    return _mask_all(re.sub(r"\s+", " ", text[max(0, start - EXCERPT) : end + EXCERPT]).strip())


def _hidden_selectors(tree: LexborHTMLParser) -> list[str]:
    """Simple selectors (``.cls``, ``#id``, ``tag``) that a ``<style>`` block hides."""
    out: list[str] = []
    for node in tree.css("style"):
        for sel, body in _STYLE_RULE.findall(node.text() or ""):
            if _HIDDEN_STYLE.search(body):
                for part in sel.split(","):
                    part = part.strip()
                    if re.fullmatch(r"[.#]?[A-Za-z][\w\-]*", part):
                        out.append(part)
    return out


def _hidden_why(
    node: LexborNode, hidden_classes: set[str], hidden_ids: set[str], cache: dict[int, str] | None = None
) -> str:
    """Why ``node`` or an ancestor is hidden ("" when visible); ``cache`` remembers ancestors."""
    cache = {} if cache is None else cache
    chain: list[int] = []
    found = ""
    depth = 0
    current: LexborNode | None = node  # climbs to the ancestors
    while current is not None and depth < 12 and current.tag not in ("body", "html"):
        key = current.mem_id
        if key in cache:
            found = cache[key]
            break
        chain.append(key)
        attrs = current.attributes
        style = attrs.get("style")
        match = _HIDDEN_STYLE.search(style) if style else None
        if match:
            found = re.sub(r"\s+", "", match.group(0)).rstrip(";!")
            break
        if "hidden" in attrs:
            found = "hidden"
            break
        if hidden_classes and attrs.get("class"):
            classes = set((attrs.get("class") or "").split()) & hidden_classes
            if classes:
                found = "." + sorted(classes)[0] + "{display:none}"
                break
        if hidden_ids and (attrs.get("id") or "") in hidden_ids:
            found = "#" + (attrs.get("id") or "") + "{display:none}"
            break
        current = current.parent
        depth += 1
    for key in chain:
        cache[key] = found
    return found


def _decode_js(text: str) -> str:
    text = _JS_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return unquote(text) if "%3c" in text.lower() or "%2f" in text.lower() else text


# ----------------------------------------------------------------------------- matchers


def _illegal_in(text: str, where: str, lists: Lists, strict: bool) -> list[dict[str, Any]]:
    """Illegal-vocabulary hits of one text; ``strict`` (body text) needs two terms of a category."""
    if not text or (lists.illegal is None and not lists.illegal_latin):
        return []
    norm = _norm(text, lists.fold)
    hits: list[dict[str, Any]] = []
    if lists.illegal is not None:
        for end, (term, cat) in lists.illegal.iter(norm):
            start = end - len(term) + 1
            hits.append(
                {"term": term, "category": cat, "where": where, "excerpt": _excerpt(norm, start, end + 1), "_at": start}
            )
            if len(hits) >= MAX_HITS:
                break  # a spam page repeats itself; enough to judge, bounded work on hostile pages
    if lists.illegal_latin:
        for m in re.finditer(r"[a-z0-9]{4,}", norm):
            cat = lists.illegal_latin.get(m.group(0))
            if cat:
                hits.append(
                    {
                        "term": m.group(0),
                        "category": cat,
                        "where": where,
                        "excerpt": _excerpt(norm, m.start(), m.end()),
                        "_at": m.start(),
                    }
                )
    if strict and hits:
        kept = []
        for h in hits:
            sentence_start = max(norm.rfind(p, 0, h["_at"]) for p in "。！？!?\n;；")
            sentence_end = min([i for i in (norm.find(p, h["_at"]) for p in "。！？!?\n;；") if i >= 0] or [len(norm)])
            if not any(w in norm[sentence_start + 1 : sentence_end] for w in lists.enforcement):
                kept.append(h)
        per_cat: dict[str, set[str]] = {}
        for h in kept:
            per_cat.setdefault(h["category"], set()).add(h["term"])
        hits = [h for h in kept if len(per_cat[h["category"]]) >= 2]
    seen: set[str] = set()
    out = []
    for h in hits:
        h.pop("_at", None)
        if h["term"] not in seen:
            seen.add(h["term"])
            out.append(h)
    return out


def _privacy(text: str) -> list[dict[str, Any]]:
    """Unmasked resident IDs (checksum valid) and mobile numbers next to personal data, masked."""
    out: list[dict[str, Any]] = []
    for m in _ID18.finditer(text):
        number = m.group(1)
        if not is_resident_id(number):
            continue  # an order or serial number that merely looks like an ID
        masked = mask_number(number)
        excerpt = _excerpt(text, m.start(), m.end()).replace(number, masked)
        out.append({"kind": "id", "masked": masked, "excerpt": _mask_all(excerpt)})
    for m in _MOBILE.finditer(text):
        around = text[max(0, m.start() - 40) : m.end() + 10]
        if not _PERSONAL.search(around) or _OFFICIAL_PHONE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        number = m.group(1)
        masked = mask_number(number)
        out.append(
            {
                "kind": "mobile",
                "masked": masked,
                "excerpt": _mask_all(_excerpt(text, m.start(), m.end()).replace(number, masked)),
            }
        )
    return out[:MAX_PER_KIND]


def _mask_all(text: str) -> str:
    """No full ID or mobile number survives in an excerpt (a neighbour's number included)."""
    text = _ID18.sub(lambda m: mask_number(m.group(1)), text)
    return _MOBILE.sub(lambda m: mask_number(m.group(1)), text)


def _wording(text: str, lists: Lists) -> list[dict[str, Any]]:
    if lists.wording is None or not text:
        return []
    norm = _norm(text, {})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for end, (term, (kind, right)) in lists.wording.iter(norm):
        if term in seen:
            continue
        seen.add(term)
        start = end - len(term) + 1
        out.append({"list": kind, "match": term, "right": right, "excerpt": _excerpt(norm, start, end + 1)})
    out += _leaders(norm, lists)
    return out[:MAX_PER_KIND]


def _leaders(norm: str, lists: Lists) -> list[dict[str, Any]]:
    """Leaders' names next to a title that is not theirs, or written one character wrong.

    Every "title + name" / "name + title" pair in the text whose title is one of the list's
    leadership titles is compared with the maintained list: a listed name with a title it does
    not hold is ``leader_title``; a name of the same length and surname one character away from a
    listed name, next to that leader's title, is ``leader_name``.
    """
    if not lists.leaders or lists.title_pattern is None:
        return []
    out: list[dict[str, Any]] = []
    by_name = {x["name"]: x for x in lists.leaders}
    lengths = sorted({len(n) for n in by_name}, reverse=True)
    for m in lists.title_pattern.finditer(norm):
        title = m.group(0)
        for n in lengths:
            for cand, where in (
                (norm[m.end() : m.end() + n], m.end()),
                (norm[max(0, m.start() - n) : m.start()], m.start() - n),
            ):
                if len(cand) != n or not all("\u4e00" <= c <= "\u9fff" for c in cand):
                    continue
                leader = by_name.get(cand)
                if leader is not None:
                    titles = _titles(leader)
                    if title not in titles and not any(title in t for t in titles):
                        out.append(
                            {
                                "list": "leader_title",
                                "match": f"{title}{cand}" if where >= m.end() else f"{cand}{title}",
                                "right": f"{cand} {'、'.join(titles)}",
                                "excerpt": _excerpt(norm, m.start() - n, m.end() + n),
                            }
                        )
                    continue
                for name, leader in by_name.items():
                    if (
                        len(name) == n
                        and cand[0] == name[0]
                        and sum(a != b for a, b in zip(cand, name)) == 1
                        and title in _titles(leader)
                    ):
                        out.append(
                            {
                                "list": "leader_name",
                                "match": f"{title}{cand}" if where >= m.end() else f"{cand}{title}",
                                "right": f"{title}{name}",
                                "excerpt": _excerpt(norm, m.start() - n, m.end() + n),
                            }
                        )
    unique: dict[str, dict[str, Any]] = {}
    for hit in out:
        unique.setdefault(hit["match"], hit)
    return list(unique.values())


def _titles(leader: dict[str, Any]) -> list[str]:
    titles = leader.get("titles") or [leader.get("title", "")]
    return [t for t in titles if t]


# ----------------------------------------------------------------------------- the scan


def scan_page(tree: LexborHTMLParser, url: str, kind: str, home: str | None = None) -> dict[str, Any]:
    """Content, service and guide facts of one parsed page (see the module docstring)."""
    lists = load_lists()
    home = home or url
    facts: dict[str, Any] = {}
    title_node = tree.css_first("title")
    title = re.sub(r"\s+", " ", title_node.text() if title_node is not None else "").strip()
    if kind == "home":
        facts["title_tag"] = title[:300]

    hidden_classes: set[str] = set()
    hidden_ids: set[str] = set()
    for sel in _hidden_selectors(tree):
        if sel.startswith("."):
            hidden_classes.add(sel[1:])
        elif sel.startswith("#"):
            hidden_ids.add(sel[1:])

    illegal: list[dict[str, Any]] = []
    illegal += _illegal_in(title, "title", lists, strict=False)
    for node in tree.css("meta[name]"):
        name = (node.attributes.get("name") or "").lower()
        if name in ("keywords", "description"):
            illegal += _illegal_in(node.attributes.get("content") or "", f"meta:{name}", lists, strict=False)

    hidden_links: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    forms: list[dict[str, Any]] = []
    # a 办事指南 is a page of its own; the column listing them ("办事指南" list page) is not one
    is_guide = kind not in ("home", "column") and any(t in normalise(title) for t in lists.guide_titles)
    wants_targets = is_guide or kind in ("home", "column")
    hidden_cache: dict[int, str] = {}
    link_texts: list[str] = []
    hidden_texts: list[str] = []
    for node in tree.css("a[href]"):
        text = re.sub(r"\s+", " ", node.text() or node.attributes.get("title") or "").strip()
        why = _hidden_why(node, hidden_classes, hidden_ids, hidden_cache)
        if not why and not wants_targets:
            if text:
                link_texts.append(text)
            continue
        target = resolve_link(url, node.attributes.get("href") or "")
        host = (urlsplit(target).hostname or "") if target else ""
        if target and why and not is_government_host(host, home):
            hidden_links.append({"url": target, "text": text[:80], "how": why})
            hidden_texts.append(text)
        elif text and not why:
            link_texts.append(text)
        if target and kind in ("home", "column") and text:
            simple = normalise(text)
            platform = any(p in host.lower() for p in lists.platform_hosts) and not same_site(target, home)
            if platform or any(t == simple or (t in simple and len(simple) <= len(t) + 4) for t in lists.entry_texts):
                entries.append({"text": text[:40], "url": target, "platform": platform})
        if target and is_guide:
            ext = urlsplit(target).path.rsplit(".", 1)[-1].lower() if "." in urlsplit(target).path else ""
            if ext in lists.form_extensions or any(t in text for t in lists.form_texts):
                forms.append({"text": text[:60], "url": target})

    illegal += _illegal_in("\n".join(hidden_texts), "hidden", lists, strict=False)
    for link in hidden_links[:MAX_PER_KIND]:
        # a hidden link worded as gambling/porn/fraud is an injection, not a hover menu
        link["illegal"] = bool(_illegal_in(link["text"], "hidden", lists, strict=False))
    illegal += _illegal_in("\n".join(link_texts), "link", lists, strict=False)
    redirects: list[dict[str, Any]] = []
    for node in tree.css("script"):
        code = node.text() or ""
        if not code.strip() or len(code) > 200_000:
            continue
        decoded = _decode_js(code)
        for how, pattern in (("location", _REDIRECT_JS), ("document.write", _WRITE_JS)):
            for m in pattern.finditer(decoded):
                tail = decoded[m.end() : m.end() + 400]
                found = _URL_IN_SCRIPT.search(tail)
                if not found:
                    continue
                script_url = found.group(0)
                script_url = ("http:" + script_url) if script_url.startswith("//") else script_url
                host = (urlsplit(script_url).hostname or "").lower()
                if not is_government_host(host, home) and not any(
                    host == t or host.endswith("." + t) for t in lists.trusted_script_hosts
                ):
                    redirects.append(
                        {
                            "url": script_url[:300],
                            "how": how,
                            "excerpt": re.sub(r"\s+", " ", decoded[m.start() : m.end() + 80])[:160],
                        }
                    )
    body = tree.body
    body_text = body.text(separator="\n") if body is not None else ""
    illegal += _illegal_in(body_text, "text", lists, strict=True)

    dedup: dict[tuple[str, str], dict[str, Any]] = {}
    for h in illegal:  # one hit per term and place: where a term stands is part of the evidence
        dedup.setdefault((h["term"], h["where"]), h)
    facts["content"] = {
        "illegal": list(dedup.values())[:MAX_PER_KIND],
        "hidden_links": hidden_links[:MAX_PER_KIND],
        "redirects": list({r["url"]: r for r in redirects}.values())[:MAX_PER_KIND],
        "wording": _wording(f"{title}\n{body_text}", lists),
        "privacy": _privacy(body_text),
    }
    if kind in ("home", "column"):
        facts["services"] = {"entries": list({e["url"]: e for e in entries}.values())[:MAX_PER_KIND]}
    if is_guide:
        facts["guide"] = {"labels": guide_labels(tree), "forms": list({f["url"]: f for f in forms}.values())[:20]}
    return facts


def guide_labels(tree: LexborHTMLParser) -> list[str]:
    """Short labels a 办事指南 shows its elements under (table headers, bold terms, ``X：``)."""
    labels: list[str] = []
    for node in tree.css("th, dt, strong, b, h2, h3, h4, td, li, p, span, div.label, label"):
        text = re.sub(r"\s+", "", node.text(deep=node.tag not in ("div",)) or "")
        if not text:
            continue
        if node.tag in ("th", "dt", "strong", "b", "h2", "h3", "h4", "label") and len(text) <= 14:
            labels.append(normalise(text.rstrip(":：")))
            continue
        m = _LABEL.match(text)
        if m:
            labels.append(normalise(m.group(1)))
        elif node.tag == "td" and len(text) <= 10:
            labels.append(normalise(text))
    return list(dict.fromkeys(labels))[:80]
