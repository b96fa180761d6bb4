"""Alerts: a site down for N consecutive probes, or a veto finding, notifies people.

Who is told: the evaluator (``evaluator_emails``) and the owning department
(``department_emails[unit_id]``, falling back to ``default_department_emails``),
by e-mail over SMTP and by a JSON webhook POST.

De-duplication: an outage opens one ``down`` alert (stored in
``monitor_alerts``); further failed probes of the same outage send nothing;
the first successful probe closes it and sends one recovery notice.  Unverified
probes (a pass during the assessor's own outage, ``zwgk.monitor.probe``) neither
open, continue nor close a site's alert.

The monitor's own outage: a pass left unverified (IPv4, or its IPv6 side) opens one
``monitor`` alert per side and tells the **evaluators only** (``evaluator_emails``
and the webhook, kind ``monitor-down``) that the monitor lost the network — never the
units' departments; the next verified pass closes it (``monitor-recovered``).  A veto
finding is alerted once per ``(unit, rule, subject)`` and re-armed only after
a later round no longer has it.

Configuration comes from a TOML file (``[alerts]`` table) and/or the
environment (``ZWGK_SMTP_HOST`` …); see docs/monitoring.md.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import smtplib
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from zwgk.model import ZwgkError
from zwgk.storage import Database
from zwgk.storage.probes import (
    Probe,
    close_alert,
    latest_probes,
    open_alert,
    open_alerts,
    record_alert,
)

log = logging.getLogger(__name__)


@dataclass(slots=True)
class AlertConfig:
    """Where alerts go.  Empty ``smtp_host`` / ``webhook_url`` disable that channel."""

    consecutive_failures: int = 3
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "zwgk-monitor@localhost"
    evaluator_emails: list[str] = field(default_factory=list)
    default_department_emails: list[str] = field(default_factory=list)
    department_emails: dict[str, list[str]] = field(default_factory=dict)  # unit_id → addresses
    webhook_url: str = ""
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.consecutive_failures < 1:
            raise ZwgkError(f"alerts.consecutive_failures must be at least 1, got {self.consecutive_failures}")

    def recipients(self, unit_id: str) -> list[str]:
        dept = self.department_emails.get(unit_id) or self.default_department_emails
        seen: list[str] = []
        for addr in [*self.evaluator_emails, *dept]:
            if addr and addr not in seen:
                seen.append(addr)
        return seen


_ENV: dict[str, tuple[str, Callable[[str], Any]]] = {
    "ZWGK_SMTP_HOST": ("smtp_host", str),
    "ZWGK_SMTP_PORT": ("smtp_port", int),
    "ZWGK_SMTP_USER": ("smtp_user", str),
    "ZWGK_SMTP_PASSWORD": ("smtp_password", str),
    "ZWGK_MAIL_FROM": ("mail_from", str),
    "ZWGK_ALERT_TO": ("evaluator_emails", lambda v: [a.strip() for a in v.split(",") if a.strip()]),
    "ZWGK_WEBHOOK_URL": ("webhook_url", str),
    "ZWGK_ALERT_AFTER": ("consecutive_failures", int),
}


def load_alert_config(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> AlertConfig:
    """Read ``[alerts]`` from a TOML file, then let ``ZWGK_*`` environment variables override."""
    source: Mapping[str, str] = os.environ if env is None else env
    values: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ZwgkError(f"alert config {p} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ZwgkError(f"{p}: not valid TOML: {exc}") from None
        section = data.get("alerts", data)
        known = set(AlertConfig.__dataclass_fields__)
        unknown = sorted(set(section) - known)
        if unknown:
            raise ZwgkError(f"{p}: unknown alert setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        values.update(section)
    for var, (name, conv) in _ENV.items():
        if source.get(var):
            try:
                values[name] = conv(source[var])
            except ValueError:
                raise ZwgkError(f"environment {var}={source[var]!r} is not valid for {name}") from None
    return AlertConfig(**values)


# ------------------------------------------------------------------------- delivery


def send_email(config: AlertConfig, to: list[str], subject: str, body: str) -> None:
    """Send one plain-text UTF-8 message over SMTP (STARTTLS/login when configured)."""
    if not config.smtp_host or not to:
        return
    msg = EmailMessage()
    msg["From"] = config.mail_from
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout) as smtp:
        if config.smtp_starttls:
            smtp.starttls()
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password)
        smtp.send_message(msg)


async def _post(url: str, payload: dict[str, Any], timeout: float) -> int:
    import aiohttp

    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
        session.post(url, json=payload) as resp,
    ):
        return resp.status


def post_webhook(config: AlertConfig, payload: dict[str, Any]) -> int | None:
    """POST the alert as JSON; returns the HTTP status (None when no webhook is configured)."""
    if not config.webhook_url:
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_post(config.webhook_url, payload, config.timeout))
    # called from inside an event loop: run in a helper thread with its own loop
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _post(config.webhook_url, payload, config.timeout)).result()


@dataclass(slots=True)
class Notice:
    """One notification: ``kind`` is down / recovered / veto."""

    kind: str
    unit_id: str
    unit_name: str
    site: str
    at: dt.datetime
    subject: str
    body: str
    details: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "unit_id": self.unit_id,
            "unit_name": self.unit_name,
            "site": self.site,
            "at": self.at.isoformat(),
            "subject": self.subject,
            "message": self.body,
            "details": self.details,
        }


class Notifier:
    """Delivers notices on every configured channel; a failing channel is logged, not fatal."""

    def __init__(self, config: AlertConfig):
        self.config = config
        self.sent: list[Notice] = []
        self.errors: list[str] = []

    def deliver(self, notice: Notice, to: list[str] | None = None) -> None:
        """Send ``notice`` by e-mail (to ``to``, default the unit's recipients) and webhook."""
        self.sent.append(notice)
        try:
            recipients = self.config.recipients(notice.unit_id) if to is None else to
            send_email(self.config, recipients, notice.subject, notice.body)
        except (OSError, smtplib.SMTPException) as exc:
            msg = f"alert e-mail to {self.config.smtp_host}:{self.config.smtp_port} failed: {exc}"
            log.error(msg)
            self.errors.append(msg)
        try:
            post_webhook(self.config, notice.payload())
        except Exception as exc:  # noqa: BLE001 — any webhook failure (bad URL, timeout, refusal) is logged; monitoring goes on
            msg = f"alert webhook {self.config.webhook_url} failed: {exc}"
            log.error(msg)
            self.errors.append(msg)


# ------------------------------------------------------------------------- decisions


def _names(db: Database, unit_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    from zwgk.storage.registry import list_units

    return {u.unit_id: (u.name, u.site_url) for u in list_units(db, set(unit_ids))}


_ERROR_ZH = {
    "timeout": "超时（15秒未打开）",
    "refused": "连接被拒绝",
    "dns": "域名解析失败",
    "http5xx": "服务器错误（5xx）",
    "http4xx": "页面错误（4xx）",
    "reset": "连接被重置",
}


def check_outages(db: Database, probes: Iterable[Probe], notifier: Notifier, now: dt.datetime) -> list[Notice]:
    """After a pass: open a ``down`` alert after N consecutive failures, close it on recovery.

    Unverified probes (the assessor's own outage) are skipped: no alert to a unit from them."""
    n = notifier.config.consecutive_failures
    probes = [p for p in probes if not p.unverified]
    opened = open_alerts(db, "down")
    involved = {p.unit_id for p in probes if not p.ok} | {u for u, _ in opened}
    names = _names(db, involved)
    notices: list[Notice] = []
    for probe in probes:
        current = opened.get((probe.unit_id, ""))
        if probe.ok and current is None:
            continue  # the usual case: up, and nothing to recover from
        name, site = names.get(probe.unit_id, (probe.unit_id, ""))
        if probe.ok:
            if current is not None:
                close_alert(db, current.id, now)
                minutes = int((probe.at - current.opened_at).total_seconds() // 60)
                notice = Notice(
                    "recovered",
                    probe.unit_id,
                    name,
                    site,
                    probe.at,
                    f"【恢复】{name} 网站已恢复访问 / site reachable again",
                    f"{name}（{site}）已于 {probe.at:%Y-%m-%d %H:%M} UTC 恢复访问，"
                    f"本次中断自 {current.opened_at:%Y-%m-%d %H:%M} UTC 起约 {minutes} 分钟。\n"
                    f"Site {site} is reachable again (down since {current.opened_at:%Y-%m-%d %H:%M} UTC).",
                    {"opened_at": current.opened_at.isoformat(), "status": probe.status},
                )
                notifier.deliver(notice)
                notices.append(notice)
            continue
        if current is not None:
            continue  # same outage: already alerted
        recent = latest_probes(db, probe.unit_id, n, verified_only=True)
        if len(recent) < n or any(p.ok for p in recent):
            continue
        errors = [{"at": p.at.isoformat(), "status": p.status, "error_class": p.error_class} for p in reversed(recent)]
        record_alert(db, probe.unit_id, "down", "", recent[-1].at, {"probes": errors})
        reason = _ERROR_ZH.get(probe.error_class, probe.error_class or "无法访问")
        notice = Notice(
            "down",
            probe.unit_id,
            name,
            site,
            probe.at,
            f"【告警】{name} 网站无法访问 / site down ({n} consecutive probes)",
            f"{name}（{site}）连续 {n} 次监测无法访问（{reason}），请立即处理。\n"
            f"首次失败 {recent[-1].at:%Y-%m-%d %H:%M} UTC，最近一次 {probe.at:%Y-%m-%d %H:%M} UTC。\n"
            f"Site {site} failed {n} consecutive probes ({probe.error_class}).\n"
            + "\n".join(f"  {e['at']}  {e['error_class']}  {e['status'] or ''}" for e in errors),
            {"probes": errors},
        )
        notifier.deliver(notice)
        notices.append(notice)
    return notices


MONITOR_UNIT = ""  # the ``unit_id`` of the monitor's own alerts (no unit is concerned)


def check_monitor_outage(
    db: Database, outages: Mapping[str, str], notifier: Notifier, now: dt.datetime
) -> list[Notice]:
    """After a pass: tell the evaluators when the monitor itself lost the network.

    ``outages``: side (``ipv4`` / ``ipv6``) → the pass's outage reason ("" when that side
    was verified).  One ``monitor`` alert per side and outage (de-duplicated like a site's
    ``down``), closed with a recovery notice by the next verified pass.  Sent to
    ``evaluator_emails`` and the webhook only: the units did nothing wrong.
    """
    opened = open_alerts(db, "monitor")
    to = list(notifier.config.evaluator_emails)
    notices: list[Notice] = []
    for side, reason in outages.items():
        current = opened.get((MONITOR_UNIT, side))
        label = "IPv6" if side == "ipv6" else "IPv4"
        if reason and current is None:
            record_alert(db, MONITOR_UNIT, "monitor", side, now, {"reason": reason})
            notice = Notice(
                "monitor-down",
                MONITOR_UNIT,
                "监测系统 monitor",
                "",
                now,
                f"【监测系统告警】监测服务器{label}网络中断，本轮监测未能核验 / the monitor lost the network ({label})",
                f"监测服务器自身的{label}网络或域名解析于 {now:%Y-%m-%d %H:%M} UTC 中断，本轮监测结果记为“未能核验”，"
                "不计入任何单位的可访问性，不向各单位告警。请检查监测服务器的网络。\n"
                f"The monitor itself could not reach the network over {label} at {now:%Y-%m-%d %H:%M} UTC: "
                f"the pass is stored as unverified and counts against no unit.\n{reason}",
                {"side": side, "reason": reason},
            )
            notifier.deliver(notice, to=to)
            notices.append(notice)
        elif not reason and current is not None:
            close_alert(db, current.id, now)
            notice = Notice(
                "monitor-recovered",
                MONITOR_UNIT,
                "监测系统 monitor",
                "",
                now,
                f"【监测系统恢复】监测服务器{label}网络已恢复 / the monitor's network is back ({label})",
                f"监测服务器的{label}网络已于 {now:%Y-%m-%d %H:%M} UTC 恢复，监测结果重新计入。\n"
                f"The monitor reaches the network over {label} again (lost since "
                f"{current.opened_at:%Y-%m-%d %H:%M} UTC).",
                {"side": side, "opened_at": current.opened_at.isoformat()},
            )
            notifier.deliver(notice, to=to)
            notices.append(notice)
    return notices


def pass_alerts(db: Database, result: Any, notifier: Notifier, now: dt.datetime) -> list[Notice]:
    """Every alert of one probe pass (a ``zwgk.monitor.probe.PassResult``): the sites' ``down`` /
    ``recovered`` from its verified availability probes, and the monitor's own outage."""
    outages = {"ipv4": result.outage}
    if result.ipv6 is not None:
        outages["ipv6"] = result.ipv6.outage
    monitor = check_monitor_outage(db, outages, notifier, now)  # first: the evaluators learn the monitor is back
    return monitor + check_outages(db, result.probes, notifier, now)


def check_vetoes(db: Database, round_id: int, notifier: Notifier, now: dt.datetime) -> list[Notice]:
    """After a round: alert each new veto finding once; re-arm those that disappeared."""
    from zwgk.storage.probes import list_alerts
    from zwgk.storage.results import list_findings

    findings = [f for f in list_findings(db, round_id) if f.severity == "veto" and f.in_force]
    present = {(f.unit_id, f"{f.rule}|{f.subject}") for f in findings}
    for alert in list_alerts(db):
        if alert.kind == "veto" and alert.closed_at is None and (alert.unit_id, alert.key) not in present:
            close_alert(db, alert.id, now)
    names = _names(db, (f.unit_id for f in findings))
    notices: list[Notice] = []
    for f in findings:
        key = f"{f.rule}|{f.subject}"
        if open_alert(db, f.unit_id, "veto", key) is not None:
            continue
        record_alert(db, f.unit_id, "veto", key, now, {"round_id": round_id, "rule": f.rule, "subject": f.subject})
        name, site = names.get(f.unit_id, (f.unit_id, f.site))
        notice = Notice(
            "veto",
            f.unit_id,
            name,
            site or f.site,
            now,
            f"【单项否决】{name} {f.rule}",
            f"{name}（{site or f.site}）触发单项否决指标 {f.rule}：{f.message}\n整改要求：{f.fix}\n"
            f"Veto rule {f.rule} on {site or f.site}: {f.message}",
            {"round_id": round_id, "rule": f.rule, "subject": f.subject, "evidence": f.evidence},
        )
        notifier.deliver(notice)
        notices.append(notice)
    return notices
