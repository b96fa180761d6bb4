"""政务公开 beyond the website: the 依申请公开 register (``ledger``) and the 年报 tables view.

``read_ledger(path, unit_id)`` reads a unit's own CSV/XLSX ledger (with the registry's bounded
reader); ``zwgk requests import|test|list`` stores and shows it; ``zwgk reports show`` prints the
annual-report tables a round extracted.  The rules live in ``zwgk.indicators.rules.requests``
and ``zwgk.indicators.rules.annual``.
"""
