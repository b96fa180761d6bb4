"""Results of a round: findings, reviews (人工核查), manual scores, scores, 整改 items.

Everything here is dialect-neutral SQLAlchemy (SQLite and PostgreSQL): no
upserts with dialect syntax, only select / delete / insert inside one
transaction, so a replace is atomic on both.

Reviews are keyed by ``(round, unit, rule, subject)`` rather than by a
finding's row id: re-evaluating a round replaces its findings but an
evaluator's decision must survive that.  Every review is kept (who, when,
why); the newest one per key is the one in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import case, delete, func, select

from zwgk.model import (
    Finding,
    Unit,
    UnitScore,
    ZwgkError,
    check_weight,
    finding_in_force,
    is_review_candidate,
    score_sort_key,
)
from zwgk.storage.db import Database, dml_result
from zwgk.storage.tables import (
    FindingRow,
    ManualFindingRow,
    ManualScoreRow,
    RectificationRow,
    ReviewRow,
    RoundRow,
    RoundSiteRow,
    ScoreRow,
    UnitRow,
    utcnow,
)

DECISIONS = ("confirmed", "dismissed")
RECTIFICATION_STATUSES = ("open", "overdue", "fixed")


# --------------------------------------------------------------------------- findings


@dataclass(slots=True)
class FindingView:
    """A stored finding plus the review in force for it (``review`` is "" if unreviewed)."""

    id: int
    round_id: int
    unit_id: str
    site: str
    rule: str
    subject: str
    page: str
    severity: str
    points: float
    evidence: dict[str, Any]
    message: str
    fix: str
    indicator: str = ""
    review: str = ""  # "" / confirmed / dismissed
    review_reason: str = ""
    reviewer: str = ""
    reviewed_at: dt.datetime | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.unit_id, self.rule, self.subject)

    @property
    def dismissed(self) -> bool:
        return self.review == "dismissed"

    @property
    def needs_review(self) -> bool:
        """A review candidate (weak evidence) not yet decided by an evaluator."""
        return is_review_candidate(self.evidence) and not self.review

    @property
    def in_force(self) -> bool:
        """Counts for points, vetoes and 整改清单 (see :func:`zwgk.model.finding_in_force`)."""
        return finding_in_force(self)

    def to_finding(self) -> Finding:
        return Finding(
            unit_id=self.unit_id,
            site=self.site,
            rule=self.rule,
            subject=self.subject,
            page=self.page,
            severity=self.severity,
            points=self.points,
            evidence=dict(self.evidence),
            message=self.message,
            fix=self.fix,
            indicator=self.indicator,
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["reviewed_at"] = self.reviewed_at.isoformat(timespec="seconds") if self.reviewed_at else None
        return d


def replace_findings(db: Database, round_id: int, unit_id: str, findings: Iterable[Finding]) -> int:
    """Replace all findings of one unit in one round (re-evaluation is idempotent).

    Duplicate keys ``(unit, rule, subject)`` within ``findings`` are merged
    (the first wins) instead of failing on the unique constraint, since a rule
    may see the same defect from two pages.  Returns the number stored.
    """
    seen: set[tuple[str, str]] = set()
    rows: list[FindingRow] = []
    for f in findings:
        if f.unit_id != unit_id:
            raise ZwgkError(f"finding {f.rule}/{f.subject!r} is for unit {f.unit_id!r}, not {unit_id!r}")
        if (f.rule, f.subject) in seen:
            continue
        seen.add((f.rule, f.subject))
        rows.append(
            FindingRow(
                round_id=round_id,
                unit_id=unit_id,
                site=f.site,
                rule=f.rule,
                subject=f.subject,
                page=f.page or "",
                severity=str(f.severity),
                points=float(f.points or 0.0),
                indicator=f.indicator or "",
                evidence=dict(f.evidence or {}),
                message=f.message or "",
                fix=f.fix or "",
            )
        )
    with db.session() as s:
        s.execute(delete(FindingRow).where(FindingRow.round_id == round_id, FindingRow.unit_id == unit_id))
        # evaluator-added findings survive re-evaluation: the hand-made one stands for its key
        for m in s.scalars(
            select(ManualFindingRow)
            .where(ManualFindingRow.round_id == round_id, ManualFindingRow.unit_id == unit_id)
            .order_by(ManualFindingRow.at, ManualFindingRow.id)
        ).all():
            site = next((r.site for r in rows if r.site), "")
            rows = [r for r in rows if (r.rule, r.subject) != (m.rule, m.subject)]
            rows.append(_manual_finding_row(m))
            rows[-1].site = site
        s.add_all(rows)
    return len(rows)


# --------------------------------------------------------------------------- manual findings

MAX_SCREENSHOT_BYTES = 10 * 1024 * 1024
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF")


@dataclass(frozen=True, slots=True)
class ManualFinding:
    """An evaluator-added finding and its audit record (who, when, why)."""

    id: int
    round_id: int
    unit_id: str
    rule: str
    subject: str
    page: str
    severity: str
    points: float
    note: str
    added_by: str
    at: dt.datetime
    screenshot_name: str = ""
    screenshot_sha256: str = ""


def _manual_evidence(m: ManualFindingRow) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "source": "manual",
        "note": m.note,
        "added_by": m.added_by,
        "added_at": m.at.isoformat(timespec="seconds"),
        "url": m.page,
    }
    if m.screenshot_sha256:
        evidence["screenshot"] = {"name": m.screenshot_name, "sha256": m.screenshot_sha256, "manual_finding_id": m.id}
    return evidence


def _manual_finding_row(m: ManualFindingRow) -> FindingRow:
    return FindingRow(
        round_id=m.round_id,
        unit_id=m.unit_id,
        site="",
        rule=m.rule,
        subject=m.subject,
        page=m.page,
        severity=m.severity,
        points=m.points,
        indicator=m.indicator,
        evidence=_manual_evidence(m),
        message=m.message,
        fix=m.fix,
    )


def add_manual_finding(
    db: Database,
    round_id: int,
    unit_id: str,
    rule: str,
    url: str,
    note: str,
    added_by: str,
    *,
    severity: str,
    points: float,
    indicator: str,
    message: str,
    fix: str,
    subject: str | None = None,
    screenshot: tuple[str, bytes] | None = None,
) -> ManualFinding:
    """Store a hand-made finding (or veto) with its audit record and put it among the findings.

    A confirming review by the same evaluator is recorded with the note as its
    reason, so ``zwgk review list`` shows who added it, when and why; dismissing
    it later (``zwgk review dismiss``) takes it out of scores and 整改清单 again.
    """
    import hashlib

    if not (note or "").strip():
        raise ZwgkError("a hand-made finding needs a note (说明): say what was seen and why it is a problem")
    if not (added_by or "").strip():
        raise ZwgkError("a hand-made finding needs the evaluator's name (--by)")
    if not (url or "").strip():
        raise ZwgkError("a hand-made finding needs the URL where the problem was seen (--url)")
    if severity not in ("veto", "deduct", "info"):
        raise ZwgkError(f"severity must be veto, deduct or info, not {severity!r}")
    name, data = screenshot if screenshot else ("", None)
    if data is not None:
        if len(data) > MAX_SCREENSHOT_BYTES:
            raise ZwgkError(f"{name}: screenshot is {len(data)} bytes; at most {MAX_SCREENSHOT_BYTES} (10 MB)")
        if not data.startswith(_IMAGE_MAGIC):
            raise ZwgkError(f"{name}: not a PNG, JPEG, GIF or WebP image")
    subject = (subject or url).strip()
    with db.session() as s:
        member = s.scalar(
            select(RoundSiteRow.unit_id).where(RoundSiteRow.round_id == round_id, RoundSiteRow.unit_id == unit_id)
        )
        if member is None:
            raise ZwgkError(f"unit {unit_id!r} is not part of round id {round_id}")
        row = ManualFindingRow(
            round_id=round_id,
            unit_id=unit_id,
            rule=rule,
            subject=subject,
            page=url.strip(),
            severity=severity,
            points=float(points),
            indicator=indicator,
            note=note.strip(),
            message=message,
            fix=fix,
            screenshot_name=name,
            screenshot_sha256=hashlib.sha256(data).hexdigest() if data else "",
            screenshot=data,
            added_by=added_by.strip(),
            at=utcnow(),
        )
        s.add(row)
        s.flush()
        s.execute(
            delete(FindingRow).where(
                FindingRow.round_id == round_id,
                FindingRow.unit_id == unit_id,
                FindingRow.rule == rule,
                FindingRow.subject == subject,
            )
        )
        site = (
            s.scalar(
                select(RoundSiteRow.site_url).where(RoundSiteRow.round_id == round_id, RoundSiteRow.unit_id == unit_id)
            )
            or ""
        )
        finding = _manual_finding_row(row)
        finding.site = site
        s.add(finding)
        s.add(
            ReviewRow(
                round_id=round_id,
                unit_id=unit_id,
                rule=rule,
                subject=subject,
                decision="confirmed",
                reason=f"人工添加 added by hand: {note.strip()}",
                reviewer=added_by.strip(),
                at=row.at,
            )
        )
        return ManualFinding(
            row.id,
            round_id,
            unit_id,
            rule,
            subject,
            row.page,
            severity,
            row.points,
            row.note,
            row.added_by,
            row.at,
            name,
            row.screenshot_sha256,
        )


def manual_findings(db: Database, round_id: int, unit_id: str | None = None) -> list[ManualFinding]:
    """The round's hand-made findings (audit records), oldest first."""
    with db.session() as s:
        q = select(ManualFindingRow).where(ManualFindingRow.round_id == round_id)
        if unit_id is not None:
            q = q.where(ManualFindingRow.unit_id == unit_id)
        return [
            ManualFinding(
                m.id,
                m.round_id,
                m.unit_id,
                m.rule,
                m.subject,
                m.page,
                m.severity,
                m.points,
                m.note,
                m.added_by,
                m.at,
                m.screenshot_name,
                m.screenshot_sha256,
            )
            for m in s.scalars(q.order_by(ManualFindingRow.at, ManualFindingRow.id)).all()
        ]


def manual_finding_screenshot(db: Database, manual_finding_id: int) -> tuple[str, bytes] | None:
    """The screenshot file of a hand-made finding (name, bytes), if one was attached."""
    with db.session() as s:
        m = s.get(ManualFindingRow, manual_finding_id)
        if m is None or m.screenshot is None:
            return None
        return m.screenshot_name, bytes(m.screenshot)


def list_findings(
    db: Database,
    round_id: int,
    unit_id: str | None = None,
    rule: str | None = None,
    include_dismissed: bool = True,
    *,
    unit_ids: Collection[str] | None = None,
    severity: str | None = None,
) -> list[FindingView]:
    """Findings of a round (optionally one unit / one rule / one severity) with their review in force.

    ``unit_ids`` limits them to those units in SQL (a department's scope: other units'
    rows never leave the database).  Ordered by unit, rule, subject so every export lists
    them the same way.
    """
    with db.session() as s:
        q = select(FindingRow).where(FindingRow.round_id == round_id)
        if unit_id is not None:
            q = q.where(FindingRow.unit_id == unit_id)
        if unit_ids is not None:
            q = q.where(FindingRow.unit_id.in_(list(unit_ids)))
        if rule is not None:
            q = q.where(FindingRow.rule == rule)
        if severity is not None:
            q = q.where(FindingRow.severity == severity)
        rows = s.scalars(q.order_by(FindingRow.unit_id, FindingRow.rule, FindingRow.subject, FindingRow.id)).all()
        reviews = _reviews_in_force(s, round_id, unit_id, unit_ids)
    out: list[FindingView] = []
    for r in rows:
        rv = reviews.get((r.unit_id, r.rule, r.subject))
        view = FindingView(
            id=r.id,
            round_id=r.round_id,
            unit_id=r.unit_id,
            site=r.site,
            rule=r.rule,
            subject=r.subject,
            page=r.page,
            severity=r.severity,
            points=r.points,
            evidence=dict(r.evidence or {}),
            message=r.message,
            fix=r.fix,
            indicator=r.indicator,
            review=rv.decision if rv else "",
            review_reason=rv.reason if rv else "",
            reviewer=rv.reviewer if rv else "",
            reviewed_at=rv.at if rv else None,
        )
        if view.dismissed and not include_dismissed:
            continue
        out.append(view)
    return out


def finding_unit_ids(db: Database, round_id: int) -> list[str]:
    """Units that have at least one stored finding in the round."""
    with db.session() as s:
        return list(
            s.scalars(
                select(FindingRow.unit_id)
                .where(FindingRow.round_id == round_id)
                .distinct()
                .order_by(FindingRow.unit_id)
            )
        )


# --------------------------------------------------------------------------- reviews


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    round_id: int
    unit_id: str
    rule: str
    subject: str
    decision: str
    reason: str
    reviewer: str
    at: dt.datetime


def _review(r: ReviewRow) -> Review:
    return Review(r.id, r.round_id, r.unit_id, r.rule, r.subject, r.decision, r.reason, r.reviewer, r.at)


def _reviews_in_force(
    s: Any, round_id: int, unit_id: str | None = None, unit_ids: Collection[str] | None = None
) -> dict[tuple[str, str, str], ReviewRow]:
    """The review in force per finding key: the newest (by time, then id).  The only place
    that decides it; ``FindingView.in_force`` (``model.finding_in_force``) builds on it."""
    q = select(ReviewRow).where(ReviewRow.round_id == round_id)
    if unit_id is not None:
        q = q.where(ReviewRow.unit_id == unit_id)
    if unit_ids is not None:
        q = q.where(ReviewRow.unit_id.in_(list(unit_ids)))
    newest: dict[tuple[str, str, str], ReviewRow] = {}
    for r in s.scalars(q.order_by(ReviewRow.at, ReviewRow.id)).all():
        newest[(r.unit_id, r.rule, r.subject)] = r  # later rows overwrite: newest wins
    return newest


def add_review(
    db: Database,
    round_id: int,
    unit_id: str,
    rule: str,
    subject: str,
    decision: str,
    reason: str,
    reviewer: str,
    *,
    require_finding: bool = True,
) -> Review:
    """Record an evaluator's decision on a finding (comply-or-explain: a reason is required).

    With ``require_finding`` (default) the finding must exist in the round,
    so a typo in rule or subject is an error rather than a silent no-op.
    """
    if decision not in DECISIONS:
        raise ZwgkError(f"review decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if not (reason or "").strip():
        raise ZwgkError("a review needs a reason (核查理由): say why the finding is confirmed or dismissed")
    if not (reviewer or "").strip():
        raise ZwgkError("a review needs the reviewer's name (--by)")
    with db.session() as s:
        if require_finding:
            exists = s.scalar(
                select(FindingRow.id).where(
                    FindingRow.round_id == round_id,
                    FindingRow.unit_id == unit_id,
                    FindingRow.rule == rule,
                    FindingRow.subject == subject,
                )
            )
            if exists is None:
                known = s.scalars(
                    select(FindingRow.subject).where(
                        FindingRow.round_id == round_id, FindingRow.unit_id == unit_id, FindingRow.rule == rule
                    )
                ).all()
                hint = f"; subjects of {rule} for this unit: {', '.join(known[:10])}" if known else ""
                raise ZwgkError(f"no finding {rule} {subject!r} for unit {unit_id!r} in round id {round_id}{hint}")
        row = ReviewRow(
            round_id=round_id,
            unit_id=unit_id,
            rule=rule,
            subject=subject,
            decision=decision,
            reason=reason.strip(),
            reviewer=reviewer.strip(),
            at=utcnow(),
        )
        s.add(row)
        s.flush()
        return _review(row)


def reviews_for(
    db: Database,
    round_id: int,
    unit_id: str | None = None,
    rule: str | None = None,
    subject: str | None = None,
) -> list[Review]:
    """Every review (full history, oldest first) matching the filters."""
    with db.session() as s:
        q = select(ReviewRow).where(ReviewRow.round_id == round_id)
        if unit_id is not None:
            q = q.where(ReviewRow.unit_id == unit_id)
        if rule is not None:
            q = q.where(ReviewRow.rule == rule)
        if subject is not None:
            q = q.where(ReviewRow.subject == subject)
        return [_review(r) for r in s.scalars(q.order_by(ReviewRow.at, ReviewRow.id)).all()]


# --------------------------------------------------------------------------- manual scores


@dataclass(frozen=True, slots=True)
class ManualScore:
    unit_id: str
    item: str
    score: float
    evidence: str = ""
    entered_by: str = ""
    at: dt.datetime | None = None


def set_manual_score(
    db: Database,
    round_id: int,
    unit_id: str,
    item: str,
    score: float,
    evidence: str = "",
    entered_by: str = "",
) -> None:
    """Enter (or overwrite) an evaluator-scored 政务公开 item, 0..100."""
    try:
        value = float(score)
    except (TypeError, ValueError):
        raise ZwgkError(f"manual score for {unit_id}/{item} must be a number 0..100, not {score!r}") from None
    if not 0.0 <= value <= 100.0:
        raise ZwgkError(f"manual score for {unit_id}/{item} must be within 0..100, not {value:g}")
    if not item.strip():
        raise ZwgkError(f"manual score for {unit_id}: item name is empty")
    with db.session() as s:
        row = s.scalar(
            select(ManualScoreRow).where(
                ManualScoreRow.round_id == round_id, ManualScoreRow.unit_id == unit_id, ManualScoreRow.item == item
            )
        )
        if row is None:
            s.add(
                ManualScoreRow(
                    round_id=round_id,
                    unit_id=unit_id,
                    item=item,
                    score=value,
                    evidence=evidence or "",
                    entered_by=entered_by or "",
                    at=utcnow(),
                )
            )
        else:
            row.score, row.evidence, row.entered_by, row.at = value, evidence or "", entered_by or "", utcnow()


def manual_scores(db: Database, round_id: int, unit_id: str | None = None) -> dict[str, dict[str, ManualScore]]:
    """unit_id → item → ManualScore for the round (one unit's with ``unit_id``)."""
    out: dict[str, dict[str, ManualScore]] = {}
    with db.session() as s:
        q = select(ManualScoreRow).where(ManualScoreRow.round_id == round_id)
        if unit_id is not None:
            q = q.where(ManualScoreRow.unit_id == unit_id)
        for r in s.scalars(q.order_by(ManualScoreRow.unit_id, ManualScoreRow.item)).all():
            out.setdefault(r.unit_id, {})[r.item] = ManualScore(
                r.unit_id, r.item, r.score, r.evidence, r.entered_by, r.at
            )
    return out


# --------------------------------------------------------------------------- scores


def replace_scores(db: Database, round_id: int, scores: Iterable[UnitScore]) -> int:
    """Replace every score of the round (weights are re-checked: ≥ 4%)."""
    rows = []
    for sc in scores:
        check_weight(sc.weight, f"weight of {sc.unit_id}")
        rows.append(
            ScoreRow(
                round_id=round_id,
                unit_id=sc.unit_id,
                unit_name=sc.unit_name,
                tier=sc.tier,
                kind=sc.kind,
                measured=sc.measured,
                score=sc.score,
                veto=sc.veto,
                passed=sc.passed,
                weight=sc.weight,
                weighted=sc.weighted,
                rank=sc.rank,
                reason=sc.reason or "",
                deductions=sc.deductions,
                bonus=sc.bonus,
                breakdown=dict(sc.breakdown or {}),
            )
        )
    with db.session() as s:
        s.execute(delete(ScoreRow).where(ScoreRow.round_id == round_id))
        s.add_all(rows)
    return len(rows)


def _unit_score(r: ScoreRow) -> UnitScore:
    return UnitScore(
        unit_id=r.unit_id,
        unit_name=r.unit_name,
        tier=r.tier,
        kind=r.kind,
        measured=r.measured,
        score=r.score,
        veto=r.veto,
        passed=r.passed,
        weight=r.weight,
        weighted=r.weighted,
        rank=r.rank,
        reason=r.reason,
        deductions=r.deductions,
        bonus=r.bonus,
        breakdown=dict(r.breakdown or {}),
    )


def list_scores(
    db: Database, round_id: int, tier: str | None = None, *, unit_ids: Collection[str] | None = None
) -> list[UnitScore]:
    """Scores of a round, in ranking order (tier, kind, rank; not measured last); ``unit_ids``
    limits them to those units in SQL."""
    with db.session() as s:
        q = select(ScoreRow).where(ScoreRow.round_id == round_id)
        if tier is not None:
            q = q.where(ScoreRow.tier == tier)
        if unit_ids is not None:
            q = q.where(ScoreRow.unit_id.in_(list(unit_ids)))
        scores = [_unit_score(r) for r in s.scalars(q).all()]
    return sorted(scores, key=score_sort_key)


# --------------------------------------------------------------------------- round members


@dataclass(frozen=True, slots=True)
class RoundMember:
    """A unit taking part in a round, with its crawl state (``failed`` = not measured)."""

    unit: Unit
    state: str
    reason: str


def round_members(db: Database, round_id: int) -> list[RoundMember]:
    """Units of the round (round_sites joined with units), by unit_id."""
    with db.session() as s:
        rows = s.execute(
            select(UnitRow, RoundSiteRow.state, RoundSiteRow.reason, RoundSiteRow.site_url)
            .join(RoundSiteRow, RoundSiteRow.unit_id == UnitRow.unit_id)
            .where(RoundSiteRow.round_id == round_id)
            .order_by(UnitRow.unit_id)
        ).all()
    out = []
    for u, state, reason, site_url in rows:
        unit = Unit(
            unit_id=u.unit_id,
            name=u.name,
            tier=u.tier,
            kind=u.kind,
            site_url=site_url or u.site_url,
            region=u.region or "",
            parent_id=u.parent_id,
            site_code=u.site_code or "",
            has_services=bool(u.has_services),
        )
        out.append(RoundMember(unit, state or "", reason or ""))
    return out


def unit_names(db: Database, unit_ids: Iterable[str] | None = None) -> dict[str, Unit]:
    """unit_id → Unit from the units table (all units when ``unit_ids`` is None)."""
    with db.session() as s:
        q = select(UnitRow)
        if unit_ids is not None:
            q = q.where(UnitRow.unit_id.in_(list(unit_ids)))
        rows = s.scalars(q).all()
        return {
            u.unit_id: Unit(
                u.unit_id,
                u.name,
                u.tier,
                u.kind,
                u.site_url,
                u.region or "",
                u.parent_id,
                u.site_code or "",
                bool(u.has_services),
            )
            for u in rows
        }


# --------------------------------------------------------------------------- rectification items


@dataclass(slots=True)
class RectificationView:
    """One 整改 item of a unit, tracked across rounds.

    ``history`` is ``[{"round": round_id, "round_name": name, "status": status}]``.
    ``id`` is None for an item not yet stored.
    """

    unit_id: str
    rule: str
    subject: str
    opened_round_id: int
    last_seen_round_id: int
    deadline: dt.date
    status: str = "open"
    closed_round_id: int | None = None
    points: float = 0.0
    page: str = ""
    message: str = ""
    fix: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    id: int | None = None
    severity: str = ""  # filled from evidence["_severity"] for ordering (veto first)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["deadline"] = self.deadline.isoformat()
        return d


def _rect_view(r: RectificationRow) -> RectificationView:
    evidence = dict(r.evidence or {})
    return RectificationView(
        id=r.id,
        unit_id=r.unit_id,
        rule=r.rule,
        subject=r.subject,
        opened_round_id=r.opened_round_id,
        last_seen_round_id=r.last_seen_round_id,
        closed_round_id=r.closed_round_id,
        status=r.status,
        deadline=r.deadline,
        points=r.points,
        page=r.page,
        message=r.message,
        fix=r.fix,
        evidence=evidence,
        history=list(r.history or []),
        severity=str(evidence.get("_severity", "")),
    )


def list_rectification_items(
    db: Database,
    unit_id: str | None = None,
    *,
    status: str | Iterable[str] | None = None,
    opened_round_id: int | None = None,
    unit_ids: Collection[str] | None = None,
) -> list[RectificationView]:
    """Stored 整改 items (all rounds), optionally filtered (``unit_ids``: in SQL); by unit, id."""
    with db.session() as s:
        q = select(RectificationRow)
        if unit_id is not None:
            q = q.where(RectificationRow.unit_id == unit_id)
        if unit_ids is not None:
            q = q.where(RectificationRow.unit_id.in_(list(unit_ids)))
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            q = q.where(RectificationRow.status.in_(statuses))
        if opened_round_id is not None:
            q = q.where(RectificationRow.opened_round_id == opened_round_id)
        return [_rect_view(r) for r in s.scalars(q.order_by(RectificationRow.unit_id, RectificationRow.id)).all()]


def save_rectification_items(db: Database, items: Iterable[RectificationView]) -> list[int]:
    """Insert items with ``id`` None, update the others; returns their ids (all in one transaction)."""
    ids: list[int] = []
    items = list(items)
    wanted = [it.id for it in items if it.id is not None]
    with db.session() as s:
        existing: dict[int, RectificationRow] = {}
        for start in range(0, len(wanted), 500):  # one query per chunk, not one per item
            chunk = wanted[start : start + 500]
            existing.update(
                {r.id: r for r in s.scalars(select(RectificationRow).where(RectificationRow.id.in_(chunk)))}
            )
        for it in items:
            if it.status not in RECTIFICATION_STATUSES:
                raise ZwgkError(f"rectification status must be one of {RECTIFICATION_STATUSES}, not {it.status!r}")
            evidence = dict(it.evidence or {})
            if it.severity:
                evidence["_severity"] = it.severity
            values = dict(
                unit_id=it.unit_id,
                rule=it.rule,
                subject=it.subject,
                opened_round_id=it.opened_round_id,
                last_seen_round_id=it.last_seen_round_id,
                closed_round_id=it.closed_round_id,
                status=it.status,
                deadline=it.deadline,
                points=float(it.points or 0.0),
                page=it.page or "",
                message=it.message or "",
                fix=it.fix or "",
                evidence=evidence,
                history=list(it.history or []),
            )
            if it.id is None:
                row = RectificationRow(**values)
                s.add(row)
                s.flush()
                it.id = row.id
            else:
                stored = existing.get(it.id)
                if stored is None:
                    raise ZwgkError(f"rectification item id {it.id} does not exist")
                for k, v in values.items():
                    setattr(stored, k, v)
            ids.append(it.id)
    return ids


def delete_rectification_items(db: Database, ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    with db.session() as s:
        res = dml_result(s.execute(delete(RectificationRow).where(RectificationRow.id.in_(ids))))
        return res.rowcount or 0


# --------------------------------------------------------------------------- summaries across rounds


@dataclass(frozen=True, slots=True)
class RoundSummary:
    """One round's totals over a set of units (the dashboard's trend chart)."""

    round_id: int
    round: str
    as_of: dt.date
    units: int
    measured: int
    mean_score: float | None
    passed: int
    vetoes: int


def round_summaries(db: Database, unit_ids: Collection[str] | None = None) -> list[RoundSummary]:
    """Per round with scores (oldest first): units, measured, mean score, passed, vetoes —
    aggregated in SQL over ``unit_ids`` (all units when None)."""
    measured = ScoreRow.measured.is_(True)
    q = select(
        RoundRow.id,
        RoundRow.name,
        RoundRow.as_of,
        func.count(ScoreRow.unit_id),
        func.sum(case((measured, 1), else_=0)),
        func.avg(case((measured, ScoreRow.score), else_=None)),
        func.sum(case((measured & ScoreRow.passed.is_(True), 1), else_=0)),
        func.sum(case((measured & ScoreRow.veto.is_(True), 1), else_=0)),
    ).join(ScoreRow, ScoreRow.round_id == RoundRow.id)
    if unit_ids is not None:
        q = q.where(ScoreRow.unit_id.in_(list(unit_ids)))
    q = q.group_by(RoundRow.id, RoundRow.name, RoundRow.as_of).order_by(RoundRow.as_of, RoundRow.id)
    with db.session() as s:
        rows = s.execute(q).all()
    return [
        RoundSummary(
            rid, name, as_of, int(n or 0), int(m or 0), None if avg is None else float(avg), int(p or 0), int(v or 0)
        )
        for rid, name, as_of, n, m, avg, p, v in rows
    ]


@dataclass(frozen=True, slots=True)
class ScoreHistory:
    """A unit's score in one round (its history across rounds)."""

    round: str
    as_of: dt.date
    score: float | None
    rank: int | None
    passed: bool
    veto: bool
    measured: bool


def unit_score_history(db: Database, unit_id: str) -> list[ScoreHistory]:
    """The unit's score in every round that scored it, oldest first."""
    with db.session() as s:
        rows = s.execute(
            select(
                RoundRow.name,
                RoundRow.as_of,
                ScoreRow.score,
                ScoreRow.rank,
                ScoreRow.passed,
                ScoreRow.veto,
                ScoreRow.measured,
            )
            .join(RoundRow, RoundRow.id == ScoreRow.round_id)
            .where(ScoreRow.unit_id == unit_id)
            .order_by(RoundRow.as_of, RoundRow.id)
        ).all()
    return [ScoreHistory(*row) for row in rows]


def round_unit_ids_scored(db: Database, round_id: int) -> set[str]:
    """Units of a round: those with a score or a site in it."""
    with db.session() as s:
        scored = set(s.scalars(select(ScoreRow.unit_id).where(ScoreRow.round_id == round_id)))
        sites = set(s.scalars(select(RoundSiteRow.unit_id).where(RoundSiteRow.round_id == round_id)))
    return scored | sites


def finding_rules(db: Database, round_id: int, unit_ids: Collection[str] | None = None) -> list[str]:
    """The rule codes with findings in the round (over ``unit_ids``), sorted."""
    q = select(FindingRow.rule).where(FindingRow.round_id == round_id)
    if unit_ids is not None:
        q = q.where(FindingRow.unit_id.in_(list(unit_ids)))
    with db.session() as s:
        return sorted(set(s.scalars(q.distinct())))
