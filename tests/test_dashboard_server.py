"""The dashboard front's small decisions: where a login may send the browser, whose address counts."""

from __future__ import annotations

from zwgk.dashboard import server


def test_login_redirects_only_to_paths_on_this_site():
    assert server._safe_next("/?page=unit&unit=u1") == "/?page=unit&unit=u1"
    for bad in (
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
        None,
        "/zwgk/login",
        "/media/x.pdf",
        "/_stcore/metrics",
    ):
        assert server._safe_next(bad) == "/", bad


def test_client_address_trusts_proxy_headers_only_when_told_and_only_from_loopback(monkeypatch):
    headers = {"x-real-ip": "203.0.113.5", "x-forwarded-for": "198.51.100.1, 203.0.113.5"}
    monkeypatch.delenv(server.TRUST_PROXY_ENV, raising=False)
    assert server.client_address({"client": ("127.0.0.1", 5000)}, headers) == "127.0.0.1"
    monkeypatch.setenv(server.TRUST_PROXY_ENV, "1")
    assert server.client_address({"client": ("127.0.0.1", 5000)}, headers) == "203.0.113.5"
    assert server.client_address({"client": ("192.0.2.9", 5000)}, headers) == "192.0.2.9"  # not nginx: its own


def test_csp_allows_streamlits_inline_flag_by_hash_and_nothing_else_inline():
    csp = server.SECURITY_HEADERS["content-security-policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
