"""Recognising navigation entries as standard columns (栏目).

The synonym table lives in the rubric (``column_synonyms``), never in code.
Matching: exact after Traditional → Simplified normalisation and removal of
spaces and decoration, then a rapidfuzz near match with a high cutoff so that
政策解读 never matches 政策文件.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from zwgk.crawlers.dates import normalise

_DECORATION = re.compile(r"[\s\u3000·•>》«»<《【】\[\]（）()|｜/、:：\-—_\.。,，!！?？\"'“”‘’>]+")


def clean_name(text: str) -> str:
    """Simplified, undecorated form of an anchor text (for matching only)."""
    return _DECORATION.sub("", normalise(text or "")).strip()


class ColumnMatcher:
    """Maps anchor texts to standard column names via the rubric's synonyms."""

    def __init__(self, synonyms: dict[str, list[str]], cutoff: float = 90.0):
        self.cutoff = cutoff
        self.exact: dict[str, str] = {}
        for standard, names in synonyms.items():
            for name in [standard, *names]:
                key = clean_name(name)
                if key:
                    self.exact.setdefault(key, standard)
        self.choices = list(self.exact)

    def match(self, text: str) -> str | None:
        """The standard column name ``text`` stands for, or None."""
        key = clean_name(text)
        if not key or len(key) > 20:
            return None
        hit = self.exact.get(key)
        if hit is not None:
            return hit
        if len(key) < 3 or not self.choices:
            return None
        best = process.extractOne(key, self.choices, scorer=fuzz.ratio, score_cutoff=self.cutoff)
        return self.exact[best[0]] if best else None


def is_hub_name(text: str, hub_names: tuple[str, ...]) -> bool:
    key = clean_name(text)
    return bool(key) and any(key == clean_name(name) for name in hub_names)
