"""The single-writer lock between real processes: while one holds it, another is refused at once (not left waiting)
and told who holds it; once the holder is gone, however it went (even SIGKILL), the next writer gets it.

The lock is an OS file lock (``flock``), so only separate processes show whether it is exclusive: each test runs the
other side as a child Python process on the same warehouse folder (``HUNTRED_WAREHOUSE_DIR``, set by ``warehouse``).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from typing import Iterator

import pytest

from foundation.errors import Busy
from foundation.settings import get_settings
from foundation.warehouse import writer_busy, writer_lock
from tests.conftest import REPO

#: a writer that holds the lock until its stdin is closed (or it is killed)
HOLD = """
import sys
from foundation.settings import get_settings
from foundation.warehouse import writer_lock
with writer_lock(get_settings()):
    print("held", flush=True)
    sys.stdin.read()
"""

#: a second writer: what the probe says, then whether it gets the lock or is refused
TRY = """
from foundation.errors import Busy
from foundation.settings import get_settings
from foundation.warehouse import writer_busy, writer_lock
print("probe:", writer_busy(get_settings()))
try:
    with writer_lock(get_settings()):
        print("got it")
except Busy as exc:
    print("refused:", exc.problem)
"""

#: a writer left waiting for the lock instead of being refused fails here, instead of hanging the suite
TRY_SECONDS = 15


@contextmanager
def holder() -> Iterator[subprocess.Popen]:
    """A child process holding the writer lock (it releases it when the block ends, unless the test killed it)."""
    child = subprocess.Popen([sys.executable, "-c", HOLD], cwd=REPO, env=os.environ, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = child.stdout.readline()
        assert line == "held\n", (line, child.stderr.read() if child.poll() is not None else "")
        yield child
    finally:
        if child.poll() is None:
            child.stdin.close()
            child.wait(timeout=TRY_SECONDS)
        child.stdout.close()
        child.stderr.close()


def second_writer() -> list[str]:
    """Another process tries the probe, then the lock: its answers, one a line."""
    done = subprocess.run([sys.executable, "-c", TRY], cwd=REPO, env=os.environ, capture_output=True, text=True,
                          timeout=TRY_SECONDS)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


def held_by(pid: int) -> str:
    return f"busy: pid {pid} since "


def test_a_second_writer_process_is_refused_naming_the_holder_until_the_holder_is_killed(warehouse):
    with holder() as a:
        probe, attempt = second_writer()
        assert probe.startswith(f"probe: pid {a.pid} since "), probe
        assert attempt.startswith(f"refused: {held_by(a.pid)}"), attempt
        assert writer_busy(get_settings()).startswith(f"pid {a.pid} since ")  # and from this process too
        with pytest.raises(Busy) as refused, writer_lock(get_settings()):
            pass
        assert refused.value.problem.startswith(held_by(a.pid))
        a.send_signal(signal.SIGKILL)  # no finally, no unlock: the OS drops the lock with the process
        assert a.wait(timeout=TRY_SECONDS) == -signal.SIGKILL
        assert second_writer() == ["probe: None", "got it"]


def test_a_writer_process_is_refused_while_this_process_holds_the_lock_and_served_after(warehouse):
    with writer_lock(get_settings()):
        probe, attempt = second_writer()
        assert probe.startswith(f"probe: pid {os.getpid()} since "), probe
        assert attempt.startswith(f"refused: {held_by(os.getpid())}"), attempt
    assert second_writer() == ["probe: None", "got it"]
    with holder():  # a holder that ends normally frees it as well
        pass
    assert writer_busy(get_settings()) is None
    with writer_lock(get_settings()):
        pass


def test_a_run_holding_the_lock_is_named_by_its_dagster_run_id(warehouse):
    """What a second writer is told is the one line the CLI prints and the API answers with 409."""
    with writer_lock(get_settings(), "0a1b2c3d-run"):
        assert writer_busy(get_settings()).startswith(f"run 0a1b2c3d-run (pid {os.getpid()}, since ")
        with pytest.raises(Busy) as refused, writer_lock(get_settings()):
            pass
    assert refused.value.problem.startswith("busy: run 0a1b2c3d-run (pid ")
    assert refused.value.problem.endswith(" is writing the warehouse.")
