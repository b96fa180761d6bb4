"""Recognising a standard column (栏目) from the name a site gives it — by meaning.

Real sites name required columns in more ways than any list holds (政策解读, 解读回应,
热点解读, 解讀; 法定主动公开内容, 法定公开内容, 主动公开目录 …).  The rubric states, per
standard column, data an evaluator can adapt without code (``[columns."…"]``):

* ``synonyms`` — names that *are* the column (exact match after normalisation);
* ``key_terms`` — what a name must contain to mean the column: each entry is one
  term or several joined by ``+`` that must all appear (``"法定+公开"``);
* ``exclude`` — look-alikes that are not the column (``数据解读`` is not 政策解读,
  ``办事指南`` is not 办事服务);
* ``examples`` — real names seen on sites (documentation and tests).

Matching order, strongest first: ``exact`` (a synonym), ``suffix`` (a long synonym
ending the name: 万载县政府信息公开年报), ``terms`` (key terms, the most specific
column wins — a hub's terms such as 信息公开 count least, so 部门预决算信息公开 is
财政预决算; two columns equally specific → no match), ``fuzzy`` (a near spelling,
rapidfuzz ratio ≥ cutoff).  ``fuzzy`` is weak evidence: a finding that rests on it
goes to an evaluator's review.  How a name was matched travels with it as evidence.

Both the crawler (which entries to read as columns) and the rules (which columns a
site has) use this one matcher, so they can never disagree about a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from zwgk.text import normalise

_DECORATION = re.compile(
    r"[\s\u3000·•>》«»<《【】\[\]（）()|｜/、:：\-—_\.。,，!！?？\"'“”‘’>→»›〉＞]+|更多|more|MORE|More"
)
# Leading list numbering ("1.", "一、", "（三）") is decoration too.
_NUMBERING = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?=[、.．])")
# A name longer than this is a headline, not a column name (terms are not tried on it).
# Words that mark a page or an entry as a 解读 (interpretation), in any title or column name.
INTERPRETATION_WORDS = ("解读", "图解", "读懂", "一图", "问答", "答记者问", "政策解析", "起草说明")
MAX_TERMS_LEN = 12
MAX_NAME_LEN = 24
MIN_SUFFIX = 6  # a synonym at least this long ending a name names it (万载县政府信息公开年报)
# A name ending like an organ (嘉林市审计局, 县人民政府办公室) names who runs the site, not a
# column, whatever terms it contains.
_ORGAN = re.compile(r"(?:局|厅|委|委员会|人民政府|政府|办公室|办|院|所|中心|集团|公司|学校)$")
# A text worded like an entry (a 公文 title "关于…", a citizen's letter "…的咨询/问题/建议") is a
# headline, not a column name: only an exact or suffix match may name a column then.
# A news headline names who did what: a subject, a news verb, an object ("县长调研重点项目建设工作",
# "市政府召开常务会议"); a column name never has a verb between two other words.
_HEADLINE = re.compile(
    r"^关于|的(?:咨询|问题|建议|通知|公告|意见|报告|批复|函|请示|决定)$|(?:咨询|投诉|求助|反映)$"
    r"|^.{2,}(?:调研|召开|举办|举行|部署|出席|会见|视察|督导|走访|慰问)..."
)
STRONG_METHODS = frozenset({"exact", "suffix", "terms"})


def clean_name(text: str | None) -> str:
    """The comparable form of a name: normalised, numbering and decoration removed."""
    key = normalise(text or "").strip()
    key = _NUMBERING.sub("", key)
    return _DECORATION.sub("", key)


@dataclass(frozen=True, slots=True)
class ColumnTerms:
    """What the rubric says one standard column is called and means."""

    name: str
    synonyms: tuple[str, ...] = ()
    key_terms: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    general: bool = False  # a hub (政府信息公开): its terms yield to a more specific column's


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    """A name recognised as a standard column, and how (the evidence)."""

    column: str
    method: str  # exact / suffix / terms / fuzzy
    matched: str  # the synonym, key terms or near name that matched
    score: float = 100.0

    @property
    def strong(self) -> bool:
        return self.method in STRONG_METHODS

    def evidence(self) -> dict[str, object]:
        return {"column": self.column, "method": self.method, "matched": self.matched, "score": round(self.score, 1)}


@dataclass(slots=True)
class ColumnVocabulary:
    """Every standard column's names, terms and look-alikes; :meth:`match` reads a name."""

    columns: tuple[ColumnTerms, ...]
    cutoff: float = 90.0
    _exact: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _suffixes: list[tuple[str, str]] = field(default_factory=list, init=False, repr=False)
    _terms: list[tuple[str, tuple[str, ...], int]] = field(default_factory=list, init=False, repr=False)
    _exclude: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False)
    _cache: dict[str, ColumnMatch | None] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for col in self.columns:
            for name in (col.name, *col.synonyms):
                key = clean_name(name)
                if key:
                    self._exact.setdefault(key, col.name)
            self._exclude[col.name] = tuple(k for k in (clean_name(e) for e in col.exclude) if k)
            for entry in col.key_terms:
                parts = tuple(p for p in (clean_name(t) for t in entry.split("+")) if p)
                if parts:
                    weight = 1 if col.general else sum(len(p) for p in parts)
                    self._terms.append((col.name, parts, weight))
        self._suffixes = sorted(
            ((k, c) for k, c in self._exact.items() if len(k) >= MIN_SUFFIX), key=lambda kc: -len(kc[0])
        )

    @classmethod
    def from_synonyms(cls, synonyms: Mapping[str, Iterable[str]], cutoff: float = 90.0) -> ColumnVocabulary:
        """A vocabulary of names only (no key terms): the older ``column_synonyms`` form."""
        return cls(tuple(ColumnTerms(name, tuple(names)) for name, names in synonyms.items()), cutoff)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def is_hub(self, column: str) -> bool:
        """A column that holds columns or entries (政府信息公开, 办事服务), not dated articles."""
        return any(c.general for c in self.columns if c.name == column)

    def _excluded(self, column: str, key: str) -> bool:
        return any(term in key for term in self._exclude.get(column, ()))

    def match(self, text: str | None) -> ColumnMatch | None:
        """The standard column ``text`` names, with how it was recognised; None if none."""
        key = clean_name(text)
        if key in self._cache:
            return self._cache[key]
        found = self._match(key)
        if len(self._cache) < 50_000:
            self._cache[key] = found
        return found

    def _match(self, key: str) -> ColumnMatch | None:
        if not key or len(key) > MAX_NAME_LEN:
            return None
        hit = self._exact.get(key)
        if hit is not None:
            return ColumnMatch(hit, "exact", key)
        for name, column in self._suffixes:  # "XX县政府信息公开年报" ends with a known name
            if key.endswith(name) and not self._excluded(column, key) and len(key) <= MAX_TERMS_LEN + 6:
                return ColumnMatch(column, "suffix", name)
        if _HEADLINE.search(key):
            return None  # "关于重点项目建设的咨询": an entry's title, whatever terms it holds
        if len(key) <= MAX_TERMS_LEN and not _ORGAN.search(key):
            best: dict[str, tuple[int, tuple[str, ...]]] = {}
            for column, parts, weight in self._terms:
                if (
                    all(p in key for p in parts)
                    and not self._excluded(column, key)
                    and weight > best.get(column, (0, ()))[0]
                ):
                    best[column] = (weight, parts)
            if best:
                ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
                if len(ranked) == 1 or ranked[0][1][0] > ranked[1][1][0]:
                    column, (_w, parts) = ranked[0]
                    return ColumnMatch(column, "terms", "+".join(parts))
                return None  # two columns equally plausible: not recognised
        if len(key) < 3 or not self._exact:
            return None
        near = process.extractOne(key, list(self._exact), scorer=fuzz.ratio, score_cutoff=self.cutoff)
        if near is None:
            return None
        column = self._exact[near[0]]
        if self._excluded(column, key):
            return None
        return ColumnMatch(column, "fuzzy", near[0], float(near[1]))


def is_hub_name(text: str, hub_names: Iterable[str]) -> bool:
    """Whether an anchor names the 政府信息公开 hub (whose page lists further columns)."""
    key = clean_name(text)
    return bool(key) and key in _hub_keys(tuple(hub_names))


@lru_cache(maxsize=16)
def _hub_keys(hub_names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(clean_name(n) for n in hub_names)
