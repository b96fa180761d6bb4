"""The one text normalisation every keyword and pattern test runs on.

Government pages write the same words in many ways: Traditional characters on
繁体 sites (政務公開, 發布日期), full-width digits and colons from Chinese input
methods (２０２４－０５－１２, 标识码：), ideographic and non-breaking spaces.  Every
test for a word or a pattern (column names, date labels, 文号, footer labels,
解读 markers) runs on :func:`normalise`'d text, so a rule never sees a form the
others did not.  Stored evidence keeps the page's own characters.

``normalise`` keeps the length of its input (each step maps one character to one
character), so a match on the normalised text points at the same span of the
original; :func:`squash` (whitespace) is separate because it does not.
"""

from __future__ import annotations

import functools
import re

# Full-width ASCII (U+FF01–U+FF5E) → ASCII; ideographic / no-break spaces → space.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: 0x20})
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def fold_width(text: str) -> str:
    """Full-width digits, letters and punctuation as ASCII; odd spaces as plain spaces."""
    return text.translate(_WIDTH)


def _normalise(text: str) -> str:
    return _converter().convert(fold_width(text))


@functools.lru_cache(maxsize=65536)
def _normalise_short(text: str) -> str:
    return _normalise(text)


def normalise(text: str | None) -> str:
    """Traditional → Simplified (OpenCC t2s) and full-width → half-width, for matching only."""
    if not text:
        return ""
    if len(text) <= 64:  # anchor texts, labels, titles repeat across pages: cached
        return _normalise_short(text)
    return _normalise(text)


def squash(text: str | None) -> str:
    """Runs of whitespace as one space, trimmed."""
    return _SPACES.sub(" ", text or "").strip()


def normalise_text(text: str | None) -> str:
    """:func:`normalise` then :func:`squash`: the form keyword tests compare."""
    return squash(normalise(text))


def original_span(match: re.Match[str] | None, original: str, simple: str, group: int = 0) -> str:
    """The span a match on ``simple`` (the normalised ``original``) covers in ``original``.

    Evidence quotes the page's own characters (貴ICP備…), not the normalised form;
    :func:`normalise` keeps offsets, so the span is found by position.
    """
    if match is None:
        return ""
    if len(original) == len(simple):
        return original[match.start(group) : match.end(group)]
    return match.group(group)
