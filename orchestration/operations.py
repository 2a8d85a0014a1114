"""Writes people ask for between scheduled runs: erasing candidates, saving a segment.

Each holds the single-writer lock and ends with a published snapshot, like every pipeline run.
"""
from __future__ import annotations

import os
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import orjson

from access.erasure import (
    ERASURE_PENDING,
    LANDING_PENDING,
    ErasureReport,
    LandingChange,
    crash_leftovers,
    plan_landing,
    scrub_warehouse,
    set_stage,
    subject_pseudonym,
    validate_id,
)
from foundation.errors import NotFound, UserError
from foundation.landing import fault_point, fsync_dir, land
from foundation.settings import Settings, get_settings
from foundation.warehouse import compact, connect_writer, publish_snapshot, writer_lock
from ml.aura.segments import compile_rules
from ml.aura.segments import save_segment as save
from orchestration.runs import run_pipeline


def erase_candidates(settings: Settings, candidate_ids: list[str], on_event=None) -> list[ErasureReport]:
    """Remove the candidates everywhere, rebuild and republish once, delete older snapshots, record each erasure."""
    ids = list(dict.fromkeys(validate_id(i) for i in candidate_ids))
    key = settings.require_pseudonym_key()
    reports = [ErasureReport(i, subject_pseudonym(i, key)) for i in ids]
    subjects = sorted(r.subject for r in reports)
    with writer_lock(settings):
        con = connect_writer(settings)
        try:
            ledger = dict(con.sql("SELECT file_sha256, file_path FROM meta.ingested_files").fetchall())
            erased_before = {s for (s,) in con.sql("SELECT subject FROM meta.erasures").fetchall()}
            pending = next(iter(con.sql("SELECT value FROM meta.build_state WHERE key = $k",
                                        params={"k": ERASURE_PENDING}).fetchall()), None)
        finally:
            con.close()
        # an erasure a crash cut short: nothing may be left to find, but the command must still finish it, and
        # another erasure must not run first (it would clean up the first one's staged files and re-ingest its subjects)
        interrupted = pending is not None
        stage, _, pending_subjects = pending[0].partition(":") if pending else ("", "", "")
        if stage == LANDING_PENDING and not set(pending_subjects.split(",")) <= set(subjects):
            raise UserError("An erasure of other candidates was interrupted and has not rewritten the landing files yet.",
                            "Run that erase command again first (the same ids), then this one.")
        for leftover in crash_leftovers(settings.landing_dir, settings.serving_dir, ids):
            leftover.unlink(missing_ok=True)  # what a crash left: partial writes, a killed erasure's staged files
        changes = plan_landing(settings.landing_dir, ids, key, ledger)
        staged: list[tuple[LandingChange, Path]] = []
        for change in changes:  # new contents next to the old, hidden, same modification time
            if change.new_bytes is not None:
                tmp = change.path.with_name(f".{change.path.name}.erasing")
                land(tmp, change.new_bytes)
                st = change.path.stat()
                os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
                staged.append((change, tmp))
        con = connect_writer(settings)
        try:
            con.execute("BEGIN TRANSACTION")
            deleted = scrub_warehouse(con, ids, changes, key)
            for report in reports:
                mine = [c for c in changes if report.candidate_id in c.candidates]
                report.rows_deleted = deleted[report.candidate_id]
                report.landing_rewritten = [c.relative for c in mine if c.new_bytes is not None]
                report.landing_deleted = [c.relative for c in mine if c.new_bytes is None]
            # an erasure killed after its commit is finished by running it again: nothing is left to find, but it is on record
            missing = [r.candidate_id for r in reports if not r.found and not (interrupted and r.subject in erased_before)]
            if missing:
                con.execute("ROLLBACK")
                for _, tmp in staged:
                    tmp.unlink(missing_ok=True)
                raise NotFound(f"No data of candidate {', '.join(repr(m) for m in missing)} was found; nothing was erased.",
                               "Check the ids (the landing zone, warehouse and scores were searched).")
            now = datetime.now(timezone.utc)
            # finishing an erasure a crash cut short (its rows were deleted and recorded then) adds no second record
            recorded = [r for r in reports if r.rows_deleted or r.subject not in erased_before]
            for n, report in enumerate(r for r in recorded if r.found):
                con.execute("INSERT INTO meta.erasures VALUES ($e, $s, $at, $rw, $del, $rows)",
                            {"e": f"era_{now:%Y%m%dT%H%M%S%f}_{n}", "s": report.subject, "at": now,
                             "rw": len(report.landing_rewritten), "del": len(report.landing_deleted),
                             "rows": orjson.dumps(report.rows_deleted).decode()})
            # until the landing files are swapped too, no run may ingest them again (they still hold the candidates)
            set_stage(con, LANDING_PENDING, subjects)
            con.execute("COMMIT")
        finally:
            con.close()
        fault_point("erase:after_commit")
        for change, tmp in staged:
            os.replace(tmp, change.path)
            fsync_dir(change.path.parent)
        for change in changes:
            if change.new_bytes is None:
                change.path.unlink(missing_ok=True)
        with closing(connect_writer(settings)) as con:
            set_stage(con, "rebuild", subjects)  # the landing zone is clean: runs may ingest again
        compact(settings)
    outcome = run_pipeline(on_event=on_event)
    if not outcome.success:
        raise UserError(f"The candidates' data is removed, but the rebuild failed: {outcome.errors[:1]}",
                        f"Run `huntred run` to rebuild and publish (log: {outcome.log_file}).")
    current = (settings.serving_dir / "CURRENT").read_text(encoding="utf-8").strip()
    for old in settings.serving_dir.glob("snapshot-*.duckdb"):
        if old.name != current:
            old.unlink(missing_ok=True)  # they still hold the candidates
    with writer_lock(settings), closing(connect_writer(settings)) as con:
        set_stage(con, None, subjects)  # done: a later erasure of the same id finds nothing and says so
    return reports


def save_segment(name: str, rules: dict, business_unit: str | None = None) -> dict:
    """Validate and store a rule segment with its members, then publish it (the writer lock is held meanwhile)."""
    compile_rules(rules)  # a bad rule is reported at once, even while a pipeline run holds the warehouse
    settings = get_settings()
    with writer_lock(settings):
        con = connect_writer(settings)
        try:
            row = save(con, name, rules, business_unit)
        finally:
            con.close()
        publish_snapshot(settings, f"segment:{row['segment_id']}")
    return row
