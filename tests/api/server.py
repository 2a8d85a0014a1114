"""A real uvicorn process serving the API on 127.0.0.1, for tests that kill it or load it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

from tests.conftest import REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(warehouse: Path, log_level: str = "warning", **env: str) -> tuple[subprocess.Popen, str]:
    """Below "warning", stdout (uvicorn's access log) is a pipe too: read the pipes once the server is stopped."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", log_level], cwd=REPO, env={**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse), **env},
                            stdout=subprocess.DEVNULL if log_level == "warning" else subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("uvicorn did not answer /health within 60 s")


@contextmanager
def serving(warehouse: Path, log_level: str = "warning", **env: str) -> Iterator[tuple[subprocess.Popen, str]]:
    proc, url = start(warehouse, log_level, **env)
    try:
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
