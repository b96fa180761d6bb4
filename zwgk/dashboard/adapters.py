"""The dashboard's only door to other stages' functions: exports, rubric loading, re-scoring.

Every download is produced by ``zwgk.assess.exports`` (the same files the CLI
writes, with its one CSV-injection guard), after the viewer's right to the unit
has been checked here.  Re-scoring goes through the application layer
(``zwgk.app.review.rescore``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwgk.dashboard.viewer import Viewer
from zwgk.model import ZwgkError
from zwgk.storage.db import Database

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}


@dataclass(frozen=True, slots=True)
class Download:
    data: bytes
    file_name: str
    mime: str


def _via_tempfile(suffix: str, write: Callable[[Path], Any]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="zwgk-dl-") as tmp:
        path = Path(tmp) / f"export.{suffix}"
        write(path)
        return path.read_bytes()


def _round_name(db: Database, round_id: int) -> str:
    from zwgk.storage.rounds import require_round_id

    return require_round_id(db, round_id).name


def rectification_download(
    db: Database, viewer: Viewer, unit_id: str, fmt: str, round_id: int | None = None
) -> Download:
    """One unit's 整改清单 (xlsx / csv; pdf or docx 整改通知书) if the viewer may see that unit."""
    viewer.require_unit(unit_id)
    fmt = fmt.lower()
    if fmt not in ("xlsx", "csv", "pdf", "docx"):
        raise ValueError(f"format must be xlsx, csv, pdf or docx, not {fmt!r}")
    from zwgk.assess import exports

    name = f"整改清单-{unit_id}.{fmt}" if fmt not in ("pdf", "docx") else f"整改通知书-{unit_id}.{fmt}"
    round_name = _round_name(db, round_id) if round_id is not None else None
    data = _via_tempfile(fmt, lambda p: exports.export_rectification(db, unit_id, fmt, p, round_name))
    return Download(data, name, MIME[fmt])


def bulletin_download(db: Database, viewer: Viewer, round_id: int, fmt: str = "pdf") -> Download:
    """The round's 通报 (pdf, or docx to edit): leaders and evaluators only (it names every unit)."""
    if not viewer.sees_all:
        raise PermissionError("通报包含全部单位，部门账号无权下载 / departments may not download the bulletin")
    fmt = fmt.lower()
    if fmt not in ("pdf", "docx"):
        raise ValueError(f"format must be pdf or docx, not {fmt!r}")
    from zwgk.assess import exports

    round_name = _round_name(db, round_id)
    data = _via_tempfile(fmt, lambda p: exports.export_bulletin(db, round_name, p, fmt))
    return Download(data, f"通报-{round_name}.{fmt}", MIME[fmt])


def round_quarter(db: Database, round_id: int) -> str:
    """The quarter (e.g. ``2026Q4``) the round's as-of date falls in: the 季通报 a leader expects beside it."""
    from zwgk.storage.rounds import require_round_id

    info = require_round_id(db, round_id)
    return f"{info.as_of.year}Q{(info.as_of.month - 1) // 3 + 1}"


def quarterly_bulletin_download(db: Database, viewer: Viewer, quarter: str, fmt: str = "pdf") -> Download:
    """The 季通报 (monitoring availability, pass rates, failing sites, 整改 progress) of
    ``quarter`` as pdf or xlsx: leaders and evaluators only (it names every unit)."""
    if not viewer.sees_all:
        raise PermissionError(
            "季通报包含全部单位，部门账号无权下载 / departments may not download the quarterly bulletin"
        )
    fmt = fmt.lower()
    if fmt not in ("pdf", "xlsx"):
        raise ValueError(f"format must be pdf or xlsx, not {fmt!r}")
    from zwgk.monitor.bulletin import build_quarterly_bulletin

    data = _via_tempfile(fmt, lambda p: build_quarterly_bulletin(db, quarter, p, fmt))
    return Download(data, f"季通报-{quarter}.{fmt}", MIME[fmt])


def scores_download(db: Database, viewer: Viewer, round_id: int, fmt: str = "xlsx") -> Download:
    """The round's scores and ranks (xlsx / csv): leaders and evaluators only."""
    if not viewer.sees_all:
        raise PermissionError("排名表包含全部单位，部门账号无权下载 / departments may not download the ranking")
    from zwgk.assess import exports

    round_name = _round_name(db, round_id)
    data = _via_tempfile(fmt, lambda p: exports.export_scores(db, round_name, fmt, p))
    return Download(data, f"得分排名-{round_name}.{fmt}", MIME[fmt])


def annual_download(db: Database, viewer: Viewer, year: int, fmt: str = "xlsx") -> Download:
    """The year's 年考核 ranking (xlsx / csv): leaders and evaluators only (it names every unit)."""
    if not viewer.sees_all:
        raise PermissionError(
            "年度考核排名包含全部单位，部门账号无权下载 / departments may not download the annual ranking"
        )
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"format must be xlsx or csv, not {fmt!r}")
    from zwgk.monitor.annual import export_annual

    data = _via_tempfile(fmt, lambda p: export_annual(db, int(year), fmt, p))
    return Download(data, f"年度考核-{int(year)}.{fmt}", MIME[fmt])


def _frame_records(frame: Any) -> list[dict[str, Any]]:
    """A query frame's rows as plain records (pandas' missing values as None: empty cells)."""
    return [{k: (None if _missing(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def _missing(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or dict cell: present
        return False


def _table_download(columns: dict[str, str], frame: Any, fmt: str, sheet: str, title: str, file_name: str) -> Download:
    """A query frame as xlsx / csv through the exports' writers: every text cell passes the one
    formula guard (``zwgk.assess.tabular.neutralise``), links only for http(s) in xlsx."""
    fmt = fmt.lower()
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"format must be xlsx or csv, not {fmt!r}")
    from zwgk.assess.exports import SafeWorkbook, write_csv
    from zwgk.assess.tabular import Column

    cols = [Column(k, t, 30 if k.endswith("link") else 14, link=k.endswith("link")) for k, t in columns.items()]
    records = _frame_records(frame)

    def write(path: Path) -> Any:
        if fmt == "csv":
            return write_csv(path, cols, records)
        book = SafeWorkbook(path)
        book.table(sheet, cols, records, title=title)
        return book.close()

    return Download(_via_tempfile(fmt, write), f"{file_name}.{fmt}", MIME[fmt])


def report_overview_download(db: Database, viewer: Viewer, round_id: int, fmt: str = "xlsx") -> Download:
    """The round's 年报 check per unit (the 年报 page's table), only the units the viewer may see."""
    from zwgk.dashboard import queries
    from zwgk.dashboard.labels import REPORT_OVERVIEW_LABELS

    name = _round_name(db, round_id)
    frame = queries.report_overview(db, viewer, round_id)
    return _table_download(
        REPORT_OVERVIEW_LABELS, frame, fmt, "年报核查", f"{name} 政府信息公开年报核查", f"年报核查-{name}"
    )


def media_download(db: Database, viewer: Viewer, round_id: int, fmt: str = "xlsx") -> Download:
    """The 政务新媒体 accounts as judged in the round (the page's table), only the viewer's units."""
    from zwgk.dashboard import queries
    from zwgk.dashboard.labels import MEDIA_LABELS

    name = _round_name(db, round_id)
    frame = queries.media_accounts(db, viewer, round_id)
    return _table_download(MEDIA_LABELS, frame, fmt, "政务新媒体", f"{name} 政务新媒体账号", f"政务新媒体-{name}")


def load_round_rubric(db: Database, round_id: int) -> Any | None:
    """The rubric a round was scored with, or None when it cannot be loaded here."""
    from zwgk.storage.rounds import get_round_by_id

    info = get_round_by_id(db, round_id)
    if info is None:
        return None
    from zwgk.indicators import load_rubric

    name = (info.settings or {}).get("rubric") or info.rubric
    try:
        return load_rubric(name)
    except Exception:  # noqa: BLE001 - a missing, moved or invalid rubric file: the caller says "cannot re-score"
        return None


def rescore_round(db: Database, round_id: int) -> None:
    """Re-run scoring and ranking of a round (after a review or a manual score)."""
    rubric = load_round_rubric(db, round_id)
    if rubric is None:
        raise ZwgkError(
            f"cannot load the rubric of round id {round_id}; the review is saved, run `zwgk assess` again to re-score"
        )
    from zwgk.app.review import rescore

    # the one re-score path (same as `zwgk review …`): 整改 items rebuilt, then scores and ranks
    rescore(db, round_id, rubric)


_RULE_NAMES: dict[str, dict[str, str]] = {}


def rule_names(db: Database, round_id: int | None = None) -> dict[str, str]:
    """Rule code → Chinese name (``name_zh``) from the catalog the round was scored with.

    Without a round (a department's 整改清单 spans rounds) the newest round's rubric is used,
    else the national catalog; a code the catalog does not know keeps its code.
    """
    from zwgk.storage.rounds import get_round_by_id, list_rounds

    info = get_round_by_id(db, round_id) if round_id is not None else None
    if info is None:
        done = list_rounds(db)
        info = max(done, key=lambda r: (r.as_of, r.id)) if done else None
    name = ((info.settings or {}).get("rubric") or info.rubric) if info is not None else "national-2019"
    if name not in _RULE_NAMES:
        rubric = load_round_rubric(db, info.id) if info is not None else None
        if rubric is None:
            try:
                from zwgk.indicators import load_rubric

                rubric = load_rubric("national-2019")
            except Exception:  # noqa: BLE001 - names are a nicety: without a catalog the codes are shown
                rubric = None
        rules = getattr(rubric, "rules", None) or {}
        _RULE_NAMES[name] = {code: getattr(spec, "name_zh", "") or code for code, spec in rules.items()}
    return _RULE_NAMES[name]


def rule_label(names: dict[str, str], code: str) -> str:
    return names.get(code) or code


def monitoring_ran(db: Database, quarter: str) -> bool:
    """Whether 日监测 has stored any recent (raw) probe; without them the 季通报 has no availability."""
    from zwgk.storage.probes import probe_count

    try:
        return probe_count(db) > 0
    except Exception:  # noqa: BLE001 - only decides whether a caption hint is shown; never worth a failed page
        return False
