"""Every write is a Dagster run launched by ``orchestration.launch``, and a write asked for while another
writes gets one answer everywhere: ``busy: run <id> is writing the warehouse`` (exit 2, HTTP 409)."""
from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys

import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from foundation.errors import Busy
from foundation.settings import get_settings
from foundation.warehouse import writer_lock
from orchestration import launch
from tests.conftest import REPO, point_at

HOLDER = "0a1b2c3d-held-by-the-test"
BUSY = f"busy: run {HOLDER} (pid {os.getpid()}, since "

#: arguments for each write the launcher offers (a new write function must be added here, or the test says so)
SAMPLE_CALLS = {
    "refresh": ((), {}),
    "refresh_days": (("2026-10-01", "2026-10-01"), {}),
    "retrain": ((["churn"],), {}),
    "rescore": ((["churn"],), {}),
    "promote": (("churn", "1", "a reason given by hand", "dana"), {}),
    "save_segment": (("Python people", {"skills": ["Python"]}), {}),
    "erase": ((["cand_000001"],), {}),
    "pull_stripe": ((), {"backfill": False}),
}

#: the same writes from the command line
CLI_WRITES = [
    ["run"],
    ["run-daily", "--from", "2026-10-01"],
    ["ingest", "ats_events", "{events}"],
    ["ml", "train", "churn"],
    ["ml", "promote", "churn", "1", "--reason", "a reason given by hand"],
    ["ml", "segment", "create", "Python people", "--rules", '{"skills": ["Python"]}'],
    ["erase", "candidate", "cand_000001", "--yes"],
    ["pull", "stripe"],  # with a key (a sample one: the refusal comes before any request)
]


def writes_of_the_launcher() -> dict[str, object]:
    """Every public function of the launcher that starts a run (calls ``_launch``, directly or through another)."""
    functions = {name: fn for name, fn in inspect.getmembers(launch, inspect.isfunction)
                 if fn.__module__ == launch.__name__ and not name.startswith("_")}
    writes = {name for name, fn in functions.items() if "_launch(" in inspect.getsource(fn)}
    grew = True
    while grew:  # a function that calls a write is a write
        more = {name for name, fn in functions.items() if name not in writes
                and any(f"{w}(" in inspect.getsource(fn) for w in writes)} - {"main", "start_in_background"}
        grew = bool(more)
        writes |= more
    return {name: functions[name] for name in sorted(writes)}


def test_the_enumeration_finds_the_writes_we_know():
    assert {"refresh", "retrain", "save_segment", "erase"} <= set(writes_of_the_launcher())


def test_every_write_of_the_launcher_refuses_at_once_naming_the_run_that_holds_the_warehouse(warehouse):
    writes = writes_of_the_launcher()
    assert set(writes) <= set(SAMPLE_CALLS), f"add sample arguments for {set(writes) - set(SAMPLE_CALLS)}"
    runs_before = len(DagsterInstance.get().get_runs())
    with writer_lock(get_settings(), HOLDER):
        for name, fn in writes.items():
            args, kwargs = SAMPLE_CALLS[name]
            with pytest.raises(Busy) as refused:
                fn(*args, **kwargs)
            assert refused.value.problem.startswith(BUSY), (name, refused.value.problem)
    assert len(DagsterInstance.get().get_runs()) == runs_before, "a refused write must not start a run"


def test_every_cli_write_answers_busy_in_one_line_and_exit_2(warehouse, tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_text('{"event_id": "evt_1"}\n')
    huntred = str(os.path.join(os.path.dirname(sys.executable), "huntred"))
    with writer_lock(get_settings(), HOLDER):
        for args in CLI_WRITES:
            args = [a.replace("{events}", str(events)) for a in args]
            done = subprocess.run([huntred, *args], cwd=REPO, capture_output=True, text=True, timeout=180,
                                  env={**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse), "COLUMNS": "80",
                                       "HUNTRED_STRIPE_API_KEY": "sk_test_never_used"})
            said = done.stderr.strip()
            assert done.returncode == 2, (args, done.stdout[-500:], said[-1500:])
            assert said.startswith(BUSY) and len(said.splitlines()) == 1, (args, said)
            assert "Traceback" not in done.stdout + done.stderr


def test_a_segment_saved_through_the_launcher_is_a_run_in_dagsters_history(built_lakehouse, tmp_path):
    """The write leaves a Dagster run record (job save_segment) like every pipeline run, and publishes."""
    warehouse = tmp_path / "warehouse"
    shutil.copytree(built_lakehouse[0], warehouse, ignore=shutil.ignore_patterns("dagster", "logs"))
    point_at(warehouse)
    before = (warehouse / "serving" / "CURRENT").read_text()
    row = launch.save_segment("Python people", {"skills": ["Python"]}, "huntu")
    assert row["members"] >= 0 and row["business_unit"] == "huntu"
    runs = DagsterInstance.get().get_runs(RunsFilter(job_name="save_segment"))
    assert [r.status for r in runs] == [DagsterRunStatus.SUCCESS]
    assert (warehouse / "serving" / "CURRENT").read_text() != before


def test_the_api_answers_a_write_while_another_run_writes_with_409_naming_the_run(built_lakehouse, tmp_path, api_as):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(built_lakehouse[0], warehouse, ignore=shutil.ignore_patterns("dagster", "logs", "api_keys.json"))
    point_at(warehouse)
    scientist = api_as("data_scientist")
    with writer_lock(get_settings(), HOLDER):
        for method, url, body in (("POST", "/api/aura/segment/", {"name": "x", "rules": {"skills": ["Python"]}}),
                                  ("POST", "/api/analyzers/run/", None)):
            answer = scientist.request(method, url, json=body)
            assert answer.status_code == 409, (url, answer.text)
            assert answer.json()["detail"].startswith(BUSY), (url, answer.json())
