"""National scale, benchmark mode and the ``zwgk farm serve`` command."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time

import pytest

from tests.farm_client import fetch, meta, resolver, text
from zwgk.registry.bundled import NATIONAL_EXPORT


def test_national_farm_serves_registry_names_and_codes(farm_factory):
    path = NATIONAL_EXPORT
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    handle = farm_factory(registry=path)
    specs = handle.farm.specs
    assert len(specs) == len(rows) == 13385
    checked = 0
    for i in range(0, len(rows), 97):  # 138 sites spread over the whole registry
        spec, row = specs[i], rows[i]
        if "AVAIL-DOWN" in spec.codes:
            continue
        status, _, body = fetch(handle.url(spec.unit_id))
        assert status == 200, (i, spec.host)
        page = text(body)
        missing = handle.farm.site(spec).meta_missing.get("home")
        if missing != "SiteName":
            assert meta(page, "SiteName") == row["网站名称"].strip(), i
        if missing != "SiteIDCode":
            assert meta(page, "SiteIDCode") == row["网站标识码"].strip(), i
        checked += 1
    assert checked > 120
    res = resolver(handle)
    assert [r.address for r in res.resolve(specs[-1].host, "A")] == ["127.0.0.1"]


def test_registry_hosts_are_taken_from_messy_urls(tmp_path, farm_factory):
    reg = tmp_path / "reg.csv"
    reg.write_text(
        "序号,网站标识码,网站名称,首页网址,网站主管单位,网站状态\n"
        "1,3609220011,万载县人民政府, http://www.wanzai.gov.cn/ ,万载县人民政府,正常\n"
        "2,1100000005,北京市交通委员会,jtw.beijing.gov.cn,北京市交通委员会,正常\n"
        '3,1300000001,邯郸市建设局,"http://jsj.hd.gov.cn, 邯郸市建设局.政务",邯郸市建设局,正常\n'
        "4,1300000002,某某局,不是网址,某某局,例外\n",
        encoding="utf-8",
    )
    handle = farm_factory(registry=reg)
    hosts = [s.host for s in handle.farm.specs]
    assert hosts[:3] == ["www.wanzai.gov.cn", "jtw.beijing.gov.cn", "jsj.hd.gov.cn"]
    assert hosts[3].endswith(".farm.gov.cn")
    kinds = {s.name: (s.kind, s.tier) for s in handle.farm.specs}
    assert kinds["万载县人民政府"] == ("portal", "县")
    assert kinds["北京市交通委员会"][0] == "department"


def test_bench_mode_one_port_per_site_with_linkchecker_header(farm_factory):
    handle = farm_factory(sites=8, bench_mode=True)
    urls = [s["url"] for s in handle.truth["sites"]]
    assert len({u.split(":")[2] for u in urls}) == 8
    assert all(u.startswith("http://127.0.0.1:") for u in urls)
    assert handle.truth["transient"] == []
    # a site that is up and shows the 党政机关 badge (whose link goes to the external stand-in)
    down = {d["unit_id"] for d in handle.truth["defects"] if d["rule"] in ("AVAIL-DOWN", "CONAC-BADGE")}
    site = next(s for s in handle.truth["sites"] if s["unit_id"] not in down)
    status, headers, body = fetch(site["url"])
    assert status == 200 and headers["LinkChecker"] == "1"
    ext = [u for u in text(body).split('"') if u.startswith("http://127.0.0.1:") and "bszs.conac.cn" in u]
    assert ext and fetch(ext[0])[0] == 200


def test_cli_serve_writes_truth_and_registry_and_stops_on_ctrl_c(tmp_path):
    truth, registry = tmp_path / "truth.json", tmp_path / "registry.csv"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zwgk.cli",
            "farm",
            "serve",
            "--sites",
            "6",
            "--seed",
            "2",
            "--as-of",
            "2026-06-30",
            "--truth",
            str(truth),
            "--registry-out",
            str(registry),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(300):
            if truth.exists() and registry.exists() and truth.stat().st_size:
                break
            if proc.poll() is not None:
                pytest.fail(proc.stderr.read())
            time.sleep(0.1)
        time.sleep(0.3)
        data = json.loads(truth.read_text(encoding="utf-8"))
        assert data["as_of"] == "2026-06-30" and data["seed"] == 2 and len(data["sites"]) == 6
        with registry.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0]) == [
            "unit_id",
            "unit_name",
            "tier",
            "kind",
            "region",
            "parent_id",
            "site_url",
            "site_code",
            "has_services",
        ]
        port = rows[0]["site_url"].split(":")[2].rstrip("/")
        up = next(
            r for r in rows if r["unit_id"] not in {d["unit_id"] for d in data["defects"] if d["rule"] == "AVAIL-DOWN"}
        )
        assert fetch(up["site_url"])[0] == 200 and port.isdigit()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert "stopped" in out, err


def test_bad_registry_is_refused_with_the_file_named(tmp_path):
    from zwgk.model import ZwgkError
    from zwgk.sitefarm import FarmConfig
    from zwgk.sitefarm.farm import Farm

    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ZwgkError, match=r"bad\.csv"):
        Farm(FarmConfig(registry=bad))
