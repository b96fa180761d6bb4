"""``--archive findings``: once a site is judged, keep only the pages behind its findings.

The crawl records everything (findings are not known while it runs); evaluation
then copies the records of the homepage and of every page a finding rests on
(with their redirect hops) into a new file, points the index at it, and only then
deletes the old file — a crash in between leaves the old, complete archive in use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zwgk.archive import warc
from zwgk.archive.evidence import finding_urls, with_redirects
from zwgk.storage import archive as archive_store
from zwgk.storage.db import Database

KEPT_SUFFIX = "-kept.warc.gz"


def keep_finding_pages(
    db: Database, round_id: int, unit_id: str, findings: list[Any], homepage: str, root: Path
) -> int:
    """Rewrite the site's WARC file to the records that back ``findings``; returns records kept."""
    records = archive_store.site_records(db, round_id, unit_id)
    if not records:
        return 0
    wanted: list[str] = [homepage]
    for finding in findings:
        wanted.extend(finding_urls(finding, homepage))
    keep = [records[u] for u in with_redirects(list(dict.fromkeys(wanted)), records, root)]
    if len(keep) == len(records):
        return len(keep)
    own = {r.warc_file for r in records.values()}
    if len(own) != 1:  # one file per site and round is what the recorder writes
        return len(records)
    (old,) = own
    new = old[: -len(KEPT_SUFFIX)] + ".warc.gz" if old.endswith(KEPT_SUFFIX) else old[: -len(".warc.gz")] + KEPT_SUFFIX
    file = warc.WarcFile(root / new)
    file.start(
        {
            "software": "zwgk",
            "format": "WARC File Format 1.1",
            "description": f"unit {unit_id}: pages behind findings only (--archive findings)",
        }
    )
    rows: list[dict[str, Any]] = []
    with open(root / new, "ab") as fh:
        for rec in keep:
            data = warc.read_bytes(root, rec.warc_file, rec.offset, rec.length + rec.request_length)
            offset = fh.tell()
            fh.write(data)
            row = {name: getattr(rec, name) for name in rec.__slots__}
            row.update(warc_file=new, offset=offset)
            rows.append(row)
    archive_store.replace_site_records(db, round_id, unit_id, rows)
    (root / old).unlink(missing_ok=True)
    return len(rows)
