"""zwgk.indicators — the rule catalog (our linter for government websites).

Public entry points:

- :func:`load_rubric` — a rubric (rules, indicators, columns, scoring) from TOML data;
- :func:`evaluate` — the findings of one site snapshot, pure;
- :mod:`zwgk.indicators.workdays` — Chinese working days (statutory holidays, 调休).
"""

from zwgk.indicators.catalog import ColumnSpec, Indicator, Rubric, RuleSpec, Scoring, load_rubric
from zwgk.indicators.engine import deductions_by_indicator, evaluate
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
]
