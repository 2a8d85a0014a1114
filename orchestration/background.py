"""Start a run in the background once, however many callers ask at the same time.

The run is ``python -m orchestration.launch <request>`` in its own session (it outlives an API restart):
the same launcher, and so the same Dagster jobs, as the CLI. Six concurrent ``POST /api/analyzers/run/``
used to spawn six runs; five then
failed as busy. A request now takes a short exclusive lock on ``<warehouse>/runs/<name>.lock``,
and either finds a run of that name still going (and answers with it) or starts one and
writes down its pid, log and start time in ``<name>.json`` before letting go. The lock is
an OS file lock, so API workers in different processes coalesce too.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

import orjson

from foundation.landing import land
from foundation.settings import Settings
from foundation.warehouse import busy, writer_busy


@dataclass(frozen=True)
class BackgroundRun:
    run_key: str  # names this background run in answers and in its log file
    pid: int
    pid_started: int  # the process's start time in clock ticks since boot: a reused pid has another
    log_file: str  # relative to the warehouse dir
    started_at: str


def _process(pid: int) -> tuple[str, int] | None:
    """(state, start time in ticks) of a process from /proc, or None when there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[19])  # fields 3 and 22 of proc(5), counted after the command name


def is_alive(run: BackgroundRun) -> bool:
    """The run's process still runs (a finished child not reaped yet is a zombie, and counts as finished)."""
    found = _process(run.pid)
    return found is not None and found[0] not in ("Z", "X") and found[1] == run.pid_started


_children: list[subprocess.Popen] = []


def start_once(settings: Settings, name: str, request: dict) -> tuple[BackgroundRun, bool]:
    """The running launch of this name, or a new one of ``request`` (``orchestration.launch.main``).
    Returns (the run, whether it was already running)."""
    runs = settings.warehouse_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    record = runs / f"{name}.json"
    with open(runs / f"{name}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held for milliseconds: read the record, maybe spawn, write it
        for child in [c for c in _children if c.poll() is not None]:  # reap finished children (no zombies)
            _children.remove(child)
        if record.exists():
            try:
                previous = BackgroundRun(**orjson.loads(record.read_bytes()))
            except (orjson.JSONDecodeError, TypeError):
                previous = None  # a record of an older shape: its run is long over
            if previous is not None and is_alive(previous):
                return previous, True
        holder = writer_busy(settings)
        if holder:  # another kind of run is writing: this one would only fail as busy
            raise busy(holder)
        stamp = datetime.now(timezone.utc)
        run_key = f"{name}-{stamp:%Y%m%dT%H%M%S%fZ}"
        log = settings.warehouse_dir / "logs" / f"{run_key}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as out:  # its own session: the run outlives a restart of the API
            child = subprocess.Popen([sys.executable, "-m", "orchestration.launch", orjson.dumps(request).decode()], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, env={**os.environ, "HUNTRED_WAREHOUSE_DIR": str(settings.warehouse_dir)})
        _children.append(child)
        found = _process(child.pid)
        run = BackgroundRun(run_key, child.pid, found[1] if found else 0, str(log.relative_to(settings.warehouse_dir)),
                            stamp.isoformat())
        land(record, orjson.dumps(asdict(run)))
        return run, False
