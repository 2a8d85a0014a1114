"""`make <target>` started as from a plain shell (no activated venv on PATH), for the tests of the Makefile's servers."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import httpx

from tests.conftest import REPO

#: the virtualenv running the tests, as the Makefile's VENV
VENV = Path(sys.prefix)
#: what a test must not remake: an install into the venv, the dbt manifest (the session parsed it), the repo's .env
NOT_REMADE = (f"{VENV}/.installed", "transforms/target/manifest.json", ".env")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def make_serving(target: str, warehouse: Path, **variables: str) -> Iterator[tuple[subprocess.Popen, Path]]:
    """Run `make TARGET` with PATH=/usr/bin:/bin and nothing else of this environment but the warehouse; stop the
    whole process group (make, the server and what it started) on the way out. Yields the process and its log."""
    warehouse.mkdir(parents=True, exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "HUNTRED_WAREHOUSE_DIR": str(warehouse),
           # this checkout's code, as the editable install does in a fresh clone (tests may run from a worktree)
           "PYTHONPATH": str(REPO)}
    log = warehouse.parent / f"make-{target}.log"
    command = ["make", "--no-print-directory", *(f"--old-file={f}" for f in NOT_REMADE), target, f"VENV={VENV}",
               *(f"{k}={v}" for k, v in variables.items())]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        yield proc, log
    finally:
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)  # anyone left in the group?
            except ProcessLookupError:
                proc.wait(timeout=5)
                return
            proc.poll()
            time.sleep(0.2)


def wait_until(check: Callable[[], object], proc: subprocess.Popen, log: Path, timeout: float) -> object:
    """Poll ``check`` (an HTTP call) until it returns something true; fail with the server's log if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"make exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            answer = check()
            if answer:
                return answer
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"no answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")
