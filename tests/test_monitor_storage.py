"""Probe storage: windows, history for rules, aggregation of old probes into daily rows."""

from __future__ import annotations

import datetime as dt

from zwgk.monitor.history import probe_history
from zwgk.storage.probes import (
    Probe,
    add_probes,
    aggregate_old_probes,
    probe_count,
    probe_days,
    probes_between,
)

T0 = dt.datetime(2026, 10, 1)


def _probes(unit: str, start: dt.datetime, days: int, per_day: int, fail_every: int = 0) -> list[Probe]:
    out = []
    for d in range(days):
        for i in range(per_day):
            at = start + dt.timedelta(days=d) + dt.timedelta(days=1) / per_day * i
            n = d * per_day + i
            failed = bool(fail_every) and n % fail_every == 0
            out.append(
                Probe(
                    unit,
                    at,
                    not failed,
                    None if failed else 200,
                    None if failed else 12.0,
                    "timeout" if failed else "",
                    dt.date(2026, 9, 30) + dt.timedelta(days=d // 5),
                    f"fp{d // 5}",
                )
            )
    return out


def test_probes_between_is_half_open_and_per_unit(db):
    add_probes(db, _probes("a", T0, 3, 4) + _probes("b", T0, 3, 4))
    got = probes_between(db, "a", T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=2))
    assert [p.at for p in got] == [T0 + dt.timedelta(days=1, hours=6 * i) for i in range(4)]
    assert {p.unit_id for p in got} == {"a"}


def test_aware_datetimes_are_stored_as_utc(db):
    beijing = dt.timezone(dt.timedelta(hours=8))
    add_probes(db, [Probe("a", dt.datetime(2026, 10, 2, 8, 0, tzinfo=beijing), True, 200, 5.0)])
    (p,) = probes_between(db, "a", T0, T0 + dt.timedelta(days=3))
    assert p.at == dt.datetime(2026, 10, 2, 0, 0)


def test_history_is_the_14_days_before_as_of(db):
    add_probes(db, _probes("a", T0, 30, 2))
    as_of = dt.date(2026, 10, 20)
    history = probe_history(db, "a", as_of)
    assert len(history) == 14 * 2
    assert min(h["at"] for h in history) == dt.datetime(2026, 10, 6)
    assert max(h["at"] for h in history) < dt.datetime(2026, 10, 20)  # nothing from as_of itself
    assert set(history[0]) == {"at", "ok", "status", "latency_ms", "error_class", "newest_date", "fingerprint", "ipv6"}


def test_old_probes_fold_into_daily_rows_without_losing_counts(db):
    rows = _probes("a", T0, 40, 20, fail_every=7) + _probes("b", T0, 40, 20)
    add_probes(db, rows)
    before = {(d.unit_id, d.day): (d.probes, d.failures) for d in probe_days(db, T0.date(), dt.date(2026, 12, 1))}
    now = T0 + dt.timedelta(days=40)
    folded = aggregate_old_probes(db, now, keep_days=30)
    assert folded == 2 * 10 * 20  # the 10 days older than 30 days, both sites
    assert probe_count(db) == 2 * 30 * 20
    after = probe_days(db, T0.date(), dt.date(2026, 12, 1))
    assert {(d.unit_id, d.day): (d.probes, d.failures) for d in after} == before
    day0 = next(d for d in after if d.unit_id == "a" and d.day == T0.date())
    assert day0.errors == {"timeout": day0.failures} and day0.failures == 3  # probes 0, 7, 14
    assert day0.newest_date == dt.date(2026, 9, 30) and day0.last_fingerprint == "fp0"
    assert aggregate_old_probes(db, now, keep_days=30) == 0  # idempotent
    # raw probes of the recent window are untouched, so rules still see them
    assert len(probe_history(db, "a", now.date())) == 14 * 20


def test_late_probes_for_an_aggregated_day_merge(db):
    add_probes(db, _probes("a", T0, 1, 10))
    aggregate_old_probes(db, T0 + dt.timedelta(days=40))
    add_probes(db, [Probe("a", T0 + dt.timedelta(hours=23), False, 503, 3.0, "http5xx")])
    aggregate_old_probes(db, T0 + dt.timedelta(days=40))
    (day,) = probe_days(db, T0.date(), T0.date() + dt.timedelta(days=1))
    assert (day.probes, day.failures, day.errors) == (11, 1, {"http5xx": 1})


def test_the_same_storage_on_postgresql(pg_url):
    """Probes, history, the fold, SQL availability and alerts on a real PostgreSQL."""
    from zwgk.storage import Database
    from zwgk.storage.probes import availability_between, close_alert, open_alerts, record_alert

    db = Database.open(pg_url)
    try:
        add_probes(db, _probes("a", T0, 40, 20, fail_every=7))
        assert len(probe_history(db, "a", dt.date(2026, 11, 1))) == 14 * 20
        assert aggregate_old_probes(db, T0 + dt.timedelta(days=40), keep_days=30) == 10 * 20
        assert availability_between(db, T0.date(), dt.date(2026, 12, 1)) == {"a": (800, 115)}  # ⌈800/7⌉ failures
        alert = record_alert(db, "a", "down", "", T0, {"probes": []})
        assert list(open_alerts(db, "down")) == [("a", "")]
        close_alert(db, alert.id, T0 + dt.timedelta(hours=1))
        assert open_alerts(db, "down") == {}
    finally:
        db.dispose()
