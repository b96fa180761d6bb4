"""Rule codes the farm plants through ``zwgk.sitefarm.content`` (no imports: specs lists them too)."""

CONTENT_CODES: tuple[str, ...] = (
    "SVC-NONE",
    "SVC-EXTERNAL",
    "SVC-GUIDE",
    "SVC-FORM",
    "CONTENT-ILLEGAL",
    "CONTENT-HIDDEN-LINK",
    "CONTENT-REDIRECT",
    "CONTENT-TITLE",
    "WORDING-TERM",
    "WORDING-LEADER",
    "WORDING-SENSITIVE",
    "PRIVACY-ID",
    "PRIVACY-MOBILE",
)

# 政务公开 substance plants (zwgk.sitefarm.substance), rendered by every template family
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
