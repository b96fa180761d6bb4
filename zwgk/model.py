"""Typed values that flow between the stages of zwgk.

Data flows one way: registry (``Unit``) → crawl snapshot (``SiteSnapshot`` of
``Page`` and ``Link``) → findings (``Finding``) → scores (``UnitScore``) →
rankings and rectification lists.  Every stage imports these types and nothing
else from an earlier stage, so a stage can be rewritten without touching the
others.  Storage (``zwgk.storage``) persists exactly these shapes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, TypeVar


class Tier(StrEnum):
    """Administrative level of a unit (部委 / 省 / 市 / 县 / 乡)."""

    MINISTRY = "部委"
    PROVINCE = "省"
    CITY = "市"
    COUNTY = "县"
    TOWNSHIP = "乡"


class UnitKind(StrEnum):
    """A government portal (人民政府) or a department site (局/委/办)."""

    PORTAL = "portal"
    DEPARTMENT = "department"


class Severity(StrEnum):
    VETO = "veto"  # 单项否决: the unit fails whatever else it scores
    DEDUCT = "deduct"  # 扣分
    INFO = "info"  # recorded, no points


class Outcome(StrEnum):
    """How a fetch ended.  Only BROKEN may ever become a LINK-* finding."""

    OK = "ok"
    BROKEN = "broken"  # 404/410, NXDOMAIN, soft-404 page, connection refused
    BLOCKED = "blocked"  # 403 challenge / WAF
    TRANSIENT = "transient"  # still failing after retries (timeouts, 5xx)
    SKIPPED = "skipped"  # refused by policy (robots, private address, cap)


class PageKind(StrEnum):
    HOME = "home"
    COLUMN = "column"  # a column (栏目) list page, incl. its pagination
    ARTICLE = "article"
    ATTACHMENT = "attachment"
    OTHER = "other"  # fetched only to check the link


E = TypeVar("E", bound=StrEnum)


def _member(enum: type[E], value: Any, what: str) -> E:
    """``value`` as a member of the str-valued ``enum`` (JSON, CSV and CLI output see the same
    string); an unknown value is refused here rather than stored."""
    if isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        allowed = " / ".join(m.value for m in enum)
        raise ValueError(f"{what} {value!r} is not one of {allowed}") from None


@dataclass(frozen=True, slots=True)
class Unit:
    """One assessed unit (a government or a department) and its website."""

    unit_id: str
    name: str
    # Stored as enum members (a str given is converted, an unknown one refused); annotated
    # ``| str`` because callers may pass the plain string.
    tier: Tier | str
    kind: UnitKind | str
    site_url: str
    region: str = ""
    parent_id: str | None = None
    site_code: str = ""  # 网站标识码
    has_services: bool = True  # 有对外服务职能 (办事服务 indicators apply)

    def __post_init__(self) -> None:
        # str-valued enums: equal to, and serialised as, the plain strings ("市", "portal")
        object.__setattr__(self, "tier", _member(Tier, self.tier, "tier"))
        object.__setattr__(self, "kind", _member(UnitKind, self.kind, "kind"))


@dataclass(slots=True)
class Page:
    """One fetched URL of a site, with what the crawler extracted from it.

    ``facts`` holds extractor output (all JSON-serialisable):
      meta: {name: content} of <meta> tags (SiteName, SiteIDCode, PubDate, …)
      footer: {site_code, icp, psb, sponsor, conac_badge}
      nav: [{"text", "url"}] navigation entries found on the page
      items: [{"title", "url", "date"}] entries of a column list page
      column: standard column name this page was reached as (if any)
      doc_number: 文号 of a policy document
      related: [{"text", "url"}] links labelled 相关解读 / 原文链接 / 相关文件
      is_interpretation: bool, page is a 解读
      messages: [{"url", "asked", "answered"}] 留言 entries (互动交流)
    """

    url: str
    status: int | None
    outcome: str  # an Outcome value
    kind: str = PageKind.OTHER.value
    final_url: str | None = None
    depth: int = 0
    title: str = ""
    pub_date: dt.date | None = None
    date_source: str = ""  # meta:PubDate / table:发布日期 / label:发布时间 / url / …
    content_type: str = ""
    charset: str = ""
    size: int = 0
    elapsed_ms: float = 0.0
    error: str = ""
    etag: str = ""
    last_modified: str = ""
    fetched_at: dt.datetime | None = None
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Link:
    """A link seen on a crawled page: ``source`` page → ``target`` URL."""

    source: str
    target: str
    anchor: str = ""
    tag: str = "a"  # a / area / iframe / img / script / link / meta-refresh


@dataclass(slots=True)
class SiteSnapshot:
    """Everything seen of one site in one round; the only input of rules."""

    unit: Unit
    homepage: str
    as_of: dt.date
    pages: dict[str, Page] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    # site-level probes, e.g. {"ipv6": {...}, "dns": {...}, "robots": {...}}
    probes: dict[str, Any] = field(default_factory=dict)
    # monitoring history that precedes as_of (AVAIL-DOWN, FRESH-HOME); may be empty
    history: list[dict[str, Any]] = field(default_factory=list)
    # records evaluators imported for the unit, not crawled (loaded when the site is judged):
    # "requests" → the 依申请公开 register and channel tests (zwgk.storage.requests.InfoRequest.to_input)
    inputs: dict[str, Any] = field(default_factory=dict)

    def pages_of_kind(self, kind: str) -> list[Page]:
        return [p for p in self.pages.values() if p.kind == kind]

    @property
    def home(self) -> Page | None:
        return self.pages.get(self.homepage)


@dataclass(slots=True)
class Finding:
    """One rule violation, with the evidence to fix and to defend it.

    ``subject`` is what the finding is about; its meaning is fixed per rule
    code (see the rule catalog), so findings and ground truth compare as sets
    of ``(unit_id, rule, subject)``.
    """

    unit_id: str
    site: str  # homepage URL
    rule: str
    subject: str
    page: str  # URL where it was seen ("" for site-level findings)
    severity: Severity | str  # stored as a Severity member ("veto" → Severity.VETO)
    points: float
    evidence: dict[str, Any]
    message: str
    fix: str
    indicator: str = ""  # the rubric indicator the points count against (for caps)

    def __post_init__(self) -> None:
        self.severity = _member(Severity, self.severity, "severity")

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.unit_id, self.rule, self.subject)

    @property
    def needs_review(self) -> bool:
        """Raised on weak evidence: it waits in the evaluator's review queue."""
        return is_review_candidate(self.evidence)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


REVIEW_CONFIDENCE = "review"


def is_review_candidate(evidence: dict[str, Any] | None) -> bool:
    """``evidence["confidence"] == "review"``: the rule saw weak evidence (a loose column
    match, a short title fragment, a date read from a URL, content that only a person can
    judge) and asks an evaluator before accusing anyone."""
    return bool(evidence and evidence.get("confidence") == REVIEW_CONFIDENCE)


def finding_in_force(finding: Any) -> bool:
    """Whether a finding counts (points, veto, 整改清单, rankings).

    The one place that decides it: a finding dismissed by an evaluator never counts;
    a review candidate counts only once an evaluator has confirmed it.  Works on a
    plain :class:`Finding` (never reviewed) and on a stored finding with ``review``.
    """
    review = getattr(finding, "review", "") or ""
    if review == "dismissed":
        return False
    if is_review_candidate(getattr(finding, "evidence", None)):
        return review == "confirmed"
    return True


@dataclass(slots=True)
class UnitScore:
    """A unit's result in one round."""

    unit_id: str
    unit_name: str
    tier: Tier | str  # stored as enum members, like Unit's
    kind: UnitKind | str
    measured: bool  # False: not scored (crawl failure …), see ``reason``
    score: float | None
    veto: bool
    passed: bool
    weight: float  # share of the performance assessment, ≥ 0.04
    weighted: float | None
    rank: int | None = None
    reason: str = ""
    deductions: float = 0.0
    bonus: float = 0.0
    breakdown: dict[str, Any] = field(default_factory=dict)  # indicator → {available, deducted}

    def __post_init__(self) -> None:
        self.tier = _member(Tier, self.tier, "tier")
        self.kind = _member(UnitKind, self.kind, "kind")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Display order of tiers and kinds (the enums' order), used by every ranking listing.
TIER_ORDER: dict[str, int] = {t.value: i for i, t in enumerate(Tier)}
KIND_ORDER: dict[str, int] = {k.value: i for i, k in enumerate(UnitKind)}


def score_sort_key(sc: UnitScore) -> tuple[Any, ...]:
    """Tier, kind, then ranked units by rank, then unranked (not measured) ones; unit_id breaks ties."""
    return (
        TIER_ORDER.get(sc.tier, 9),
        sc.tier,
        KIND_ORDER.get(sc.kind, 9),
        sc.kind,
        sc.rank is None,
        sc.rank or 0,
        sc.unit_id,
    )


class ZwgkError(Exception):
    """Base of zwgk's user-facing errors: the message says what to do."""


class RegistryRowError(ZwgkError):
    def __init__(self, source: str, line: int, reason: str):
        self.source, self.line, self.reason = source, line, reason
        super().__init__(f"{source}:{line}: {reason}")


class RubricError(ZwgkError):
    def __init__(self, source: str, line: int | None, reason: str):
        self.source, self.line, self.reason = source, line, reason
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {reason}")


class WeightError(ZwgkError):
    """The 政务公开 weight in performance assessment must be ≥ 4% (不低于4%)."""


MIN_WEIGHT = 0.04


def check_weight(weight: float, where: str = "weight") -> float:
    """Refuse a 政务公开 share below the 4% floor the seed documents require (and nan/inf)."""
    if not math.isfinite(weight):
        raise WeightError(f"{where}={weight} is not a number; give a share such as 0.05 (at least 0.04)")
    if weight < MIN_WEIGHT - 1e-12:
        raise WeightError(
            f"{where}={weight:g} is below the required minimum 0.04: 政务公开 must weigh "
            "不低于4% of government performance assessment (中办发〔2016〕8号). "
            "Give a weight of at least 0.04 (4%)."
        )
    if weight > 1:
        raise WeightError(f"{where}={weight:g} is above 1 (100%); give a share such as 0.05")
    return weight
