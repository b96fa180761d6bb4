"""The files of deploy/ agree with the documents and keep secrets off command lines.

deploy/test-deployment.sh runs them for real (CI); these checks are the quick part:
every file is referenced by the documents, no unit puts a URL or password on its
command line, every secret-bearing env template is a CHANGE-ME placeholder.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _docs() -> str:
    return "".join((ROOT / "docs" / name).read_text(encoding="utf-8") for name in ("deployment.md", "monitoring.md"))


def test_every_deploy_file_is_referenced_by_the_documents():
    docs = _docs()
    for path in DEPLOY.rglob("*"):
        if path.is_file() and path.name != "README.md":
            rel = path.relative_to(DEPLOY).as_posix()
            assert rel in docs or path.name in docs, (
                f"deploy/{rel} is not mentioned in docs/deployment.md or monitoring.md"
            )


def test_units_keep_urls_and_passwords_off_the_command_line():
    units = sorted((DEPLOY / "systemd").glob("zwgk-*.service"))
    assert {u.name for u in units} >= {
        "zwgk-worker@.service",
        "zwgk-beat.service",
        "zwgk-monitor.service",
        "zwgk-dashboard.service",
    }
    for unit in units:
        text = unit.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith("ExecStart="):
                assert "://" not in line and "--broker" not in line and "--db" not in line, f"{unit.name}: {line}"
        if unit.name != "zwgk-backup.service":
            assert "User=zwgk" in text and "EnvironmentFile=/etc/zwgk/zwgk.env" in text, unit.name


def test_env_templates_hold_placeholders_only():
    for env in (DEPLOY / "env").glob("*.env"):
        for line in env.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                assert re.fullmatch(r"[A-Z_]+", key), f"{env.name}: {line}"
                if "PASSWORD" in key or "SECRET" in key or key == "ZWGK_BROKER":
                    assert "CHANGE-ME" in value, f"{env.name}: {key} must be a CHANGE-ME placeholder"
    assert "CHANGE-ME-DB-PASSWORD" in (DEPLOY / "postgresql" / "pgpass.example").read_text(encoding="utf-8")
    acl = (DEPLOY / "redis" / "zwgk-acl.conf").read_text(encoding="utf-8")
    assert "user default off" in acl and re.search(r"^user zwgk on >CHANGE-ME", acl, re.MULTILINE)


def test_nginx_site_has_the_security_headers():
    site = (DEPLOY / "nginx" / "zwgk.conf").read_text(encoding="utf-8")
    for needle in (
        "server_tokens off;",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "frame-ancestors 'none'",
        "ssl_protocols TLSv1.2 TLSv1.3",
    ):
        assert needle in site, needle
