"""zwgk.dashboard: the Streamlit app, its role-enforcing query layer, and how to start it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

APP_PATH = Path(__file__).with_name("app.py")


def streamlit_command(port: int = 8501, host: str = "127.0.0.1") -> list[str]:
    """The ``streamlit run`` command line: headless, no usage statistics, bound to ``host``."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP_PATH),
        "--server.headless", "true",
        "--server.address", host,
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--global.developmentMode", "false",
        "--client.toolbarMode", "minimal",
    ]


def launch(db_url: str, port: int = 8501, host: str = "127.0.0.1", block: bool = True) -> subprocess.Popen:
    """Start the dashboard on ``host:port`` showing ``db_url``.

    ``block=True`` waits until the server exits (Ctrl-C stops it);
    ``block=False`` returns the running process at once (see
    :func:`wait_ready`).
    """
    from zwgk.storage.db import resolve_url

    env = dict(os.environ)
    env["ZWGK_DB"] = resolve_url(db_url)
    proc = subprocess.Popen(streamlit_command(port, host), env=env)
    if block:
        try:
            proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            proc.wait(timeout=10)
    return proc


def wait_ready(base_url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until Streamlit's ``/_stcore/health`` answers ``ok`` (or fail saying why)."""
    deadline = time.monotonic() + timeout
    last = ""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"dashboard exited with code {proc.returncode} before it was ready")
        try:
            with opener.open(f"{base_url.rstrip('/')}/_stcore/health", timeout=2) as resp:
                if resp.status == 200 and resp.read().strip() == b"ok":
                    return
        except OSError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise TimeoutError(f"dashboard at {base_url} not ready after {timeout:.0f} s ({last})")


__all__ = ["APP_PATH", "launch", "streamlit_command", "wait_ready"]
