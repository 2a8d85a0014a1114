"""The audit log: who read or exported what, and when.

One JSON line per API request (and per export) in ``<warehouse>/audit/audit-YYYY-MM-DD.jsonl``.
Lines are appended under a lock and flushed; exports are also synced to disk, since
a compliance review asks first what left the platform.

A line is bounded (what a caller sends is cut to size) and carries no secret (see
``access.redact``): refused callers are recorded too, so they must not be able to
make the log large, or make it hold a key.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from access.redact import MASK, is_key_parameter, redact

_lock = threading.Lock()
MAX_PARAMS, MAX_NAME_CHARS, MAX_VALUE_CHARS, MAX_RESOURCE_CHARS = 10, 40, 100, 200
MAX_LINE_BYTES = 2048


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def bounded_params(params: dict[str, Any]) -> dict[str, str]:
    """The first MAX_PARAMS parameters, names and values cut to size, secrets masked."""
    kept = {}
    for name, value in list(params.items())[:MAX_PARAMS]:
        kept[_cut(redact(str(name)), MAX_NAME_CHARS)] = MASK if is_key_parameter(str(name)) else _cut(redact(str(value)), MAX_VALUE_CHARS)
    if len(params) > MAX_PARAMS:
        kept["…"] = f"{len(params) - MAX_PARAMS} more parameters not recorded"
    return kept


def record(audit_dir: Path, *, actor: str, role: str, scope: str, action: str, resource: str,
           params: dict[str, Any] | None = None, status: int | None = None, rows: int | None = None,
           durable: bool = False) -> None:
    now = datetime.now(timezone.utc)
    entry = {"at": now.isoformat(timespec="milliseconds"), "actor": actor, "role": role, "scope": scope, "action": action,
             "resource": _cut(redact(resource), MAX_RESOURCE_CHARS), "params": bounded_params(params or {}),
             "status": status, "rows": rows}
    line = orjson.dumps(entry, default=str)
    if len(line) > MAX_LINE_BYTES:  # cut values can still add up (multi-byte characters): drop them, keep who and what
        line = orjson.dumps(entry | {"params": {"…": f"{len(params or {})} parameters not recorded (too long)"}}, default=str)
    line += b"\n"
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
