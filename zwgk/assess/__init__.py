"""zwgk.assess: scoring, ranking, rectification (整改) and exports.

Public entry points (see docs/architecture.md):

- ``score_round(db, round_id, rubric, units=None, *, weight=None, not_measured=None)``
- ``rescore_round(db, round_id, rubric=None)`` after a review / manual score (整改 items, then scores)
- ``update_rectification(db, round_id, rubric, as_of=None)``, ``rectification_list(db, unit_id, round_id=None)``
- ``most_improved(db, round_id, previous_round_id=None, n=10)``, ``compare_rounds(db, a, b)``
- exports in ``zwgk.assess.exports`` (imported on demand: it loads xlsxwriter / fpdf2)
"""

from zwgk.assess.ranking import (
    RoundComparison,
    RuleDelta,
    UnitDelta,
    compare_rounds,
    most_improved,
    rescore_round,
    round_rubric,
    score_round,
)
from zwgk.assess.rectify import overdue_items, rectification_history, rectification_list, update_rectification
from zwgk.assess.scoring import (
    composite_score,
    indicator_rows,
    rank_scores,
    score_unit,
    score_website,
    weighted_component,
)

__all__ = [
    "RoundComparison",
    "RuleDelta",
    "UnitDelta",
    "compare_rounds",
    "composite_score",
    "indicator_rows",
    "most_improved",
    "overdue_items",
    "rank_scores",
    "rectification_history",
    "rectification_list",
    "rescore_round",
    "round_rubric",
    "score_round",
    "score_unit",
    "score_website",
    "update_rectification",
    "weighted_component",
]
