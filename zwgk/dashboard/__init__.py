"""zwgk.dashboard: the Streamlit app, its role-enforcing query layer, and how to start it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

APP_PATH = Path(__file__).with_name("app.py")


def streamlit_command(port: int = 8501, host: str = "127.0.0.1") -> list[str]:
    """The dashboard server's command line: Streamlit's ASGI app behind zwgk's front
    (login, security headers, closed metrics; see :mod:`zwgk.dashboard.server`)."""
    return [sys.executable, "-m", "zwgk.dashboard.server", "--host", host, "--port", str(port)]


def launch(
    db_url: str, port: int = 8501, host: str = "127.0.0.1", block: bool = True, trust_proxy: bool = False
) -> subprocess.Popen:
    """Start the dashboard on ``host:port`` showing ``db_url``.

    ``block=True`` waits until the server exits; SIGTERM and SIGINT sent to this process are
    passed on to the server and waited for (so ``kill`` or a service manager stopping
    ``zwgk dashboard`` never leaves the server holding the port).  ``block=False`` returns
    the running process at once (see :func:`wait_ready`).
    """
    from zwgk.storage.db import resolve_url

    env = dict(os.environ)
    env["ZWGK_DB"] = resolve_url(db_url)
    if trust_proxy:
        env["ZWGK_TRUST_PROXY"] = "1"
    proc = subprocess.Popen(streamlit_command(port, host), env=env)
    if block:
        wait_forwarding_signals(proc)
    return proc


def wait_forwarding_signals(proc: subprocess.Popen, grace: float = 20.0) -> int:
    """Wait for ``proc``, passing SIGTERM/SIGINT/SIGHUP on to it; kill it if it ignores them."""
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)

    wanted = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {sig: signal.signal(sig, forward) for sig in wanted}
    try:
        while True:
            try:
                return proc.wait(timeout=grace if received else None)
            except subprocess.TimeoutExpired:
                proc.kill()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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


__all__ = ["APP_PATH", "launch", "streamlit_command", "wait_forwarding_signals", "wait_ready"]
