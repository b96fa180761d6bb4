"""The rule catalog's typed values: what a rubric holds once loaded and validated.

Kept apart from :mod:`zwgk.indicators.catalog` (which reads TOML, validates it and checks
every code against the rule table) so that the rule functions in
:mod:`zwgk.indicators.rules` can name these types without importing the loader.  The
dependencies run one way, ``catalog → rules → spec`` and ``catalog → spec``, like ruff's
rule registry and its rule implementations; ``tests/test_catalog_rubric.py`` keeps it so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zwgk.model import RubricError

if TYPE_CHECKING:
    from zwgk.columns import ColumnVocabulary


@dataclass(frozen=True)
class Scoring:
    """How findings become a score (used by ``zwgk.assess``)."""

    total: float = 100.0
    pass_line: float = 60.0
    bonus_gate: float = 80.0
    bonus_max: float = 30.0
    weight: float = 0.04
    no_services_mode: str = "scale"  # "scale" (×4/3, national) or "redistribute" (Zhaoqing)
    no_services_factor: float = 4 / 3
    services_indicator: str = "services"
    rectify_working_days: int = 10
    overdue_extra_points: float = 1.0
    overdue_cap: float = 10.0
    # a unit with services nobody judged: "exclude" (未测评, scored like a unit without services)
    # or "zero" (the indicator earns nothing until judged); never the full points
    services_unjudged: str = "exclude"
    composite: dict[str, float] = field(default_factory=dict)


# The seven indicators of the IPv6 support degree (official-rules.md §2.5), in the monitoring's order.
IPV6_INDICATORS: tuple[str, ...] = ("aaaa", "home", "success_rate", "delegation", "same_content", "inner2", "inner3")
IPV6_DEFAULT_WEIGHTS: dict[str, float] = {
    "aaaa": 15.0,
    "home": 15.0,
    "success_rate": 15.0,
    "delegation": 10.0,
    "same_content": 15.0,
    "inner2": 15.0,
    "inner3": 15.0,
}


@dataclass(frozen=True)
class Ipv6Scoring:
    """How the IPv6 support degree (0–100) is scored: ``[ipv6]`` of the rubric.

    weights: points of each of the seven indicators (``IPV6_INDICATORS``), summing to 100.
    full_rate: a rate indicator (success rate, inner links) earns its full weight at or above
      this rate and ``weight × rate / full_rate`` below.
    target: the score a site should reach (provinces report the share of sites at or above it).
    """

    weights: dict[str, float] = field(default_factory=lambda: dict(IPV6_DEFAULT_WEIGHTS))
    full_rate: float = 0.95
    target: float = 90.0


@dataclass(frozen=True)
class Indicator:
    """A scored indicator; ``points`` caps the deductions (or bonus) under it."""

    id: str
    name: str
    points: float
    part: str = "deduct"  # "deduct" | "bonus"
    description: str = ""


@dataclass(frozen=True)
class RuleSpec:
    """A rule's catalog entry: what the code means, what it costs, how to fix it."""

    code: str
    name_zh: str
    name_en: str
    category: str
    indicator: str
    severity: str
    points: float
    cap: float | None = None
    tiers: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    why_zh: str = ""
    why_en: str = ""
    fix_zh: str = ""
    fix_en: str = ""
    what_zh: str = ""
    what_en: str = ""
    subject: str = ""
    source: str = ""
    enabled: bool = True

    def applies_to(self, tier: str, kind: str) -> bool:
        return (not self.tiers or tier in self.tiers) and (not self.kinds or kind in self.kinds)


@dataclass(frozen=True)
class ColumnSpec:
    """A standard column (栏目) and the names sites give it."""

    name: str
    synonyms: tuple[str, ...] = ()
    key_terms: tuple[str, ...] = ()  # "解读", "法定+公开": what a name must contain (see zwgk.columns)
    exclude: tuple[str, ...] = ()  # look-alikes that are not this column (数据解读)
    examples: tuple[str, ...] = ()  # real names seen on sites (docs, tests)
    hub: bool = False  # its page lists entries or services, not dated items: never judged blank
    required: bool = False
    freshness_days: int | None = None
    kind: str = ""  # 动态 / 要闻 / 通知 / 政策 / 人事 / 规划 / ""
    parent: str = ""
    tiers: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def applies_to(self, tier: str, kind: str) -> bool:
        return (not self.tiers or tier in self.tiers) and (not self.kinds or kind in self.kinds)


@dataclass(frozen=True)
class Rubric:
    """A resolved rubric (base and overrides merged), ready for rules and scoring."""

    name: str
    title: str
    source: str
    hash: str
    text: str
    scoring: Scoring
    indicators: dict[str, Indicator]
    rules: dict[str, RuleSpec]
    columns: dict[str, ColumnSpec]
    path: str = ""
    ipv6: Ipv6Scoring = field(default_factory=Ipv6Scoring)
    # 年考核: component → weight (sum 1), plus "veto_round_score"; see ``zwgk.monitor.annual``
    annual: dict[str, float] = field(default_factory=dict)

    def column_vocabulary(self, cutoff: float = 90.0) -> ColumnVocabulary:
        """The columns' names, key terms and look-alikes, for recognising names by meaning."""
        from zwgk.columns import ColumnTerms, ColumnVocabulary

        parents = {c.parent for c in self.columns.values() if c.parent}
        return ColumnVocabulary(
            tuple(
                ColumnTerms(c.name, c.synonyms, c.key_terms, c.exclude, c.hub or c.name in parents)
                for c in self.columns.values()
            ),
            cutoff,
        )

    def column_synonyms(self) -> dict[str, list[str]]:
        """Standard column name → names it is known under (the name itself first)."""
        out: dict[str, list[str]] = {}
        for name, spec in self.columns.items():
            names = [name] + [s for s in spec.synonyms if s != name]
            out[name] = names
        return out

    def rule(self, code: str) -> RuleSpec:
        try:
            return self.rules[code]
        except KeyError:
            raise RubricError(self.path or self.name, None, f"unknown rule code {code!r}") from None
