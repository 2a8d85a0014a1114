"""Read side: queries over the current serving snapshot, shared by the CLI, dashboard and API.

Readers open the snapshot named by ``serving/CURRENT`` read-only and take one
cursor per request; a new snapshot published meanwhile is picked up on the next
``open_current()`` without disturbing cursors on the old one.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from foundation.errors import UserError
from foundation.settings import Settings, get_settings
from foundation.warehouse import current_snapshot

#: huntRED works in Mexico City time; readers see timestamps there (no DST since 2022).
BUSINESS_TZ = "America/Mexico_City"


@dataclass(frozen=True)
class Snapshot:
    path: Path
    run_id: str
    published_at: datetime
    connection: duckdb.DuckDBPyConnection

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection.cursor()


_lock = threading.Lock()
_open: dict[Path, Snapshot] = {}


def open_current(settings: Settings) -> Snapshot:
    """The newest published snapshot (cached per file; opening is cheap after the first time)."""
    path = current_snapshot(settings)
    if path is None:
        raise UserError("No data has been published yet.", "Run `huntred run` (or `make demo`) to build the lakehouse.")
    with _lock:
        snap = _open.get(path)
        if snap is None:
            con = duckdb.connect(str(path), read_only=True)
            (run_id, published_at), = con.sql("SELECT run_id, published_at FROM serving.snapshot_info").fetchall()
            snap = Snapshot(path, run_id, published_at, con)
            for old in [p for p in _open if p != path]:
                _open.pop(old)  # its connection closes when the last cursor on it is gone
            _open[path] = snap
        return snap


def fetch_dicts(snap: "Snapshot", sql: str, params: dict | None = None) -> list[dict]:
    """Rows as dicts through execute(): the relational .sql() binds a statement twice, which for the API's
    hot queries (wide metric expressions) doubles their time; a DataFrame is not needed there."""
    cur = snap.cursor()
    cur.execute(sql, params or None)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


class SnapshotCache:
    """Answers computed from a snapshot, least recently used first out.

    A snapshot never changes, so an answer keyed by its snapshot never goes stale: when a
    new snapshot is published, requests ask with the new key and the old entries age out.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key, compute):
        if self.max_entries <= 0:
            return compute()
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()  # outside the lock: two first requests may both compute, never block each other
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value


_answers: SnapshotCache | None = None


def snapshot_cached(fn):
    """Cache fn(snap, ...) per snapshot and arguments (all hashable). Callers must not mutate what it returns."""

    @functools.wraps(fn)
    def cached(snap: "Snapshot", *args, **kwargs):
        global _answers
        if _answers is None:

            _answers = SnapshotCache(get_settings().api_cache_entries)
        key = (fn.__qualname__, snap.path, args, tuple(sorted(kwargs.items())))
        return _answers.get_or_compute(key, lambda: fn(snap, *args, **kwargs))

    return cached
