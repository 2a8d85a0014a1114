"""Waiting for a server a test (or the bench) started."""
from __future__ import annotations

import time

import httpx


def wait_for_http(url: str, timeout: float = 120.0) -> None:
    """Block until a server we started answers 200 at url (e.g. Streamlit's /_stcore/health)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.3)
