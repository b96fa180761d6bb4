"""Injectable time: the scheduler, probes and alerts never read the wall clock directly.

``SystemClock`` is real time; ``SimulatedClock`` jumps straight to the next
due time, so a test simulates a week (or a quarter) of monitoring in seconds
without sleeping.  All datetimes are naive UTC, as stored.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time (naive UTC)."""

    def sleep_until(self, when: dt.datetime) -> None:
        """Return once ``now() >= when``."""


class SystemClock:
    """The real clock; sleeps in short steps so a stop signal is noticed quickly."""

    def __init__(self, step_seconds: float = 30.0):
        self.step = step_seconds

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

    def sleep_until(self, when: dt.datetime) -> None:
        while True:
            left = (when - self.now()).total_seconds()
            if left <= 0:
                return
            time.sleep(min(left, self.step))


class SimulatedClock:
    """A clock that only moves when told to: ``sleep_until`` jumps, ``advance`` steps."""

    def __init__(self, start: dt.datetime):
        self._now = start.replace(tzinfo=None) if start.tzinfo is None else start.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def now(self) -> dt.datetime:
        return self._now

    def sleep_until(self, when: dt.datetime) -> None:
        if when > self._now:
            self._now = when

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self._now += delta
        return self._now

    def set(self, when: dt.datetime) -> None:
        self._now = when
