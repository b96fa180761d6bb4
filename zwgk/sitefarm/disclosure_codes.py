"""Rule codes the farm plants through ``zwgk.sitefarm.disclosure`` (no imports: specs lists them too)."""

DISCLOSURE_CODES: tuple[str, ...] = (
    "REPORT-TEMPLATE",
    "REPORT-TABLES",
    "REPORT-TOTALS",
    "REPORT-CARRYOVER",
    "REQUEST-LATE",
    "REQUEST-COUNT",
    "REQUEST-TEST",
)
