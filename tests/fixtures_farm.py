"""Site-farm fixtures: ``farm`` (session-wide default farm) and ``farm_factory``.

Loaded by tests/conftest.py as a plugin.  The farm runs on loopback only
(127.0.0.1 / ::1) with its own DNS server; ``farm.resolver`` is "127.0.0.1:PORT".
"""

from __future__ import annotations

import contextlib

import pytest


@pytest.fixture(scope="session")
def farm():
    """The default farm (24 sites, seed 1, as-of 2026-11-20), shared by the session."""
    from zwgk.sitefarm import FarmConfig, running_farm

    with running_farm(FarmConfig()) as handle:
        yield handle


@pytest.fixture
def farm_factory():
    """``farm_factory(**config)`` starts a custom farm, stopped at the end of the test."""
    from zwgk.sitefarm import FarmConfig, running_farm

    with contextlib.ExitStack() as stack:

        def make(**config):
            return stack.enter_context(running_farm(FarmConfig(**config)))

        yield make
