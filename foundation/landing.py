"""Writing into the landing zone so that what was acknowledged is never lost.

A file is written under a hidden name (ingestion skips hidden files), flushed to
disk, then given its final name, and the folder entry is flushed too. Once
``land`` returns, the bytes survive the process being killed (and a power cut, as
far as the file system honours fsync); a crash before that leaves at most a hidden
partial file, never a half file ingestion would read.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
from pathlib import Path
from typing import BinaryIO, Callable


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def land(target: Path, data: bytes, *, exclusive: bool = False) -> bool:
    """Durably write ``data`` to ``target``.

    With ``exclusive``, an existing target is left as it is and False is returned
    (how a redelivered webhook is recognised without a race between two requests).
    """
    return _land(target, lambda fh: fh.write(data), exclusive=exclusive)


def land_copy(target: Path, source: Path, *, exclusive: bool = False) -> bool:
    """Durably copy the file ``source`` to ``target``, as ``land`` writes bytes (streamed: an export can be large)."""

    def copy(fh) -> None:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, fh, 1024 * 1024)

    return _land(target, copy, exclusive=exclusive)


def _land(target: Path, write: Callable[[BinaryIO], object], *, exclusive: bool) -> bool:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            try:
                os.link(tmp, target)  # fails if the target exists: first writer wins, atomically
            except FileExistsError:
                return False
        else:
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(target.parent)
    return True


def fault_point(where: str) -> None:
    """Fault injection for the durability tests: HUNTRED_FAULT=<where> kills this process there with SIGKILL."""
    if os.environ.get("HUNTRED_FAULT") == where:
        os.kill(os.getpid(), signal.SIGKILL)
