"""Ground truth: what a correct assessor finds on the farm, read off the model.

The oracle evaluates the materialised model (not the plan), so a consequence of
a planted defect (a missing 年报 column → last year's report is missing) is in
the truth exactly when the pages show it.
"""

from __future__ import annotations

import json
from pathlib import Path

from zwgk.sitefarm.content import content_defects
from zwgk.sitefarm.disclosure import LEDGER_CODES as REGISTER_CODES
from zwgk.sitefarm.disclosure import disclosure_defects
from zwgk.sitefarm.farm import Farm
from zwgk.sitefarm.generate import IMPORTANT_WORDS
from zwgk.sitefarm.model import Site, articles
from zwgk.sitefarm.names import FRESHNESS_DAYS
from zwgk.sitefarm.substance import substance_defects
from zwgk.sitefarm.workdays import workdays_between

HOME_FRESH_DAYS = 14
INTERP_WORKDAYS = 3
REPLY_WORKDAYS = 5
INTERP_TARGET_RATE = 0.8  # national-2019 INTERP-RATE target_rate (a test keeps them equal)
# A site's IPv6 plant (``Site.ipv6_mode``) and the rule that finds it, on the homepage.
IPV6_MODES = {
    "none": "IPV6-NONE",  # no AAAA record
    "unreachable": "IPV6-UNREACHABLE",  # AAAA, but every IPv6 request is reset
    "mismatch": "IPV6-MISMATCH",  # a maintenance page over IPv6
    "intermittent": "IPV6-INTERMITTENT",  # the homepage fails every other IPv6 request
    "delegation": "IPV6-DELEGATION",  # the zone's name servers have no AAAA
    "inner": "IPV6-INNER-LINKS",  # homepage links to pages on an IPv4-only host
}


def site_defects(farm: Farm, site: Site) -> list[dict]:
    """The defects of one site as ``{"unit_id", "rule", "subject"}``."""
    spec, origins, as_of = site.spec, farm.origins, farm.config.as_of
    home = farm.url(spec)
    out: list[tuple[str, str]] = []
    if site.down:
        return [{"unit_id": spec.unit_id, "rule": "AVAIL-DOWN", "subject": home}]
    if site.ipv6_mode in IPV6_MODES:
        out.append((IPV6_MODES[site.ipv6_mode], home))
    shown = [site.columns[k].items[0].date for k in site.home_blocks if site.columns[k].items]
    if not shown or (as_of - max(shown)).days > HOME_FRESH_DAYS:
        out.append(("FRESH-HOME", home))
    for col in site.columns.values():
        url = origins.resolve(spec, col.path)
        if col.kind == "hub":
            continue
        if not col.items:
            out.append(("COLUMN-BLANK", url))
        elif col.fresh and (as_of - col.items[0].date).days > FRESHNESS_DAYS[col.fresh]:
            out.append(("FRESH-COLUMN", url))
        for ref, _ in col.broken:
            out.append(("LINK-PAGE", origins.resolve(spec, ref)))
        if col.loop_link:  # a link that redirects forever is dead for every visitor
            out.append(("LINK-PAGE", origins.resolve(spec, "/loop/a.html")))
    for std in spec.missing:
        out.append(("COLUMN-MISSING", std))
    items = articles(site.pages)
    normative = with_interp = 0
    for item in items.values():
        for path, _ in item.attachments:
            if path not in site.attachments:
                out.append(("LINK-PAGE", origins.resolve(spec, path)))
        if item.kind == "doc":
            url = origins.resolve(spec, item.path)
            interps = [items[p] for p in item.related if p in items]
            if any(w in item.doc_number for w in IMPORTANT_WORDS):
                normative += 1
                with_interp += bool(interps)
                if not interps:
                    out.append(("INTERP-MISSING", url))
            if interps and min(workdays_between(item.date, i.date) for i in interps) > INTERP_WORKDAYS:
                out.append(("INTERP-LATE", url))
        if item.kind == "message" and "hdjl" in site.columns:
            until = item.answered.date() if item.answered else as_of
            assert item.asked is not None, item.path  # every message of the model is asked on a date
            if workdays_between(item.asked.date(), until) > REPLY_WORKDAYS:
                out.append(("REPLY-LATE", origins.resolve(spec, item.path)))
    if as_of > site.report_deadline:
        last = as_of.year - 1
        gknb = site.columns.get("gknb")
        report = next((it for it in (gknb.items if gknb else []) if it.year == last), None)
        if report is None or report.date > site.report_deadline:
            out.append(("REPORT-LATE", str(last)))
    # INTERP-RATE as the rule computes it: 规范性文件 with a 解读 over all 规范性文件, under target.
    if normative and with_interp / normative + 1e-12 < INTERP_TARGET_RATE:
        out.append(("INTERP-RATE", home))
    for ref, _ in site.home_broken:
        out.append(("LINK-HOME", origins.resolve(spec, ref)))
    if site.footer["site_code"] != spec.site_code:
        out.append(("IDENT-SITECODE", home))
    if not site.footer["icp"]:
        out.append(("IDENT-ICP", home))
    if not site.footer["psb"]:
        out.append(("IDENT-PSB", home))
    if not site.footer["sponsor"]:
        out.append(("IDENT-SPONSOR", home))
    if not site.conac_id:
        out.append(("CONAC-BADGE", home))
    if not site.search:
        out.append(("SEARCH-MISSING", home))
    for page_type in sorted(site.meta_missing):
        out.append(("IDENT-META", page_type))
    out.extend(content_defects(farm, site))  # 办事服务 / content plants
    out.extend(disclosure_defects(farm, site))  # 年报 contents / 依申请公开 registers
    out.extend(substance_defects(farm, site))  # 政务公开 substance plants
    seen: set[tuple[str, str]] = set()
    result = []
    for rule, subject in out:
        if (rule, subject) not in seen:
            seen.add((rule, subject))
            defect = {"unit_id": spec.unit_id, "rule": rule, "subject": subject}
            if rule in REGISTER_CODES:  # found only from the unit's register, once it is imported
                defect["input"] = "register"
            elif rule.startswith("MEDIA-"):  # found only from the imported 政务新媒体 accounts and posts
                defect["input"] = "media"
            elif rule == "KEYPOINTS-LATE":  # judged only with the 上级 要点 dates as rubric data
                defect["input"] = "rubric"
            result.append(defect)
    return result


def site_entry(farm: Farm, site: Site) -> dict:
    spec = site.spec
    return {
        "unit_id": spec.unit_id,
        "url": farm.url(spec),
        "name": spec.name,
        "site_code": spec.site_code,
        "tier": spec.tier,
        "kind": spec.kind,
        "host": spec.host,
        "region": spec.region,
        "parent_id": spec.parent_id,
        "has_services": spec.has_services,
        "charset": site.charset,
        "traditional": site.traditional,
        "template": site.template,
        "family": site.template,
        "gzip": site.gzip,
        "ipv6": site.ipv6_mode,
        "columns": {c.std or c.key: c.name for c in site.columns.values()},
        "nav_more": [site.columns[k].name for k in site.nav_more],
    }


def build_truth(farm: Farm) -> dict:
    """The whole ground-truth document (materialises every site once)."""
    sites: list[dict] = []
    defects: list[dict] = []
    transient: list[str] = []
    traps: list[str] = []
    prefixes: list[str] = []
    for spec in farm.specs:
        site = farm.site(spec)
        sites.append(site_entry(farm, site))
        defects.extend(site_defects(farm, site))
        for path in sorted(site.transient):
            transient.append(farm.origins.resolve(spec, path))
        if site.loop:
            traps.extend(farm.origins.resolve(spec, p) for p in ("/loop/a.html", "/loop/b.html"))
        if site.calendar:
            base = farm.origins.resolve(spec, site.calendar)
            traps.append(base)
            prefixes.append(base + "?date=")
    return {
        "seed": farm.config.seed,
        "as_of": farm.config.as_of.isoformat(),
        "bench_mode": farm.config.bench_mode,
        "sites": sites,
        "defects": defects,
        "transient": transient,
        "traps": traps,
        "trap_prefixes": prefixes,
    }


def write_truth(truth: dict, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
