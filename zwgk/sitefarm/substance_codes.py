"""Rule codes the farm plants through ``zwgk.sitefarm.substance`` (no imports: specs lists them too).

The order is part of that module's seeded draw (append, never reorder).
"""

# 政务公开 substance plants, rendered by every template family
SUBSTANCE_CODES: tuple[str, ...] = (
    "PUBLISH-LATE",
    "KEYPOINTS-LATE",
    "INTERP-LEADER",
    "JICENG-AREA",
    "JICENG-ELEMENT",
    "MEDIA-STALE",
    "MEDIA-GONE",
    "MEDIA-REPLY",
)
