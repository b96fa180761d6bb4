"""The rule registry: one table of rule code → small pure function.

Like ruff/flake8, each rule has a stable code (never reused), a catalog entry in
the rubric TOML (points, thresholds, why, fix) and one function here::

    @register("LINK-HOME")
    def link_home(snapshot, spec, rubric) -> Iterable[Finding]: ...

A rule reads only the snapshot (``Page.facts``, probes, history) and its
``RuleSpec.params``; it never fetches, never reads the clock (``snapshot.as_of``
is "today") and never reads files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zwgk.indicators.spec import Rubric, RuleSpec
    from zwgk.model import Finding, SiteSnapshot

RuleFn = Callable[["SiteSnapshot", "RuleSpec", "Rubric"], "Iterable[Finding]"]

RULES: dict[str, RuleFn] = {}


def register(code: str) -> Callable[[RuleFn], RuleFn]:
    """Add ``fn`` to the table under ``code``; a code can be registered once only."""

    def deco(fn: RuleFn) -> RuleFn:
        if code in RULES:
            raise RuntimeError(f"rule code {code} registered twice ({RULES[code].__name__}, {fn.__name__})")
        RULES[code] = fn
        return fn

    return deco


# Importing the modules fills RULES.
from zwgk.indicators.rules import (  # noqa: E402,F401
    annual,
    applications,
    availability,
    columns,
    content,
    identity,
    interpretation,
    ipv6,
    jiceng,
    links,
    media,
    replies,
    report,
    services,
    timeliness,
)
