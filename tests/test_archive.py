"""The web archive of a round: WARC files a standard reader accepts, evidence for a finding,
revisits across rounds, re-judging offline from the archive, and ``--archive findings``.

Driven through the public command line against the real site farm on loopback.  The farm
is stopped before the re-judged round, so any request that left the archive would fail
and change the findings.
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from zwgk.sitefarm import FarmConfig, running_farm

SITES = 8


def zwgk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zwgk", *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def ok(run: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert run.returncode == 0, run.stderr + run.stdout
    return run


def findings(db: Path, round_name: str) -> set[tuple]:
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "select f.unit_id, f.rule, f.subject, f.points, f.message, f.evidence from findings f "
            "join rounds r on r.id = f.round_id where r.name = ?",
            (round_name,),
        ).fetchall()
    return set(rows)


def records(db: Path, round_name: str) -> list[dict]:
    with sqlite3.connect(db) as con:
        con.row_factory = sqlite3.Row
        return [
            dict(r)
            for r in con.execute(
                "select a.* from archive_records a join rounds r on r.id = a.round_id where r.name = ?", (round_name,)
            )
        ]


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """Two live rounds on a farm, then the farm is stopped; the archive stays."""
    work = tmp_path_factory.mktemp("archive")
    db = work / "zwgk.db"
    with running_farm(FarmConfig(sites=SITES)) as farm:
        registry = farm.write_registry(work / "registry.csv")
        for name in ("r1", "r2"):
            ok(
                zwgk(
                    "assess",
                    "--round",
                    name,
                    "--registry",
                    str(registry),
                    "--as-of",
                    farm.truth["as_of"],
                    "--resolver",
                    farm.resolver,
                    "--allow-private",
                    "--db",
                    str(db),
                    "--quiet",
                )
            )
        truth = farm.truth
        # The evaluating office keeps its leaders list; re-judging uses the same lists.
        lists = work / "lists"
        lists.mkdir()
        from zwgk.sitefarm.content import leaders_toml

        (lists / "leaders.toml").write_text(leaders_toml(farm.farm.specs), encoding="utf-8")
    return {"work": work, "db": db, "truth": truth, "lists": lists}


def test_a_farm_round_writes_warc_files_a_standard_reader_accepts(archived):
    files = sorted((archived["work"] / "archive").glob("*-r1/*.warc.gz"))
    assert len(files) == SITES
    check = subprocess.run(
        [sys.executable, "-c", "from warcio.cli import main; main()", "check", *map(str, files)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    # Every record is its own gzip member: the index's offset/length reads exactly one record.
    rows = records(archived["db"], "r1")
    assert {r["record_type"] for r in rows} >= {"response"}
    root = archived["work"] / "archive"
    for row in rows[:: max(1, len(rows) // 60)]:
        with open(root / row["warc_file"], "rb") as fh:
            fh.seek(row["offset"])
            data = fh.read(row["length"] + row["request_length"])
        got = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(io.BytesIO(data))]
        if row["record_type"] == "metadata":
            assert got == [("metadata", row["url"])]
        else:
            assert got == [(row["record_type"], row["url"]), ("request", row["url"])]
        gzip.decompress(data)  # whole gzip members, nothing cut


def test_unchanged_pages_are_revisits_of_the_earlier_round(archived):
    r1 = {r["url"]: r for r in records(archived["db"], "r1")}
    r2 = records(archived["db"], "r2")
    revisits = [r for r in r2 if r["record_type"] == "revisit"]
    assert len(revisits) > len(r2) // 2, "the farm serves the same pages twice: most must be revisits"
    for r in revisits[:20]:
        assert r["payload_digest"] == r1[r["url"]]["payload_digest"]
        assert r["refers_file"] == r1[r["url"]]["warc_file"] and r["refers_offset"] == r1[r["url"]]["offset"]

    def size(name):
        return sum(p.stat().st_size for p in (archived["work"] / "archive").glob(f"*-{name}/*.warc.gz"))

    assert size("r2") < size("r1") / 2


def test_evidence_of_a_broken_link_shows_the_planted_defect(archived):
    planted = [d for d in archived["truth"]["defects"] if d["rule"] == "LINK-PAGE"]
    assert planted, "the farm must plant a LINK-PAGE defect"
    defect = planted[0]
    out = archived["work"] / "ev"
    ok(
        zwgk(
            "evidence",
            "--round",
            "r2",
            "--unit",
            defect["unit_id"],
            "--rule",
            "LINK-PAGE",
            "--subject",
            defect["subject"],
            "-o",
            str(out),
            "--warc",
            "--db",
            str(archived["db"]),
        )
    )
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    pages = {p["url"]: p for p in index["pages"]}
    (finding,) = index["findings"]
    assert finding["subject"] == defect["subject"]
    target = pages[defect["subject"]]
    assert target["outcome"] == "broken"
    source = pages[finding["page"]]
    body = (out / source["source"]).read_text(encoding="utf-8")
    parts = urlsplit(defect["subject"])
    assert (parts.path if parts.path not in ("", "/") else parts.netloc) in body, (
        "the page the finding names must hold the broken link as archived"
    )
    assert (
        (out / source["safe_rendering"])
        .read_text(encoding="utf-8")
        .lstrip()
        .lower()
        .startswith('<!doctype html><html><head><meta http-equiv="content-security-policy"')
    )
    assert index["homepage"] in pages and pages[index["homepage"]]["is_homepage"]
    assert "证据包" in (out / "索引.txt").read_text(encoding="utf-8")
    # The exported WARC is self-contained: revisits come with the record holding their payload.
    with open(out / "evidence.warc.gz", "rb") as warc:
        types = [r.rec_type for r in ArchiveIterator(warc)]
    assert types[0] == "warcinfo" and "response" in types
    assert types.count("response") >= len([p for p in index["pages"] if p["warc"]["type"] != "metadata"]) - types.count(
        "revisit"
    )


def test_evidence_names_missing_findings_clearly(archived):
    run = zwgk(
        "evidence",
        "--round",
        "r2",
        "--unit",
        archived["truth"]["sites"][0]["unit_id"],
        "--rule",
        "NO-SUCH",
        "--db",
        str(archived["db"]),
    )
    assert run.returncode == 2 and "has no finding NO-SUCH" in run.stderr


@pytest.mark.parametrize("source", ["r1", "r2"])
def test_a_round_rejudged_from_its_archive_has_identical_findings(archived, source, monkeypatch):
    """The farm is stopped: every answer comes from the archive (r2 mostly from revisits)."""
    monkeypatch.setenv("ZWGK_CONTENT_LISTS", str(archived["lists"]))  # the same word lists as the live round
    new = f"{source}-again"
    ok(zwgk("assess", "--round", new, "--from-archive", source, "--db", str(archived["db"]), "--quiet"))
    live, again = findings(archived["db"], source), findings(archived["db"], new)
    assert live and again == live
    # The new round's evidence is the same archived bytes.
    assert {(r["url"], r["payload_digest"]) for r in records(archived["db"], new)} == {
        (r["url"], r["payload_digest"]) for r in records(archived["db"], source)
    }


def test_archive_findings_keeps_only_pages_behind_findings(tmp_path):
    db = tmp_path / "zwgk.db"
    with running_farm(FarmConfig(sites=4)) as farm:
        registry = farm.write_registry(tmp_path / "registry.csv")
        ok(
            zwgk(
                "assess",
                "--round",
                "f1",
                "--registry",
                str(registry),
                "--as-of",
                farm.truth["as_of"],
                "--resolver",
                farm.resolver,
                "--allow-private",
                "--db",
                str(db),
                "--quiet",
                "--archive",
                "findings",
            )
        )
        ok(
            zwgk(
                "assess",
                "--round",
                "n1",
                "--registry",
                str(registry),
                "--as-of",
                farm.truth["as_of"],
                "--resolver",
                farm.resolver,
                "--allow-private",
                "--db",
                str(db),
                "--quiet",
                "--archive",
                "none",
            )
        )
    rows = records(db, "f1")
    by_unit: dict[str, set[str]] = {}
    for r in rows:
        by_unit.setdefault(r["unit_id"], set()).add(r["url"])
    with sqlite3.connect(db) as con:
        pages = con.execute(
            "select count(*) from pages p join rounds r on r.id = p.round_id where r.name='f1'"
        ).fetchone()[0]
        backed = con.execute(
            "select f.unit_id, f.page from findings f join rounds r on r.id = f.round_id where r.name='f1' and f.page != ''"
        ).fetchall()
    assert len(rows) < pages / 10
    for unit_id, page in backed:
        assert page in by_unit[unit_id]
    files = list((tmp_path / "archive").glob("*-f1/*.warc.gz"))
    assert files and all(f.name.endswith("-kept.warc.gz") for f in files)
    assert records(db, "n1") == [] and not list((tmp_path / "archive").glob("*-n1"))
    run = zwgk("assess", "--round", "f2", "--from-archive", "f1", "--db", str(db), "--quiet")
    assert run.returncode == 2 and "--archive findings" in run.stderr


def test_evidence_screenshots_the_archived_homepage_offline(archived):
    """The farm is stopped: the picture comes from the archive, in headless Chromium."""
    site = archived["truth"]["sites"][0]
    out = archived["work"] / "ev-shot"
    run = ok(
        zwgk(
            "evidence",
            "--round",
            "r1",
            "--unit",
            site["unit_id"],
            "-o",
            str(out),
            "--screenshots",
            "--db",
            str(archived["db"]),
        )
    )
    png = (out / "homepage.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    beside = list((archived["work"] / "archive").glob(f"*-r1/{site['unit_id']}.home.png"))
    assert len(beside) == 1 and beside[0].read_bytes() == png
    assert "homepage screenshot" in run.stdout
