"""The farm as a value: its sites, where they live (origins), lazy materialisation.

``Farm`` holds only the cheap ``SiteSpec`` list; a ``Site`` is built when a
request (or the truth) needs it and kept in a bounded LRU cache, so a national
farm of 13,385 sites starts in seconds and stays small in memory.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from zwgk.sitefarm.config import FarmConfig
from zwgk.sitefarm.generate import materialise
from zwgk.sitefarm.model import Site, SiteSpec
from zwgk.sitefarm.names import KNOWN_EXTERNAL_HOSTS
from zwgk.sitefarm.specs import build_specs

REGISTRY_COLUMNS = (
    "unit_id",
    "unit_name",
    "tier",
    "kind",
    "region",
    "parent_id",
    "site_url",
    "site_code",
    "has_services",
)
SITE_CACHE_SIZE = 512


def alias_host(host: str) -> str:
    """The site's second host, the same site for the crawler (``www.`` optional): the bare
    domain of ``www.x.gov.cn``, ``www.`` + any other host.  It has an A record always and an
    AAAA record unless the site is planted with IPV6-INNER-LINKS (an IPv4-only host)."""
    return host[4:] if host.startswith("www.") else "www." + host


def zone_of(host: str) -> str:
    """The DNS zone a farm site's host is delegated in: ``x.gov.cn`` for ``www.x.gov.cn``, a
    department's own name (``fgw.x.gov.cn``) for the others.  Its name servers are ``ns1.``
    and ``ns2.`` + zone, with AAAA ::1 unless the site is planted with IPV6-DELEGATION."""
    return host[4:] if host.startswith("www.") else host


@dataclass(slots=True)
class Origins:
    """Where each site and each outside host is served (decided when serving).

    Normal mode: ``http://<host>:<port>`` for every site, resolved by the farm's DNS.
    Benchmark mode: ``http://127.0.0.1:<own port>`` per site and outside hosts
    under ``http://127.0.0.1:<external port>/<host>``.
    """

    port: int = 0
    bench_ports: dict[int, int] = field(default_factory=dict)  # site index → port
    external_port: int = 0

    def site(self, spec: SiteSpec) -> str:
        if self.bench_ports:
            return f"http://127.0.0.1:{self.bench_ports[spec.index]}"
        return f"http://{spec.host}:{self.port}"

    def external(self, host: str) -> str:
        if self.bench_ports:
            return f"http://127.0.0.1:{self.external_port}/{host}"
        return f"http://{host}:{self.port}"

    def v4only(self, spec: SiteSpec, path: str) -> str:
        """``path`` on the site's second, IPv4-only host (the site itself in benchmark mode)."""
        if self.bench_ports:
            return self.site(spec) + path
        return f"http://{alias_host(spec.host)}:{self.port}{path}"

    def resolve(self, spec: SiteSpec, ref: str) -> str:
        """A model link (``/path`` on the site, ``dead:<domain>``, ``v4only:/path``) as an absolute URL."""
        if ref.startswith("v4only:"):
            return self.v4only(spec, ref[7:])
        if ref.startswith("dead:"):
            name = ref[5:]
            if self.bench_ports:  # no DNS in benchmark mode: a closed loopback port
                return f"http://127.0.0.1:9/{name}/"
            return f"http://www.{name}/"
        if ref.startswith("/"):
            return self.site(spec) + ref
        return ref


class Farm:
    """All sites of one config; materialises sites on demand."""

    def __init__(self, config: FarmConfig):
        self.config = config
        self.specs: list[SiteSpec] = build_specs(config)
        self.by_host: dict[str, SiteSpec] = {s.host: s for s in self.specs}
        self.by_unit: dict[str, SiteSpec] = {s.unit_id: s for s in self.specs}
        self.external_hosts = frozenset(KNOWN_EXTERNAL_HOSTS) - set(self.by_host)
        # second hosts and DNS zones (the first site claiming one keeps it)
        self.by_alias: dict[str, SiteSpec] = {}
        self.by_zone: dict[str, SiteSpec] = {}
        for s in self.specs:
            alias = alias_host(s.host)
            if alias not in self.by_host and alias not in self.external_hosts:
                self.by_alias.setdefault(alias, s)
            self.by_zone.setdefault(zone_of(s.host), s)
        self.origins = Origins()
        self._site = lru_cache(maxsize=SITE_CACHE_SIZE)(self._materialise)

    def _materialise(self, index: int) -> Site:
        return materialise(self.specs[index], self.config)

    def site(self, spec: SiteSpec) -> Site:
        return self._site(spec.index)

    def url(self, spec: SiteSpec) -> str:
        return self.origins.site(spec) + "/"

    def site_rows(self) -> list[dict]:
        """The registry rows of the farm (canonical columns of docs/architecture.md)."""
        return [
            {
                "unit_id": s.unit_id,
                "unit_name": s.name,
                "tier": s.tier,
                "kind": s.kind,
                "region": s.region,
                "parent_id": s.parent_id,
                "site_url": self.url(s),
                "site_code": s.site_code,
                "has_services": "1" if s.has_services else "0",
            }
            for s in self.specs
        ]

    def write_registry(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=REGISTRY_COLUMNS)
            writer.writeheader()
            writer.writerows(self.site_rows())
        return path
