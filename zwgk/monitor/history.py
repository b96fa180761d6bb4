"""The monitoring history a round's rules see (``SiteSnapshot.history``).

Every entry point that runs a round (``zwgk assess``, the Celery worker, the scheduled
rounds) passes :func:`probe_history` to ``zwgk.app.run_round`` as ``history=``; the
application layer never imports the monitor.  AVAIL-DOWN reads the last 7 days of it and
FRESH-HOME the last 14 (the rubric's windows), so the window returned is the longest of
the two rules' windows, 14 days by default.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from zwgk.storage import Database
from zwgk.storage.probes import probes_between

DEFAULT_WINDOW_DAYS = 14
_WINDOW_KEYS = ("window_days", "days", "window")


@functools.lru_cache(maxsize=8)
def history_window_days(rubric: str = "national-2019") -> int:
    """The longest monitoring window of AVAIL-DOWN and FRESH-HOME in the rubric (days)."""
    days = [DEFAULT_WINDOW_DAYS]
    try:
        from zwgk.indicators import load_rubric

        rules = load_rubric(rubric).rules
    except Exception:  # noqa: BLE001 — no loadable rubric (missing, broken): the issue's defaults apply
        return DEFAULT_WINDOW_DAYS
    for code in ("AVAIL-DOWN", "FRESH-HOME"):
        rule = rules.get(code) if hasattr(rules, "get") else None
        params = getattr(rule, "params", None) or {}
        for key in _WINDOW_KEYS:
            value = params.get(key)
            if isinstance(value, (int, float)) and value > 0:
                days.append(int(value))
                break
    return max(days)


def probe_history(db: Database, unit_id: str, as_of: dt.date, days: int | None = None) -> list[dict[str, Any]]:
    """Probes of ``unit_id`` taken in the ``days`` before ``as_of`` (00:00), oldest first.

    Each entry: ``{"at", "ok", "status", "latency_ms", "error_class",
    "newest_date", "fingerprint", "ipv6"}``.  Probes taken on ``as_of`` itself or later
    are excluded: a round uses only the monitoring that precedes it.  Availability
    probes (``"ipv6": false``) and IPv6 probes (``true``, ``zwgk.monitor.ipv6``) come
    together, oldest first: AVAIL-DOWN and FRESH-HOME read the former, the IPv6
    success rate (``zwgk.indicators.ipv6_support.v6_history``) the latter.  Probes the
    assessor could not verify (``error_class="unverified"``: its own network, resolver or
    IPv6 was down during the pass, ``zwgk.monitor.probe`` / ``zwgk.monitor.ipv6``) are left
    out: they are evidence of nothing, and must never feed AVAIL-DOWN.
    """
    window = days if days is not None else history_window_days()
    end = dt.datetime.combine(as_of, dt.time())
    start = end - dt.timedelta(days=window)
    return [p.history_entry() for p in probes_between(db, unit_id, start, end, verified_only=True)]
