"""`zwgk dashboard` as a real process: SIGTERM / SIGINT reach the server, which stops and frees the port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zwgk.dashboard import wait_ready
from zwgk.storage import users

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """The direct child processes of ``pid`` (Linux /proc)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(t) for t in text]
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_dashboard_passes_the_signal_on_and_waits_for_the_server(tmp_path, db, db_url, signum):
    users.add_user(db, "leader", "leader-pass-1", "leader", rounds=4)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-m", "zwgk", "dashboard", "--db", db_url, "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", timeout=90, proc=parent)
        servers = _children(parent.pid)
        assert servers, "zwgk dashboard started no server process"
        parent.send_signal(signum)
        parent.wait(timeout=60)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (any(_alive(p) for p in servers) or _port_open(port)):
            time.sleep(0.1)
        assert not [p for p in servers if _alive(p)], "the server outlived zwgk dashboard"
        assert not _port_open(port), "the port is still held"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
