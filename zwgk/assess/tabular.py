"""Rows for exports: one record builder per export, shared by JSON, CSV, XLSX and PDF.

Every format of one round is built from the same records, so they agree with
each other and with the database by construction; formats differ only in how a
record becomes cells (:func:`cells`).  ``neutralise`` is the one guard against
spreadsheet formula injection, used by CSV and XLSX alike.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from zwgk.model import TIER_ORDER, UnitScore, ZwgkError
from zwgk.storage import results
from zwgk.storage.db import Database
from zwgk.storage.rounds import RoundInfo, list_rounds, require_round, require_round_id

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SEVERITY_ZH = {"veto": "单项否决", "deduct": "扣分", "info": "提示"}
KIND_ZH = {"portal": "政府门户网站", "department": "部门网站"}
STATUS_ZH = {"open": "待整改", "overdue": "逾期未整改", "fixed": "已整改"}
REVIEW_ZH = {"": "未核查", "confirmed": "已确认", "dismissed": "已排除"}


def neutralise(cell: Any) -> Any:
    """A text cell starting with = + - @ (or tab / CR) gets a leading apostrophe.

    Spreadsheet programs would otherwise run it as a formula (CSV injection,
    e.g. ``=HYPERLINK(...)`` in a page title).  Non-strings pass unchanged.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str  # the header (Simplified Chinese)
    width: int = 14  # xlsx column width (characters)
    link: bool = False  # http(s) values become hyperlinks in xlsx


FINDING_COLUMNS: tuple[Column, ...] = (
    Column("unit_id", "单位编码", 14),
    Column("unit_name", "单位名称", 22),
    Column("site", "网站首页", 28, link=True),
    Column("rule", "规则编码", 16),
    Column("rule_name", "规则名称", 18),
    Column("subject", "问题对象", 30),
    Column("page", "所在页面", 36, link=True),
    Column("severity", "性质", 9),
    Column("points", "扣分", 7),
    Column("indicator", "指标", 12),
    Column("message", "问题描述", 40),
    Column("fix", "整改建议", 40),
    Column("evidence", "证据", 40),
    Column("review", "核查结论", 10),
    Column("review_reason", "核查理由", 24),
    Column("reviewer", "核查人", 10),
    Column("reviewed_at", "核查时间", 18),
)

SCORE_COLUMNS: tuple[Column, ...] = (
    Column("rank", "排名", 6),
    Column("unit_id", "单位编码", 14),
    Column("unit_name", "单位名称", 24),
    Column("tier", "层级", 6),
    Column("kind", "类型", 12),
    Column("measured", "已测评", 8),
    Column("score", "得分", 8),
    Column("veto", "单项否决", 9),
    Column("passed", "合格", 6),
    Column("deductions", "扣分合计", 9),
    Column("bonus", "加分", 7),
    Column("weight", "权重", 7),
    Column("weighted", "绩效考核折算分", 14),
    Column("ipv6_score", "IPv6支持度", 10),
    Column("reason", "说明", 30),
)

# One row per site: its IPv6 support degree, the seven indicators and the inner links that
# failed over IPv6 (``zwgk.indicators.ipv6_support``; stored as ``probes["ipv6_support"]``).
IPV6_COLUMNS: tuple[Column, ...] = (
    Column("unit_id", "单位编码", 14),
    Column("unit_name", "单位名称", 24),
    Column("tier", "层级", 6),
    Column("kind", "类型", 12),
    Column("site", "网站首页", 28, link=True),
    Column("ipv6_score", "IPv6支持度", 10),
    Column("meets_target", "达标", 6),
    Column("target", "达标线", 7),
    Column("aaaa", "域名AAAA解析", 10),
    Column("home", "首页IPv6可访问", 10),
    Column("success_rate", "首页IPv6访问成功率", 12),
    Column("delegation", "IPv6解析链完整", 10),
    Column("same_content", "IPv6与IPv4首页一致", 12),
    Column("inner2", "二级内链IPv6支持率", 12),
    Column("inner3", "三级内链IPv6支持率", 12),
    Column("unmeasured", "未测指标", 14),
    Column("failing_count", "IPv6无法访问的内链数", 12),
    Column("failing_links", "IPv6无法访问的内链", 60),
    Column("details", "说明", 60),
)
IPV6_INDICATOR_KEYS = ("aaaa", "home", "success_rate", "delegation", "same_content", "inner2", "inner3")

RECTIFICATION_COLUMNS: tuple[Column, ...] = (
    Column("no", "序号", 6),
    Column("unit_id", "单位编码", 14),
    Column("unit_name", "单位名称", 22),
    Column("rule", "规则编码", 16),
    Column("rule_name", "规则名称", 18),
    Column("subject", "问题对象", 30),
    Column("page", "所在页面", 36, link=True),
    Column("severity", "性质", 9),
    Column("points", "扣分", 7),
    Column("status", "状态", 11),
    Column("deadline", "整改期限", 12),
    Column("message", "问题描述", 40),
    Column("fix", "整改要求", 40),
    Column("evidence", "证据", 36),
    Column("opened_round", "发现轮次", 14),
    Column("history", "历次检查", 30),
)


def cell_text(key: str, value: Any) -> Any:
    """How a record value appears in CSV/XLSX (numbers stay numbers)."""
    if value is None:
        return ""
    if key == "severity":
        return SEVERITY_ZH.get(value, value)
    if key == "kind":
        return KIND_ZH.get(value, value)
    if key == "status":
        return STATUS_ZH.get(value, value)
    if key == "review":
        return REVIEW_ZH.get(value, value)
    if key == "history":
        return "；".join(
            f"{h.get('round_name') or h.get('round')}: {STATUS_ZH.get(h.get('status'), h.get('status'))}" for h in value
        )
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def cells(columns: Sequence[Column], record: dict[str, Any]) -> list[Any]:
    """A record as neutralised cells in column order."""
    return [neutralise(cell_text(c.key, record.get(c.key))) for c in columns]


# ---------------------------------------------------------------- round and names


def find_round(db: Database, round_name: str) -> RoundInfo:
    """The round named ``round_name`` or an error listing the known rounds."""
    return require_round(db, round_name)


_RULE_NAMES: dict[tuple[str, str], dict[str, str]] = {}


def rule_names(info: RoundInfo | None) -> dict[str, str]:
    """rule code → 中文名 from the round's rubric, or {} when it cannot be loaded (cached per rubric)."""
    if info is None:
        return {}
    key = (info.rubric, info.rubric_hash)
    if key not in _RULE_NAMES:
        try:
            from zwgk.indicators import load_rubric

            rubric = load_rubric(info.rubric)
            names = {
                code: getattr(spec, "name_zh", "") for code, spec in (getattr(rubric, "rules", None) or {}).items()
            }
        except Exception:  # noqa: BLE001 — any rubric that will not load (gone, renamed, broken) only costs the names
            names = {}
        _RULE_NAMES[key] = names
    return _RULE_NAMES[key]


# ---------------------------------------------------------------- records


def finding_records(db: Database, info: RoundInfo, unit_id: str | None = None) -> list[dict[str, Any]]:
    names = results.unit_names(db)
    rules = rule_names(info)
    out = []
    for f in results.list_findings(db, info.id, unit_id):
        d = f.to_dict()
        d.pop("id", None)
        d.pop("round_id", None)
        unit = names.get(f.unit_id)
        d["unit_name"] = unit.name if unit else ""
        d["rule_name"] = rules.get(f.rule, "")
        d["round"] = info.name
        out.append(d)
    return out


def score_record(sc: UnitScore, round_name: str, ipv6_score: float | None = None) -> dict[str, Any]:
    d = sc.to_dict()
    d["round"] = round_name
    d["ipv6_score"] = ipv6_score
    return d


def score_records(db: Database, info: RoundInfo) -> list[dict[str, Any]]:
    support = ipv6_supports(db, info)
    return [
        score_record(s, info.name, (support.get(s.unit_id) or {}).get("score"))
        for s in results.list_scores(db, info.id)
    ]


def ipv6_supports(db: Database, info: RoundInfo) -> dict[str, dict[str, Any]]:
    """unit_id → the stored IPv6 support degree of each site of the round."""
    from zwgk.storage.snapshot import site_probe_values

    return site_probe_values(db, info.id, "ipv6_support")


def ipv6_records(db: Database, info: RoundInfo) -> list[dict[str, Any]]:
    """One record per measured site: score, target met, the seven indicators (share of each
    indicator's weight earned, 0–1) and the inner links that did not load over IPv6."""
    support = ipv6_supports(db, info)
    out = []
    for m in results.round_members(db, info.id):
        sup = support.get(m.unit.unit_id)
        if not sup:
            continue
        inds = sup.get("indicators") or {}
        failing = sup.get("failing_links") or []
        rec: dict[str, Any] = {
            "round": info.name,
            "unit_id": m.unit.unit_id,
            "unit_name": m.unit.name,
            "tier": m.unit.tier,
            "kind": m.unit.kind,
            "site": m.unit.site_url,
            "ipv6_score": sup.get("score"),
            "meets_target": sup.get("meets_target"),
            "target": sup.get("target"),
            "unmeasured": "、".join((inds.get(k) or {}).get("name", k) for k in sup.get("unmeasured") or []),
            "failing_count": len(failing),
            "failing_links": "\n".join(
                f"[{f.get('level', '')}] {f.get('url', '')} {f.get('error', '')}".strip() for f in failing
            ),
            "details": "；".join(
                f"{i.get('name', k)}：{i.get('detail', '')}" for k, i in inds.items() if i.get("detail")
            ),
            "indicators": inds,
            "failing": failing,
        }
        for key in IPV6_INDICATOR_KEYS:
            value = (inds.get(key) or {}).get("value")
            rec[key] = None if value is None else round(float(value), 4)
        out.append(rec)
    order = {t: i for i, t in enumerate(TIER_ORDER)}
    out.sort(key=lambda r: (order.get(r["tier"], 99), r["kind"] != "portal", r["unit_id"]))
    return out


def latest_round_of_unit(db: Database, unit_id: str) -> RoundInfo | None:
    """The newest round the unit takes part in (by as-of date)."""
    for info in reversed(list_rounds(db)):
        if any(m.unit.unit_id == unit_id for m in results.round_members(db, info.id)):
            return info
        if results.list_findings(db, info.id, unit_id):
            return info
    return None


def rectification_records(
    db: Database, unit_id: str, round_name: str | None = None
) -> tuple[RoundInfo | None, list[dict[str, Any]], str]:
    """The unit's 整改清单 rows (that unit only), its round, and a note for the reader.

    Items come from the tracked rectification items in force at the round;
    when the round's items were never built (``update_rectification`` not run)
    they are derived from the round's findings with the default deadline, and
    the note says so.
    """
    from zwgk.assess.rectify import add_working_days, rectifiable, rectification_list

    units = results.unit_names(db, [unit_id])
    if unit_id not in units:
        raise ZwgkError(f"no unit {unit_id!r} in the registry of {db.url}; import the registry or check the id")
    unit = units[unit_id]
    info = find_round(db, round_name) if round_name else latest_round_of_unit(db, unit_id)
    items = rectification_list(db, unit_id, info.id if info else None)
    note = ""
    rounds = {r.id: r.name for r in list_rounds(db)}
    rows: list[dict[str, Any]] = []
    if not items and info is not None:
        fs = rectifiable(results.list_findings(db, info.id, unit_id), None)
        if fs:
            note = "整改项由本轮问题生成（尚未建立整改跟踪），期限按 10 个工作日计"
            deadline = add_working_days(info.as_of, 10)
            fs.sort(key=lambda f: (f.severity != "veto", -f.points, f.rule, f.subject))
            for f in fs:
                rows.append(
                    dict(
                        unit_id=unit_id,
                        rule=f.rule,
                        subject=f.subject,
                        page=f.page,
                        severity=f.severity,
                        points=f.points,
                        status="open",
                        deadline=deadline.isoformat(),
                        message=f.message,
                        fix=f.fix,
                        evidence=dict(f.evidence),
                        opened_round=info.name,
                        history=[{"round": info.id, "round_name": info.name, "status": "open"}],
                    )
                )
    for it in items:
        rows.append(
            dict(
                unit_id=it.unit_id,
                rule=it.rule,
                subject=it.subject,
                page=it.page,
                severity=it.severity or "deduct",
                points=it.points,
                status=it.status,
                deadline=it.deadline.isoformat(),
                message=it.message,
                fix=it.fix,
                evidence={k: v for k, v in it.evidence.items() if not k.startswith("_")},
                opened_round=rounds.get(it.opened_round_id, str(it.opened_round_id)),
                history=list(it.history),
            )
        )
    names = rule_names(info)
    for i, row in enumerate(rows, start=1):
        row["no"] = i
        row["unit_name"] = unit.name
        row["rule_name"] = names.get(row["rule"], "")
    return info, rows, note


# ---------------------------------------------------------------- statistics


def _avg(xs: Iterable[float]) -> float | None:
    xs = list(xs)
    return round(sum(xs) / len(xs), 2) if xs else None


STAT_COLUMNS: tuple[Column, ...] = (
    Column("group", "分组", 18),
    Column("units", "单位数", 8),
    Column("measured", "已测评", 8),
    Column("not_measured", "未测评", 8),
    Column("passed", "合格", 7),
    Column("failed", "不合格", 8),
    Column("veto", "单项否决", 9),
    Column("pass_rate", "合格率(%)", 10),
    Column("average", "平均分", 8),
    Column("best", "最高分", 8),
    Column("worst", "最低分", 8),
)


def score_statistics(scores: Sequence[UnitScore]) -> list[dict[str, Any]]:
    """Per (tier, kind) and overall: counts, pass rate (of measured units), average/best/worst."""
    groups: dict[tuple[str, str], list[UnitScore]] = {}
    for s in scores:
        groups.setdefault((s.tier, s.kind), []).append(s)
    keys = sorted(groups, key=lambda k: (TIER_ORDER.get(k[0], 9), k[0], k[1] != "portal", k[1]))
    out = []
    for label, members in [(f"{t}·{KIND_ZH.get(k, k)}", groups[(t, k)]) for t, k in keys] + [("合计", list(scores))]:
        measured = [s for s in members if s.measured and s.score is not None]
        points = [s.score for s in measured if s.score is not None]  # all of them (typed for the checker)
        passed = [s for s in measured if s.passed]
        out.append(
            dict(
                group=label,
                units=len(members),
                measured=len(measured),
                not_measured=len(members) - len(measured),
                passed=len(passed),
                failed=len(measured) - len(passed),
                veto=sum(1 for s in measured if s.veto),
                pass_rate=round(100.0 * len(passed) / len(measured), 1) if measured else None,
                average=_avg(points),
                best=max(points, default=None),
                worst=min(points, default=None),
            )
        )
    return out


RULE_STAT_COLUMNS: tuple[Column, ...] = (
    Column("rule", "规则编码", 16),
    Column("rule_name", "规则名称", 20),
    Column("findings", "问题数", 8),
    Column("units", "涉及单位数", 10),
    Column("points", "扣分合计", 9),
    Column("dismissed", "核查排除数", 10),
)


def rule_statistics(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per rule: findings (not dismissed), units concerned, points, dismissed count."""
    by: dict[str, dict[str, Any]] = {}
    for r in records:
        s = by.setdefault(
            r["rule"],
            dict(rule=r["rule"], rule_name=r.get("rule_name", ""), findings=0, units=set(), points=0.0, dismissed=0),
        )
        if r.get("review") == "dismissed":
            s["dismissed"] += 1
            continue
        s["findings"] += 1
        s["units"].add(r["unit_id"])
        s["points"] += float(r.get("points") or 0.0)
    out = []
    for rule in sorted(by):
        s = by[rule]
        out.append({**s, "units": len(s["units"]), "points": round(s["points"], 2)})
    return out


def round_info_by_id(db: Database, round_id: int) -> RoundInfo:
    return require_round_id(db, round_id)
