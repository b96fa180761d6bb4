"""Injectable time: the scheduler, probes and alerts never read the wall clock directly.

``SystemClock`` is real time; ``SimulatedClock`` jumps straight to the next
due time, so a test simulates a week (or a quarter) of monitoring in seconds
without sleeping.  All datetimes are naive UTC, as stored.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time (naive UTC)."""

    def sleep_until(self, when: dt.datetime) -> None:
        """Return once ``now() >= when``."""


class SystemClock:
    """The real clock.  ``stop`` (an Event) cuts a sleep short, so SIGTERM stops at once."""

    def __init__(self, stop: threading.Event | None = None, step_seconds: float = 30.0):
        self.stop = stop or threading.Event()
        self.step = step_seconds  # re-read the wall clock at least this often (NTP steps, suspend)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def sleep_until(self, when: dt.datetime) -> None:
        while not self.stop.is_set():
            left = (when - self.now()).total_seconds()
            if left <= 0:
                return
            self.stop.wait(min(left, self.step))


class SimulatedClock:
    """A clock that only moves when told to: ``sleep_until`` jumps, ``advance`` steps."""

    def __init__(self, start: dt.datetime):
        self._now = (
            start.replace(tzinfo=None) if start.tzinfo is None else start.astimezone(dt.UTC).replace(tzinfo=None)
        )

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
