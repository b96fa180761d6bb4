"""zwgk.indicators — the rule catalog (our linter for government websites).

Public entry points:

- :func:`load_rubric` — a rubric (rules, indicators, columns, scoring) from TOML data,
  as the typed values of :mod:`zwgk.indicators.spec`;
- :func:`rule_codes` — every rule code, in catalog order (the site farm plants each one);
- :func:`evaluate` — the findings of one site snapshot, pure;
- :mod:`zwgk.indicators.workdays` — Chinese working days (statutory holidays, 调休).
"""

from zwgk.indicators.catalog import load_rubric, rule_codes
from zwgk.indicators.engine import deductions_by_indicator, evaluate
from zwgk.indicators.spec import ColumnSpec, Indicator, Rubric, RuleSpec, Scoring
from zwgk.indicators.workdays import CalendarUnknownError

__all__ = [
    "CalendarUnknownError",
    "ColumnSpec",
    "Indicator",
    "Rubric",
    "RuleSpec",
    "Scoring",
    "deductions_by_indicator",
    "evaluate",
    "load_rubric",
    "rule_codes",
]
