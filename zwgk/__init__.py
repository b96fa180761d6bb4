"""zwgk: a third-party assessment suite for Chinese government transparency (政务公开).

Stages, in the order data flows: ``registry`` (who is assessed) → ``crawlers``
(what their websites show) → ``indicators`` (which rules they break) →
``assess`` (scores, ranks, rectification lists, exports) → ``dashboard``.
``sitefarm`` simulates government websites with recorded defects for tests,
benchmarks and ``zwgk demo``.
"""

__version__ = "0.1.0"
