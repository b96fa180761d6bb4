"""The database schema (SQLAlchemy 2 declarative), one table per concept.

SQLite (WAL) is the embedded default and PostgreSQL the team database; the
same schema and the same Alembic migrations serve both, so only portable
types are used (JSON, not JSONB; String, not ARRAY).

Change the schema only together with a migration in ``migrations/versions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    # Read once by SQLAlchemy when the base is declared: JSON columns for dict/list annotations.
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class UnitRow(Base):
    """A unit from the site registry (a government or a department)."""

    __tablename__ = "units"
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(100), default="")
    parent_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    site_url: Mapped[str] = mapped_column(String(500))
    site_code: Mapped[str] = mapped_column(String(32), default="")
    has_services: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(300), default="")  # registry file:line
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RoundRow(Base):
    """An assessment round: a registry, a rubric version, an as-of date, a snapshot."""

    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    rubric: Mapped[str] = mapped_column(String(200))  # rubric name or path
    rubric_hash: Mapped[str] = mapped_column(String(64), default="")
    rubric_text: Mapped[str] = mapped_column(Text, default="")  # the resolved rubric, for audit
    weight: Mapped[float] = mapped_column(Float, default=0.04)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running/crawled/done/failed
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    previous_round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class RoundSiteRow(Base):
    """A unit's site within a round: crawl state (for resume) and site-level probes."""

    __tablename__ = "round_sites"
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.unit_id"), primary_key=True)
    site_url: Mapped[str] = mapped_column(String(500))
    # pending / crawling / crawled / evaluated / failed
    state: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")  # why failed / not measured
    pages: Mapped[int] = mapped_column(Integer, default=0)
    probes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # ipv6, dns, robots …
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # counts, timings
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class PageRow(Base):
    """Every URL fetched in a round (the crawl snapshot), one row per (round, unit, url)."""

    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2000))
    final_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    depth: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text, default="")
    pub_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    date_source: Mapped[str] = mapped_column(String(64), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    charset: Mapped[str] = mapped_column(String(32), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    elapsed_ms: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(Text, default="")
    etag: Mapped[str] = mapped_column(String(200), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    fetched_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    __table_args__ = (
        UniqueConstraint("round_id", "unit_id", "url", name="uq_pages_round_unit_url"),
        Index("ix_pages_round_unit", "round_id", "unit_id"),
    )


class LinkRow(Base):
    """A link seen on a crawled page (source → target)."""

    __tablename__ = "links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(2000))
    target: Mapped[str] = mapped_column(String(2000))
    anchor: Mapped[str] = mapped_column(Text, default="")
    tag: Mapped[str] = mapped_column(String(16), default="a")
    __table_args__ = (
        UniqueConstraint("round_id", "unit_id", "source", "target", name="uq_links"),
        Index("ix_links_round_unit", "round_id", "unit_id"),
    )


class FindingRow(Base):
    """A finding of a rule on a unit in a round; pure function of the snapshot + rubric."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(String(64))
    site: Mapped[str] = mapped_column(String(500))
    rule: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(2000))
    page: Mapped[str] = mapped_column(String(2000), default="")
    severity: Mapped[str] = mapped_column(String(8))
    points: Mapped[float] = mapped_column(Float, default=0.0)
    indicator: Mapped[str] = mapped_column(String(64), default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    fix: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        UniqueConstraint("round_id", "unit_id", "rule", "subject", name="uq_findings_key"),
        Index("ix_findings_round_unit", "round_id", "unit_id"),
    )


class ReviewRow(Base):
    """人工核查: an evaluator confirms or dismisses a finding (comply-or-explain).

    Keyed by (round, unit, rule, subject) rather than the finding's row id, so
    a review survives re-evaluation of the round.  Every review is kept; the
    newest one per key is in force.
    """

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(2000))
    decision: Mapped[str] = mapped_column(String(16))  # confirmed / dismissed
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ManualFindingRow(Base):
    """A finding or veto an evaluator added by hand (URL, rule, note, optional screenshot).

    The audit record of who added it, when and why; re-evaluating the unit
    puts it back among the round's findings (``results.replace_findings``), so
    a hand-made finding survives a re-run until an evaluator dismisses it.
    """

    __tablename__ = "manual_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(2000))
    page: Mapped[str] = mapped_column(String(2000), default="")
    severity: Mapped[str] = mapped_column(String(8))
    points: Mapped[float] = mapped_column(Float, default=0.0)
    indicator: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text, default="")
    fix: Mapped[str] = mapped_column(Text, default="")
    screenshot_name: Mapped[str] = mapped_column(String(300), default="")
    screenshot_sha256: Mapped[str] = mapped_column(String(64), default="")
    screenshot: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    added_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_manual_findings_round_unit", "round_id", "unit_id"),)


class ManualScoreRow(Base):
    """Evaluator-entered 政务公开 items no crawler can see (依申请公开, 年报质量 …)."""

    __tablename__ = "manual_scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)  # 0..100 for the item
    evidence: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("round_id", "unit_id", "item", name="uq_manual_scores"),)


class ScoreRow(Base):
    """A unit's score and rank in a round."""

    __tablename__ = "scores"
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    measured: Mapped[bool] = mapped_column(Boolean, default=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    veto: Mapped[bool] = mapped_column(Boolean, default=False)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    weight: Mapped[float] = mapped_column(Float)
    weighted: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    deductions: Mapped[float] = mapped_column(Float, default=0.0)
    bonus: Mapped[float] = mapped_column(Float, default=0.0)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RectificationRow(Base):
    """An item of a unit's 整改清单, tracked from round to round.

    ``key`` = rule + subject; the round that opened it, its deadline, and the
    round that found it fixed (or still open) are kept so history is visible.
    """

    __tablename__ = "rectification_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(2000))
    opened_round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    last_seen_round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    closed_round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open / fixed / overdue
    deadline: Mapped[dt.date] = mapped_column(Date)
    points: Mapped[float] = mapped_column(Float, default=0.0)
    page: Mapped[str] = mapped_column(String(2000), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    fix: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{round, status}]
    __table_args__ = (Index("ix_rect_unit", "unit_id"),)


class ProbeRow(Base):
    """One availability probe of a homepage (日监测)."""

    __tablename__ = "probes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    error_class: Mapped[str] = mapped_column(String(32), default="")
    newest_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # True: the homepage fetched over IPv6 only (the IPv6 success rate); False: the
    # availability probe (AVAIL-DOWN, FRESH-HOME, alerts, bulletins).  Migration 0010.
    ipv6: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    __table_args__ = (Index("ix_probes_unit_at", "unit_id", "at"),)


class UserRow(Base):
    """A dashboard user: leader, evaluator or department (bound to its units)."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # leader / evaluator / department
    unit_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LoginThrottleRow(Base):
    """Failed logins per key: ``account:<name>`` (any name, existing or not) and ``client:<address>``.

    Kept apart from ``users`` so an unknown name is throttled exactly like a real one (the
    refusal must not tell which names exist); ``users.failed_logins``/``locked_until`` are no
    longer written (superseded by this table, migration 0003).
    """

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure: Mapped[dt.datetime] = mapped_column(DateTime)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class DashboardSessionRow(Base):
    """A dashboard login: the browser holds a signed cookie naming ``id`` (a random token's hash)."""

    __tablename__ = "dashboard_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token, hex
    username: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)  # absolute lifetime, never extended
    client: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    __table_args__ = (Index("ix_dashboard_sessions_user", "username"),)


class ProbeDayRow(Base):
    """Daily aggregate of a homepage's probes once the raw probes are old (see storage.probes)."""

    __tablename__ = "probe_days"
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    probes: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # error_class → count
    latency_ms_avg: Mapped[float | None] = mapped_column(Float, nullable=True)
    newest_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    fingerprints: Mapped[int] = mapped_column(Integer, default=0)  # distinct homepage fingerprints
    last_fingerprint: Mapped[str] = mapped_column(String(64), default="")


class AlertRow(Base):
    """A monitoring alert (site down / veto finding): one row per incident, for de-duplication."""

    __tablename__ = "monitor_alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # down / veto
    key: Mapped[str] = mapped_column(String(2000), default="")  # veto: "RULE|subject"; down: ""
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    __table_args__ = (Index("ix_alerts_unit_kind", "unit_id", "kind"),)


class RoundLeaseRow(Base):
    """Who runs a round right now: one row per round name, held by one process at a time.

    ``token`` is the holder's secret; every renewal and release is a compare-and-set on
    it, so a process that lost its lease (it stalled past ``expires_at`` and another
    process took over) can never extend or release the new holder's lease.
    """

    __tablename__ = "round_leases"
    round_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(300))  # "host/pid/started" as shown to users
    host: Mapped[str] = mapped_column(String(200), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ArchiveRecordRow(Base):
    """Where the WARC record of one fetched URL lives (the page as the assessor saw it).

    One row per (round, unit, url), ``url`` being the URL requested (every redirect hop
    has its own row).  ``warc_file`` is relative to the round's archive directory;
    ``offset``/``length`` delimit the gzip member of the response (or revisit / metadata)
    record, the request record follows it (``request_length`` bytes).  A revisit names
    the record holding the payload in ``refers_*`` (usually an earlier round's file).
    ``outcome``/``error``/``attempts`` are the fetcher's verdict, so a round can be
    re-judged from its archive exactly as it was judged live.
    """

    __tablename__ = "archive_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2000))
    record_type: Mapped[str] = mapped_column(String(16))  # response / revisit / metadata
    record_id: Mapped[str] = mapped_column(String(100), default="")
    warc_file: Mapped[str] = mapped_column(String(500))
    offset: Mapped[int] = mapped_column(BigInteger)
    length: Mapped[int] = mapped_column(Integer)
    request_length: Mapped[int] = mapped_column(Integer, default=0)
    refers_file: Mapped[str | None] = mapped_column(String(500), nullable=True)
    refers_offset: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    refers_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payload_digest: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("round_id", "unit_id", "url", name="uq_archive_round_unit_url"),
        Index("ix_archive_round_unit", "round_id", "unit_id"),
        Index("ix_archive_unit_url", "unit_id", "url"),
    )


class MetaRow(Base):
    """Facts about the database itself; ``database_id`` is a random id made when it was created.

    Workers compare the id of the database they were configured with against the
    fingerprint a task carries, so a task of another database is refused, never
    run against the wrong one (task messages carry ids, never a URL or password).
    """

    __tablename__ = "zwgk_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class MonitorJobRunRow(Base):
    """One run of a scheduled monitoring job (月检查, 季通报, 年考核 …) for one due time.

    The scheduler reads the latest due time done per job at start, so a job whose due
    time passed while the monitor was down is run once on restart (catch-up).
    """

    __tablename__ = "monitor_job_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64))
    due: Mapped[dt.datetime] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    caught_up: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_monitor_job_runs_job_due", "job", "due"),)


class InfoRequestRow(Base):
    """One 政府信息公开申请 from a unit's own register (依申请公开台账), or an inspector's channel test.

    ``kind`` is ``application`` (a row of the unit's ledger: ``zwgk requests import`` replaces a
    unit's applications as a whole) or ``test`` (an application an inspector sent to test a
    channel: ``zwgk requests test``, kept across ledger imports).  Dates stay NULL when the
    ledger's cell could not be read; ``raw`` keeps the row's cells as imported (evidence).
    """

    __tablename__ = "info_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="application")
    ref: Mapped[str] = mapped_column(String(100), default="")  # 申请编号 / 受理编号
    received: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    channel: Mapped[str] = mapped_column(String(50), default="")
    applicant: Mapped[str] = mapped_column(String(50), default="")
    replied: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    result: Mapped[str] = mapped_column(String(200), default="")
    extended: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # NULL: the cell said neither
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")  # file:line
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_info_requests_unit", "unit_id", "kind"),)


class MediaAccountRow(Base):
    """A unit's 政务新媒体 account on the registry the unit reports (platform, name, operator).

    ``observed_until``: the newest time its posts are known up to (the export's or the feed's
    fetch time): the freshness rule judges only accounts observed up to the as-of date.
    ``check_status``: the last existence check of its feed / page ("" unchecked, "ok", "gone",
    "unverified") with ``check_detail``; ``closed``: the registry itself says 已注销/已关停.
    """

    __tablename__ = "media_accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(200), default="")
    account_code: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    feed_url: Mapped[str] = mapped_column(String(2000), default="")
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    observed_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    check_status: Mapped[str] = mapped_column(String(16), default="")
    check_detail: Mapped[str] = mapped_column(String(500), default="")
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("unit_id", "platform", "name", name="uq_media_account"),
        Index("ix_media_accounts_unit", "unit_id"),
    )


class MediaPostRow(Base):
    """A post of a 政务新媒体 account (from the platform's export or its RSS/Atom feed).

    ``comments``: messages/comments it received that ask for an answer; ``replied``: how many
    of them the account answered (exports carry both; feeds carry neither, both 0).
    """

    __tablename__ = "media_posts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("media_accounts.id", ondelete="CASCADE"))
    posted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    title: Mapped[str] = mapped_column(String(500), default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    comments: Mapped[int] = mapped_column(Integer, default=0)
    replied: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16), default="import")
    __table_args__ = (
        UniqueConstraint("account_id", "posted_at", "title", name="uq_media_post"),
        Index("ix_media_posts_account_time", "account_id", "posted_at"),
    )
