"""Archived pages are untrusted: the safe rendering runs no script and makes no request.

A hostile page (scripts, event handlers, meta refresh, stylesheets, images, frames,
``javascript:`` links, CSS ``url()``) is rendered in a real Chromium with JavaScript
*enabled*; a loopback HTTP server counts every request it would have made.
"""

from __future__ import annotations

import http.server
import shutil
import threading

import pytest

from zwgk.archive.sanitize import CSP_META, safe_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def counter():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"x")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def hostile(base: str, refresh: bool = True) -> str:
    meta = f'<meta http-equiv="refresh" content="0;url={base}/refresh">' if refresh else ""
    return f"""<html><head>{meta}
<link rel="stylesheet" href="{base}/css"><base href="{base}/base/">
<script>document.title = "ran"; fetch("{base}/fetch");</script>
<style>body {{ background: url({base}/bg) }}</style><title>原标题</title></head>
<body onload="document.title='onload'; new Image().src='{base}/onload'">
<h1>关于开展市场监管工作的通知</h1>
<img src="{base}/img" srcset="{base}/srcset 2x"><iframe src="{base}/frame"></iframe>
<object data="{base}/object"></object><embed src="{base}/embed">
<a href="javascript:alert(1)" id="js">点我</a><a href="{base}/follow" id="follow">原文链接</a>
<div style="background-image: url({base}/style)">正文</div>
<svg><script>fetch("{base}/svg")</script></svg>
<form action="{base}/form"><input type="image" src="{base}/input"></form>
</body></html>"""


def test_cleaning_removes_every_active_part():
    out = safe_html(hostile("http://203.0.113.9"))
    assert out.startswith("<!doctype html><html><head>" + CSP_META)
    low = out.lower()
    for gone in (
        "<script",
        "onload",
        "javascript:",
        "<iframe",
        "<object",
        "<embed",
        "<link",
        "<base",
        "refresh",
        "203.0.113.9",
        "<svg",
    ):
        assert gone not in low, gone
    assert "关于开展市场监管工作的通知" in out and "原文链接" in out and "正文" in out


@pytest.mark.parametrize("clean", [True, False], ids=["cleaned", "csp-only"])
def test_chromium_runs_no_script_and_requests_nothing(counter, clean):
    """Cleaned, and — defence in depth — the CSP alone on the raw page, with JS enabled.

    (A meta refresh is navigation, which CSP does not govern: only the cleaning removes it,
    so the CSP-only page leaves it out.)"""
    from playwright.sync_api import sync_playwright

    base, hits = counter
    page_html = safe_html(hostile(base)) if clean else CSP_META + hostile(base, refresh=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(java_script_enabled=True)
            page.set_content(page_html, wait_until="load")
            page.wait_for_timeout(500)
            title = page.title()
            if clean:
                assert page.locator("#follow").get_attribute("href") is None
        finally:
            browser.close()
    # Control: the same server is reachable, so zero hits means nothing was requested.
    import urllib.request

    urllib.request.urlopen(base + "/control", timeout=5).read()
    assert hits == ["/control"]
    assert title not in ("ran", "onload")
