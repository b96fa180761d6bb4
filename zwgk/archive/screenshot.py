"""Homepage screenshots in a real Chromium, taken offline from the archive.

The archived homepage is rendered inert (``zwgk.archive.sanitize``) with JavaScript
disabled and every network request aborted, so the picture shows what the archive
holds without touching the site or running its code (images from the site are
therefore absent: the text and layout are what the screenshot documents).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from zwgk.model import ZwgkError


def screenshot_html(html: str, out: Path, width: int = 1280, height: int = 900) -> Path:
    """Render ``html`` (already inert) to a PNG at ``out`` with headless Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ZwgkError(
            "--screenshots needs playwright and its Chromium (pip install playwright; playwright install chromium)"
        ) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(
                java_script_enabled=False, viewport={"width": width, "height": height}, offline=True
            )
            page = context.new_page()
            page.route("**/*", lambda route: route.abort())
            page.set_content(html, wait_until="domcontentloaded")
            page.screenshot(path=str(out), full_page=False)
        finally:
            browser.close()
    return out


def chromium_path() -> str | None:
    """The system Chromium (Debian's package) when there is one, else playwright's own."""
    configured = os.environ.get("ZWGK_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None
