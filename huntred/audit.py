"""The audit log: who read or exported what, and when.

One JSON line per API request (and per export) in ``<warehouse>/audit/audit-YYYY-MM-DD.jsonl``.
Lines are appended under a lock and flushed; exports are also synced to disk, since
a compliance review asks first what left the platform.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

_lock = threading.Lock()


def record(audit_dir: Path, *, actor: str, role: str, scope: str, action: str, resource: str,
           params: dict[str, Any] | None = None, status: int | None = None, rows: int | None = None,
           durable: bool = False) -> None:
    now = datetime.now(timezone.utc)
    line = orjson.dumps({"at": now.isoformat(timespec="milliseconds"), "actor": actor, "role": role, "scope": scope,
                         "action": action, "resource": resource, "params": params or {}, "status": status,
                         "rows": rows}, default=str) + b"\n"
    audit_dir.mkdir(parents=True, exist_ok=True)
    with _lock, open(audit_dir / f"audit-{now:%Y-%m-%d}.jsonl", "ab") as fh:
        fh.write(line)
        fh.flush()
        if durable:
            os.fsync(fh.fileno())


def read(audit_dir: Path) -> list[dict]:
    """Every audit record, oldest first."""
    return [orjson.loads(line) for f in sorted(audit_dir.glob("audit-*.jsonl"))
            for line in f.read_bytes().splitlines() if line.strip()]
