"""The national site registry bundled with zwgk (public facts: names, 网站标识码, URLs).

The 2023-03-09 export of the national government-website database, byte for byte as
published (messy rows included; see zwgk/data/registry/README.md).  Shipped in the
package so that a fresh install can import or simulate the national round — and the
tests can check the importer against it — without any file beside the checkout.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "registry"
NATIONAL_EXPORT = DATA_DIR / "gov-sites-2023-03-09.csv"  # 13,385 sites
PROVINCIAL_PORTALS = DATA_DIR / "gov-portals-provincial-2023-03-09.csv"  # the 32 provincial portals
