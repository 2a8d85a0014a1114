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
import signal
from pathlib import Path


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
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    try:
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
