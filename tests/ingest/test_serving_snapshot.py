"""Readers use published snapshots: a writer never blocks them, and a swap never mixes two snapshots."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb
import orjson
import pytest

from foundation.errors import UserError
from foundation.settings import get_settings
from foundation.warehouse import connect_writer, current_snapshot, point_current_at, publish_snapshot
from serving import snapshot
from tests.conftest import REPO


def publish_one_table(settings, value: int, run_id: str) -> None:
    """A warehouse whose one staging table holds ``value``, published as ``run_id``."""
    writer = connect_writer(settings)
    writer.execute(f"CREATE SCHEMA IF NOT EXISTS staging; CREATE TABLE staging.t AS SELECT {value} AS v")
    writer.close()
    publish_snapshot(settings, run_id)


def test_readers_keep_their_snapshot_while_the_writer_works_and_see_the_new_one_after(warehouse):
    settings = get_settings()
    publish_one_table(settings, 1, "run-1")
    first = snapshot.open_current(settings)
    old_cursor = first.cursor()

    writer = connect_writer(settings)  # a pipeline run holds the warehouse open for writing...
    writer.execute("INSERT INTO staging.t VALUES (2)")
    assert first.cursor().sql("SELECT sum(v) FROM staging.t").fetchall() == [(1,)]  # ...readers are not blocked
    writer.close()
    publish_snapshot(settings, "run-2")

    assert old_cursor.sql("SELECT sum(v) FROM staging.t").fetchall() == [(1,)]  # a cursor keeps its snapshot
    second = snapshot.open_current(settings)
    assert second.run_id == "run-2"
    assert second.cursor().sql("SELECT sum(v) FROM staging.t").fetchall() == [(3,)]


def test_snapshots_are_read_only_and_old_ones_are_pruned(warehouse):
    settings = get_settings()
    connect_writer(settings).close()
    for i in range(5):
        publish_snapshot(settings, f"run-{i}")
    assert len(list(settings.serving_dir.glob("snapshot-*.duckdb"))) == 1 + settings.snapshots_kept
    snap = snapshot.open_current(settings)
    assert snap.run_id == "run-4" and current_snapshot(settings) == snap.path
    try:
        snap.cursor().execute("CREATE TABLE meta.x (i INT)")
        raise AssertionError("a snapshot accepted a write")
    except duckdb.Error as exc:
        assert "read-only" in str(exc).lower()


#: another reader (the API, the dashboard or the CLI): opens the current snapshot and answers from it
OPEN_AND_READ = """
from serving.snapshot import open_current
from foundation.settings import get_settings
snap = open_current(get_settings())
print(snap.run_id, snap.cursor().sql("SELECT sum(v) FROM staging.t").fetchall()[0][0])
"""


def test_reader_processes_open_one_snapshot_at_the_same_time(warehouse):
    settings = get_settings()
    publish_one_table(settings, 7, "run-1")
    held = snapshot.open_current(settings)  # this process keeps it open meanwhile, as an API worker does
    others = [subprocess.Popen([sys.executable, "-c", OPEN_AND_READ], cwd=REPO, env=os.environ, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    answers = [p.communicate(timeout=60) for p in others]
    assert [(p.returncode, out) for p, (out, _) in zip(others, answers)] == [(0, "run-1 7\n")] * 2, answers
    assert held.cursor().sql("SELECT sum(v) FROM staging.t").fetchall() == [(7,)]


#: A reader process: reads serving/CURRENT as open_current does, as fast as it can, until its stdin is closed, and
#: every READS_PER_OPEN reads opens the snapshot with open_current itself. It stops at the first pointer that names
#: no snapshot, or one not in ``known`` (argv[1], snapshot name -> run id; {}: any snapshot-*), and reports as JSON.
READER = """
import sys, threading
import orjson
from serving import snapshot
from foundation.errors import UserError
from foundation.settings import get_settings
from foundation.warehouse import current_snapshot

settings, known, per_open = get_settings(), orjson.loads(sys.argv[1]), int(sys.argv[2])
closed = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), closed.set()), daemon=True).start()
reads, seen, opened, bad = 0, set(), set(), []
while not closed.is_set() and not bad:
    path = current_snapshot(settings)
    reads += 1
    if path is None or not (path.name in known if known else path.name.startswith("snapshot-")):
        bad.append(f"serving/CURRENT named {path!r} (read {reads})")
        break
    seen.add(path.name)
    if reads == 1:
        print("ready", flush=True)
    if reads % per_open == 0:
        try:
            snap = snapshot.open_current(settings)
            opened.add((snap.path.name, snap.run_id))
        except Exception as exc:
            bad.append(f"open_current failed: {exc!r} (read {reads})")
print(orjson.dumps({"reads": reads, "seen": sorted(seen), "opened": sorted(opened), "bad": bad}).decode(), flush=True)
"""
READS_PER_OPEN = 100


class Reader:
    """READER running beside the test: ``alive`` while it has found nothing wrong; ``stop()`` gives its report."""

    def __init__(self, known: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", READER, orjson.dumps(known).decode(), str(READS_PER_OPEN)],
                                     cwd=REPO, env=os.environ, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if self.proc.stdout.readline() != "ready\n":
            self.proc.kill()
            raise AssertionError(f"the reader did not start: {self.proc.stderr.read()[-2000:]}")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> dict:
        try:
            out, err = self.proc.communicate(timeout=30)  # closes its stdin: it stops and reports
        finally:
            self.proc.kill()
        assert self.proc.returncode == 0, err[-2000:]
        return orjson.loads(out)


#: each switch is two fsyncs (~0.6 ms, several ms on a busy machine): thousands of switches, a few seconds at most.
#: An in-place rewrite of the pointer was caught in each of 20 runs on a busy machine, within 600 switches (median ~140).
SWITCHES, SWITCHING_SECONDS = 3000, 5


def test_a_reader_never_sees_a_torn_pointer_while_it_is_switched_thousands_of_times(warehouse):
    settings = get_settings()
    connect_writer(settings).close()
    runs = {publish_snapshot(settings, run).name: run for run in ("run-a", "run-b")}
    names = list(runs)
    reader = Reader(runs)
    deadline, switches = time.monotonic() + SWITCHING_SECONDS, 0
    while switches < SWITCHES and time.monotonic() < deadline and reader.alive:  # (it stops at a bad read)
        point_current_at(settings, names[switches % 2])
        switches += 1
    report = reader.stop()
    assert report["bad"] == [], f"after {switches} switches"
    assert switches > 100 and report["seen"] == sorted(names), (switches, report)  # it read while they happened
    assert {tuple(o) for o in report["opened"]} <= set(runs.items())
    assert current_snapshot(settings).name == names[(switches - 1) % 2]


PUBLISHES = 15  # a pointer switched before its file was in place was caught within 6 publishes, in each of 14 runs


def test_a_reader_always_finds_the_snapshot_the_pointer_names_while_new_ones_are_published(warehouse):
    settings = get_settings().model_copy(update={"snapshots_kept": PUBLISHES})  # none pruned (not the point here)
    connect_writer(settings).close()
    runs = {publish_snapshot(settings, "run-0").name: "run-0"}
    reader = Reader({})
    for i in range(1, PUBLISHES):
        if not reader.alive:
            break
        runs[publish_snapshot(settings, f"run-{i}").name] = f"run-{i}"
    report = reader.stop()
    assert report["bad"] == [], f"after {len(runs)} publishes"
    assert len(runs) == PUBLISHES and len(report["seen"]) > 1, report
    assert set(report["seen"]) <= set(runs) and {tuple(o) for o in report["opened"]} <= set(runs.items())


def test_a_pointer_naming_no_snapshot_file_reads_as_nothing_published(warehouse):
    settings = get_settings()
    publish_one_table(settings, 1, "run-1")
    for odd in ("", "\n", ".", "../lakehouse.duckdb", "snapshot-missing.duckdb"):
        (settings.serving_dir / "CURRENT").write_text(odd)
        assert current_snapshot(settings) is None, odd
        with pytest.raises(UserError, match="No data has been published yet"):
            snapshot.open_current(settings)
