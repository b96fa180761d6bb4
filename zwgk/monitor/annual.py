"""年考核: a year's score per unit, rolled up from what the year recorded.

Seed 003 (云南省2018年政务公开工作年度报告) describes the mechanism "日监测+月检查+季通报+年考核"
and asks that "日常工作及问题整改完成情况按照一定比例纳入年度综合考评成绩".  So the annual score
is not one more crawl: it is a weighted mean of four components, each 0–100, taken from the
stored rounds, probes, bulletins and 整改 items of the year (nothing is re-measured):

- ``rounds`` (月检查): the mean of the unit's scores in the year's finished rounds, each capped
  at the rubric's total (bonus points do not carry into the year); a round with a 单项否决
  counts as ``annual.veto_round_score``; rounds where the unit was not measured are left out.
- ``availability`` (日监测): ``100 × (1 − failed / probes)`` over the year's probes.
- ``bulletins`` (季通报): ``100 ×`` the share of the year's quarters with a bulletin (a finished
  round or probes in the quarter) in which the unit was not named as a problem site.
- ``rectification`` (整改完成): ``100 ×`` the share of 整改 items opened in the year's rounds and
  due by the evaluation date that were fixed by then; a unit with none due gets 100.

The weights are rubric data (``[annual]``, validated to sum to 1).  A component without data
for a unit (never probed, no bulletin quarter) is left out and the other weights renormalised,
as the 政务公开 composite does; the record says which were used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from zwgk.model import ZwgkError
from zwgk.storage.db import Database
from zwgk.storage.rounds import RoundInfo, list_rounds

COMPONENTS = ("rounds", "availability", "bulletins", "rectification")
COMPONENT_ZH = {"rounds": "月检查", "availability": "日监测", "bulletins": "季通报", "rectification": "整改完成"}
DEFAULT_WEIGHTS = {"rounds": 0.6, "availability": 0.15, "bulletins": 0.1, "rectification": 0.15}


@dataclass(slots=True)
class AnnualScore:
    """One unit's year: its components (None = no data), the weighted score and its rank."""

    unit_id: str
    unit_name: str
    tier: str
    kind: str
    year: int
    rounds: int  # rounds of the year in which the unit was measured
    components: dict[str, float | None] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)  # the weights actually applied (renormalised)
    score: float | None = None
    rank: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """A flat record for exports (one column per component)."""
        out = {k: v for k, v in asdict(self).items() if k not in ("components", "weights", "detail")}
        for name in COMPONENTS:
            out[f"c_{name}"] = self.components.get(name)
            out[f"w_{name}"] = self.weights.get(name, 0.0)
        out["used"] = "、".join(COMPONENT_ZH[k] for k in COMPONENTS if k in self.weights)
        out["note"] = self.detail.get("note", "")
        return out


def annual_weights(rubric: Any) -> tuple[dict[str, float], float]:
    """(component weights, veto round score) of ``rubric`` (defaults when it has no ``[annual]``)."""
    raw = dict(getattr(rubric, "annual", {}) or {})
    weights = {k: float(raw[k]) for k in COMPONENTS if k in raw} or dict(DEFAULT_WEIGHTS)
    return weights, float(raw.get("veto_round_score", 0.0))


def year_rounds(db: Database, year: int, through: dt.date | None = None) -> list[RoundInfo]:
    """The finished rounds whose as-of date lies in ``year`` (and not after ``through``), oldest first."""
    return [
        r
        for r in list_rounds(db)
        if r.status == "done" and r.as_of.year == year and (through is None or r.as_of <= through)
    ]


def _round_component(scores: list[tuple[float | None, bool]], total: float, veto_score: float) -> float | None:
    values = [veto_score if veto else min(max(score or 0.0, 0.0), total) / total * 100.0 for score, veto in scores]
    return sum(values) / len(values) if values else None


def weighted(components: dict[str, float | None], weights: dict[str, float]) -> tuple[float | None, dict[str, float]]:
    """The renormalised weighted mean over the components that have a value, and the weights used."""
    given = {k: v for k, v in components.items() if v is not None}
    used = {k: w for k, w in weights.items() if w > 0 and k in given}
    total = sum(used.values())
    if not total:
        return None, {}
    applied = {k: w / total for k, w in used.items()}
    return round(sum(given[k] * w for k, w in applied.items()), 4), applied


def annual_scores(
    db: Database, year: int, rubric: Any | None = None, through: dt.date | None = None
) -> list[AnnualScore]:
    """Every unit of the year's rounds with its annual score, ranked per (tier, kind).

    ``rubric`` defaults to the rubric of the year's latest round; ``through`` (default: the
    latest round's as-of date) is the evaluation date: probes, quarters and 整改 deadlines
    after it are not counted.
    """
    from zwgk.assess.ranking import round_rubric
    from zwgk.storage.probes import availability_between
    from zwgk.storage.results import list_rectification_items, list_scores

    rounds = year_rounds(db, year, through)
    if not rounds:
        known = sorted({r.as_of.year for r in list_rounds(db) if r.status == "done"})
        raise ZwgkError(
            f"no finished round in {year}; years with finished rounds: "
            f"{', '.join(map(str, known)) or 'none (run `zwgk assess`)'}"
        )
    if rubric is None:
        rubric = round_rubric(db, rounds[-1].id)
    weights, veto_score = annual_weights(rubric)
    total = float(getattr(getattr(rubric, "scoring", None), "total", 100.0) or 100.0)
    end = through or rounds[-1].as_of
    start = dt.date(year, 1, 1)

    units: dict[str, dict[str, Any]] = {}
    per_unit: dict[str, list[tuple[float | None, bool]]] = {}
    for info in rounds:
        for sc in list_scores(db, info.id):
            units[sc.unit_id] = {"name": sc.unit_name, "tier": sc.tier, "kind": sc.kind}
            if sc.measured and sc.score is not None:
                per_unit.setdefault(sc.unit_id, []).append((sc.score, sc.veto))

    probes = availability_between(db, start, end + dt.timedelta(days=1))
    named, quarters = _bulletin_quarters(db, year, end)

    round_ids = {r.id for r in rounds}
    as_of_by_round = {r.id: r.as_of for r in list_rounds(db)}
    due: dict[str, list[bool]] = {}
    for it in list_rectification_items(db):
        if it.opened_round_id not in round_ids or it.deadline > end:
            continue
        fixed = (
            it.status == "fixed"
            and it.closed_round_id is not None
            and as_of_by_round.get(it.closed_round_id, dt.date.max) <= end
        )
        due.setdefault(it.unit_id, []).append(fixed)

    out: list[AnnualScore] = []
    for unit_id, u in sorted(units.items()):
        measured = per_unit.get(unit_id, [])
        n, failed = probes.get(unit_id, (0, 0))
        items = due.get(unit_id, [])
        components: dict[str, float | None] = {
            "rounds": _round_component(measured, total, veto_score),
            "availability": (1 - failed / n) * 100.0 if n else None,
            "bulletins": (sum(unit_id not in q for q in named) / quarters * 100.0) if quarters else None,
            "rectification": (sum(items) / len(items) * 100.0) if items else 100.0,
        }
        components = {k: (round(v, 4) if v is not None else None) for k, v in components.items()}
        detail: dict[str, Any] = {
            "rounds": [{"score": s, "veto": v} for s, v in measured],
            "probes": n,
            "probe_failures": failed,
            "quarters": quarters,
            "quarters_named": sum(unit_id in q for q in named),
            "rectification_due": len(items),
            "rectification_fixed": sum(items),
        }
        score: float | None
        applied: dict[str, float]
        if components["rounds"] is None:  # never measured in the year: no annual score
            score, applied = None, {}
            detail["note"] = "本年度各轮均未能测评"
        else:
            score, applied = weighted(components, weights)
            missing = [COMPONENT_ZH[k] for k in COMPONENTS if weights.get(k, 0) > 0 and components[k] is None]
            if missing:
                detail["note"] = f"无{'、'.join(missing)}数据，按其余项权重折算"
        out.append(
            AnnualScore(
                unit_id, u["name"], u["tier"], u["kind"], year, len(measured), components, applied, score, None, detail
            )
        )
    return rank_annual(out)


def _bulletin_quarters(db: Database, year: int, end: dt.date) -> tuple[list[set[str]], int]:
    """Per quarter of ``year`` begun by ``end`` that has a bulletin: the units it names."""
    from zwgk.monitor.bulletin import bulletin_data

    named: list[set[str]] = []
    for q in range(1, 5):
        if dt.date(year, 3 * (q - 1) + 1, 1) > end:
            break
        data = bulletin_data(db, f"{year}Q{q}")
        if not data.round_name and not data.probes:
            continue  # nothing recorded that quarter: no bulletin to be named in
        named.append({s.unit_id for s in data.failing})
    return named, len(named)


def rank_annual(scores: Iterable[AnnualScore]) -> list[AnnualScore]:
    """Competition ranking (1, 1, 3) per (tier, kind) by annual score; units without one unranked."""
    from zwgk.model import TIER_ORDER

    scores = list(scores)
    groups: dict[tuple[str, str], list[AnnualScore]] = {}
    for sc in scores:
        sc.rank = None
        if sc.score is not None:
            groups.setdefault((sc.tier, sc.kind), []).append(sc)
    for members in groups.values():
        members.sort(key=lambda s: (-(s.score or 0.0), s.unit_id))
        prev, rank = None, 0
        for pos, sc in enumerate(members, start=1):
            if sc.score != prev:
                rank, prev = pos, sc.score
            sc.rank = rank
    return sorted(
        scores,
        key=lambda s: (TIER_ORDER.get(s.tier, 99), s.tier, s.kind != "portal", s.rank is None, s.rank or 0, s.unit_id),
    )


# ---------------------------------------------------------------- export


def annual_columns() -> tuple[Any, ...]:
    from zwgk.assess.tabular import Column

    return (
        Column("rank", "排名", 6),
        Column("unit_id", "单位编码", 14),
        Column("unit_name", "单位名称", 24),
        Column("tier", "层级", 6),
        Column("kind", "类型", 12),
        Column("score", "年度得分", 9),
        Column("rounds", "参评轮次", 8),
        *(Column(f"c_{k}", f"{COMPONENT_ZH[k]}得分", 10) for k in COMPONENTS),
        *(Column(f"w_{k}", f"{COMPONENT_ZH[k]}权重", 10) for k in COMPONENTS),
        Column("note", "说明", 30),
    )


def export_annual(
    db: Database, year: int, fmt: str, path: Any, rubric: Any | None = None, through: dt.date | None = None
) -> Any:
    """The year's ranking as json / csv / xlsx (xlsx adds the weights and method on a second sheet)."""
    from pathlib import Path

    from zwgk.assess.exports import FORMATS, SafeWorkbook, check_format, write_csv, write_json
    from zwgk.assess.tabular import Column

    fmt = check_format(fmt, FORMATS)
    scores = annual_scores(db, year, rubric, through)
    records = [s.record() for s in scores]
    path = Path(path)
    if fmt == "json":
        return write_json(
            path, [{**s.record(), "components": s.components, "weights": s.weights, "detail": s.detail} for s in scores]
        )
    if fmt == "csv":
        return write_csv(path, annual_columns(), records)
    book = SafeWorkbook(path)
    book.table(
        f"{year}年度考核",
        annual_columns(),
        records,
        title=f"{year}年度政务公开考核排名",
        note="年度得分 = Σ 各项得分 × 权重；某项无数据时按其余项权重折算（见“权重”列）。",
    )
    weights, veto = annual_weights(rubric if rubric is not None else rubric_of_year(db, year, through))
    book.table(
        "计分方法",
        (Column("item", "项目", 14), Column("weight", "权重", 8), Column("how", "计算方法", 60)),
        [
            {
                "item": COMPONENT_ZH["rounds"],
                "weight": weights.get("rounds", 0.0),
                "how": f"本年度各轮得分平均（封顶满分，折算为百分制）；单项否决的轮次计 {veto:g} 分",
            },
            {
                "item": COMPONENT_ZH["availability"],
                "weight": weights.get("availability", 0.0),
                "how": "100 ×（1 − 年度监测失败次数 / 监测次数）",
            },
            {
                "item": COMPONENT_ZH["bulletins"],
                "weight": weights.get("bulletins", 0.0),
                "how": "100 × 未被季通报点名的季度 / 有通报的季度",
            },
            {
                "item": COMPONENT_ZH["rectification"],
                "weight": weights.get("rectification", 0.0),
                "how": "100 × 到期已整改事项 / 到期整改事项（无到期事项计100）",
            },
        ],
    )
    return book.close()


def rubric_of_year(db: Database, year: int, through: dt.date | None) -> Any:
    from zwgk.assess.ranking import round_rubric

    return round_rubric(db, year_rounds(db, year, through)[-1].id)
