"""Run the Dagster pipeline in this process (what `huntred run` and `huntred ingest` do).

The same job the Dagster UI and schedule run, with the same instance, so CLI runs
show up in the UI's run history.
"""
from __future__ import annotations

import contextlib
import fnmatch
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import duckdb
from dagster import AssetKey, AssetSelection, DagsterEventType, DagsterInstance
from dagster._core.utils import make_new_run_id

from foundation import errors
from foundation.errors import UserError
from foundation.runtime import prepare_environment
from foundation.settings import get_settings

# A dbt build skipped because nothing changed emits no check results; Dagster then warns once per blocking
# check (hundreds of lines) that downstream steps proceed. That is the intended outcome, not news.
logging.getLogger("dagster._core.execution.plan.active").setLevel(logging.ERROR)

#: the errors of ours a step may raise that the launcher hands on as themselves
USER_ERRORS = {name for name, cls in vars(errors).items() if isinstance(cls, type) and issubclass(cls, errors.UserError)}

_WATCHED = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE,
            DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION}


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    seconds: float
    log_file: str = ""
    steps: dict[str, float] = field(default_factory=dict)  # step -> seconds
    materialized: int = 0
    checks_failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: source -> reason code -> records of this run kept out of raw (see `huntred quarantine`)
    quarantined: dict[str, dict[str, int]] = field(default_factory=dict)
    #: the first error a person can act on that a step raised: (class name in foundation.errors, message)
    user_error: tuple[str, str] | None = None
    #: op name -> what it returned (jobs of ops: a saved segment, erasure reports)
    outputs: dict[str, object] = field(default_factory=dict)


def resolve_selection(patterns: list[str] | None, *, downstream: bool = False) -> list[AssetKey] | None:
    """Asset keys matching glob patterns on 'raw/stripe'-style keys or 'group:<name>'; None means all."""
    if not patterns:
        return None
    # lazy: loads every asset and the dbt manifest (seconds)
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = list(graph.get_all_asset_keys())
    chosen: set[AssetKey] = set()
    for pattern in patterns:
        if pattern.startswith("group:"):
            group = pattern.split(":", 1)[1]
            hits = {k for k in keys if graph.get(k).group_name == group}
        else:
            hits = {k for k in keys if fnmatch.fnmatch(k.to_user_string(), pattern)}
        if not hits:
            examples = ", ".join(sorted(k.to_user_string() for k in keys)[:6])
            raise UserError(f"No asset matches '{pattern}'.", f"Use an asset key such as {examples} (globs allowed), or group:<name>.")
        chosen |= hits
    if downstream:
        chosen = set(AssetSelection.assets(*chosen).downstream().resolve(graph))
    chosen |= never_built_upstream(graph, chosen)
    # the pipeline job has no partitions: daily-partitioned assets run in their own job (huntred run-daily),
    # and training runs only in the ml_training job (huntred ml train)
    partitioned = {k for k in chosen if graph.get(k).partitions_def is not None}
    if partitioned and not (chosen - partitioned):
        raise UserError("Those assets are built per day.", "Use `huntred run-daily --from D --to D`.")
    in_pipeline = set(defs.resolve_job_def("pipeline").asset_layer.executable_asset_keys)
    if chosen and not (chosen & in_pipeline) and not partitioned:
        raise UserError("Those assets are models, trained by the job ml_training.", "Use `huntred ml train MODEL`.")
    return sorted(chosen & in_pipeline, key=lambda k: k.to_user_string())


def never_built_upstream(graph, chosen: set[AssetKey]) -> set[AssetKey]:
    """The tables the selection reads that are not in the warehouse: on an empty or partly built warehouse, a
    selection (`huntred ingest stripe`: raw/stripe and what depends on it) needs the seeds, the FX rates and the
    staging of other sources too, or its first model fails on a missing table. A dbt asset is asked of the warehouse
    itself (it names its table), not of Dagster's history, which a copied or restored warehouse may not share; the
    others (ML scores, analyzers) of that history.
    Ingestion of other sources and API pulls are not added: their raw tables exist, empty, from the warehouse's DDL,
    and another source's files are ingested only when asked."""
    upstream = {k for k in set(AssetSelection.assets(*chosen).upstream().resolve(graph)) - chosen
                if k.path[0] not in ("raw", "pull") and graph.get(k).partitions_def is None}
    if not upstream:
        return set()
    named = {k: str(graph.get(k).metadata.get("dagster/table_name") or "") for k in upstream}
    tables = {k: t.split(".", 1)[1] for k, t in named.items() if "." in t}  # a dbt asset: schema.table
    existing = existing_tables()
    if existing is None:  # a writer holds the warehouse: the run will be refused as busy anyway
        return set()
    missing = {k for k, table in tables.items() if table not in existing}
    # the others (ML scores, analyzers) write no one table of their own: never materialized here is what tells
    others = upstream - set(tables)
    if others:
        prepare_environment()
        latest = DagsterInstance.get().get_latest_materialization_events(others)
        missing |= {k for k in others if latest.get(k) is None}
    return missing


def existing_tables() -> set[str] | None:
    """schema.table of every table and view in the warehouse (empty if there is none yet; None if a writer has it)."""
    path = get_settings().db_path
    if not path.exists():
        return set()
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return {f"{s}.{t}" for s, t in con.sql("SELECT table_schema, table_name FROM information_schema.tables").fetchall()}
    except duckdb.IOException:
        return None


def run_pipeline(selection: list[AssetKey] | None = None,
                 on_event: Callable[[str, str], None] | None = None, *, job_name: str = "pipeline",
                 partition_range: tuple[str, str] | None = None, run_config: dict | None = None,
                 outputs_of: tuple[str, ...] = ()) -> RunOutcome:
    """Materialize the selection (default: everything) and report progress through on_event(kind, text).

    ``job_name="daily_activity"`` with ``partition_range=(first_day, last_day)`` builds the event-sized
    incremental models for those days in one run.
    """
    prepare_environment()
    # lazy: after the environment is set, and only when a run starts
    from orchestration.definitions import defs

    instance = DagsterInstance.get()
    job = defs.resolve_job_def(job_name)
    run_id = make_new_run_id()
    outcome = RunOutcome(run_id=run_id, success=False, seconds=0.0)
    done = threading.Event()
    on_event = on_event or (lambda *_: None)
    events = _Watcher(instance, run_id, outcome, on_event)
    watcher = threading.Thread(target=events.watch, args=(done,), daemon=True)
    start = time.monotonic()
    watcher.start()
    log_dir = get_settings().warehouse_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    outcome.log_file = str(log_dir / f"run-{run_id}.log")
    # dbt's own log lines go to the run's log file, and so do the libraries' warnings and messages (MLflow, sklearn,
    # LightGBM, transformers) unless settings.verbose; progress is reported through on_event
    with (open(outcome.log_file, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log),
          contextlib.nullcontext() if get_settings().verbose else contextlib.redirect_stderr(log),
          progress_from_logs(on_event, before=events.catch_up)):
        result = _execute(job, instance, run_id, selection, done, watcher, partition_range, run_config or {})
    outcome.seconds = time.monotonic() - start
    outcome.success = result.success
    for event in result.all_events:
        if event.event_type == DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            message = (error.cause.message if error.cause else error.message) if error else "unknown error"
            outcome.errors.append(f"{event.step_key}: {message.strip().splitlines()[0][:400]}")
            outcome.user_error = outcome.user_error or _user_error(error)
    if result.success:
        outcome.outputs = {node: result.output_for_node(node) for node in outputs_of}
    return outcome


def _user_error(error) -> tuple[str, str] | None:
    """The error of ours in a step failure's cause chain (a Busy writer, an id not found), as (class, message)."""
    while error is not None:
        if error.cls_name in USER_ERRORS:
            text = error.message.strip()
            return error.cls_name, text.split(": ", 1)[1] if text.startswith(("foundation.errors.", error.cls_name)) else text
        error = error.cause
    return None


#: loggers whose INFO records are progress lines of a long step (e.g. 'clustering 5,000 candidates…')
PROGRESS_LOGGERS = ("ml",)


class _Progress(logging.Handler):
    """INFO records become on_event('progress', message); warnings and errors go to stderr (the run's log file)."""

    def __init__(self, on_event: Callable[[str, str], None], before: Callable[[], None]) -> None:
        super().__init__(logging.INFO)
        self.on_event, self.before = on_event, before

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.levelno == logging.INFO:
                self.before()
                self.on_event("progress", record.getMessage())
            else:
                print(self.format(record), file=sys.stderr)
        except Exception:  # noqa: BLE001 - a progress line must never fail a run
            self.handleError(record)


@contextlib.contextmanager
def progress_from_logs(on_event: Callable[[str, str], None], before: Callable[[], None] = lambda: None):
    """For the duration of a run, report what long steps log at INFO on PROGRESS_LOGGERS through on_event (after
    calling ``before``: the run's events reported so far)."""
    handler = _Progress(on_event, before)
    loggers = [logging.getLogger(name) for name in PROGRESS_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.removeHandler(handler)
            logger.setLevel(level)


def partition_range_tags(first: str, last: str) -> dict[str, str]:
    """Dagster's tags for one run over a range of partitions (single-run backfill)."""
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


def _execute(job, instance, run_id, selection, done, watcher, partition_range=None, run_config=None):
    try:
        tags = {"launched_by": "huntred-cli", **(partition_range_tags(*partition_range) if partition_range else {})}
        return job.execute_in_process(
            instance=instance, run_id=run_id, asset_selection=selection, raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}, **(run_config or {})},
            tags=tags,
        )
    finally:
        done.set()
        watcher.join(timeout=5)


def _note_quarantine(outcome: RunOutcome, event) -> None:
    """Ingestion assets report the records they kept out of raw, by reason: the run says so at its end."""
    key = event.asset_key.path
    if len(key) == 2 and key[0] == "raw":
        counts = event.event_specific_data.materialization.metadata.get("rows_quarantined")
        if counts is not None and counts.value:
            outcome.quarantined[key[1]] = {reason: int(n) for reason, n in counts.value.items() if n}


def describe_quarantined(quarantined: dict[str, dict[str, int]]) -> str:
    """'12 records quarantined: ats_events 10 (unknown_reference 7, invalid_value 3), ...' or ''."""
    if not quarantined:
        return ""
    total = sum(n for reasons in quarantined.values() for n in reasons.values())
    parts = [f"{source} {sum(reasons.values())} (" + ", ".join(f"{r} {n}" for r, n in sorted(reasons.items())) + ")"
             for source, reasons in sorted(quarantined.items())]
    return f"{total} records quarantined: " + "; ".join(parts)


class _Watcher:
    """Reports a run's events through on_event as they are stored (polled from a thread); ``catch_up`` reports those
    stored so far at once, so that a step's progress line comes after the line that says the step started."""

    def __init__(self, instance: DagsterInstance, run_id: str, outcome: RunOutcome, on_event) -> None:
        self.instance, self.run_id, self.outcome, self.on_event = instance, run_id, outcome, on_event
        self.cursor, self.started, self.lock = None, {}, threading.Lock()

    def watch(self, done: threading.Event) -> None:
        while True:
            finished = done.is_set()
            self.catch_up()
            if finished:
                return
            time.sleep(0.3)

    def catch_up(self) -> None:
        with self.lock:
            try:
                conn = self.instance.get_records_for_run(self.run_id, cursor=self.cursor)
            except Exception:  # the run may not exist yet
                return
            self.cursor = conn.cursor
            for record in conn.records:
                self._report(record)

    def _report(self, record) -> None:
        outcome, on_event, started = self.outcome, self.on_event, self.started
        event = record.event_log_entry.dagster_event
        if event is None or event.event_type not in _WATCHED:
            return
        ts = record.event_log_entry.timestamp
        if event.event_type == DagsterEventType.STEP_START:
            started[event.step_key] = ts
            on_event("step_start", event.step_key)
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            outcome.steps[event.step_key] = ts - started.get(event.step_key, ts)
            ok = event.event_type == DagsterEventType.STEP_SUCCESS
            on_event("step_success" if ok else "step_failure", f"{event.step_key} ({outcome.steps[event.step_key]:.1f} s)")
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            outcome.materialized += 1
            on_event("materialized", event.asset_key.to_user_string())
            _note_quarantine(outcome, event)
        else:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                outcome.checks_failed.append(name)
                on_event("check_failed", name)
