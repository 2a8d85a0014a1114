"""The command line answers in sentences: what went wrong and what to do, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from foundation.errors import UserError
from tests.conftest import REPO


def huntred(*args: str, warehouse: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """`timeout` guards against a hang, not a speed target: a command that trains gets more on a loaded machine."""
    return subprocess.run([str(Path(sys.executable).with_name("huntred")), *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse), **env})


def test_status_before_any_run_says_what_to_do(warehouse):
    result = huntred("status", warehouse=warehouse)
    assert result.returncode == 2
    assert "No data has been published yet." in result.stderr and "huntred run" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unknown_engine_is_one_sentence_before_anything_runs(warehouse):
    result = huntred("run", warehouse=warehouse, HUNTRED_ENGINE="sprak")
    assert result.returncode == 2, result.stderr
    assert "HUNTRED_ENGINE is 'sprak'" in result.stderr and "duckdb, spark" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout and not (warehouse / "lakehouse.duckdb").exists()


def test_bad_arguments_get_one_clear_sentence(warehouse, tmp_path):
    csv_file = tmp_path / "x.csv"
    csv_file.write_text("a\n")
    no_channel = huntred("ingest", "channel_metrics", str(csv_file), warehouse=warehouse)
    assert no_channel.returncode == 2 and "Channel exports need their channel." in no_channel.stderr
    missing = huntred("ingest", "ats_events", str(tmp_path / "nope.jsonl"), warehouse=warehouse)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    unknown = huntred("run", "--select", "raw/nothing", warehouse=warehouse)
    assert unknown.returncode == 2 and "No asset matches 'raw/nothing'" in unknown.stderr
    for r in (no_channel, missing, unknown):
        assert "Traceback" not in r.stderr


def test_generate_needs_a_webhook_secret_and_says_how_to_get_one(warehouse):
    result = huntred("generate", "--scale", "0.01", warehouse=warehouse, HUNTRED_STRIPE_WEBHOOK_SECRET="")
    assert result.returncode == 2 and "huntred init" in result.stderr


def test_status_and_quarantine_report_the_built_lakehouse(on_built, generated):
    _, manifest = generated
    runner = CliRunner()
    status = runner.invoke(app, ["status"], terminal_width=200)
    assert status.exit_code == 0, status.output
    assert f"{manifest.raw_rows['ats_events']:,}" in status.output
    assert "bad_signature" in status.output
    listing = runner.invoke(app, ["quarantine", "--reason", "bad_signature", "--limit", "3"], terminal_width=300)
    assert listing.exit_code == 0 and listing.output.count("bad_signature") == 3


def test_user_files_land_where_their_source_parser_looks(tmp_path):
    from cli.main import landing_destination
    from models.enums import Channel
    from models.enums import SourceFamily as F

    batch = tmp_path / "batch_07"
    (batch / "cvs").mkdir(parents=True)
    cv = batch / "cvs" / "abc.pdf"
    stamp, today = "upload-1", "2026-11-25"
    assert landing_destination(F.SCRAPED_CANDIDATES, cv, batch, None, stamp, today) == Path(
        "scraped_candidates/upload-1/batch_07/cvs/abc.pdf")
    assert landing_destination(F.CHANNEL_METRICS, tmp_path / "x.csv", tmp_path / "x.csv", Channel.OCC, stamp, today) == Path(
        "channel_metrics/occ/upload-1/x.csv")
    # JSON Lines of signed deliveries are verified as webhooks; JSON Lines of events (`stripe listen`) are objects
    (tmp_path / "h.jsonl").write_bytes(b'{"received_at": 1, "stripe_signature": "t=1,v1=x", "body": "{}"}\n')
    (tmp_path / "e.jsonl").write_bytes(b'{"object": "event", "id": "evt_1"}\n')
    (tmp_path / "p.json").write_bytes(b'{"object": "list", "data": []}')
    assert landing_destination(F.STRIPE, tmp_path / "h.jsonl", tmp_path / "h.jsonl", None, stamp, today) == Path(
        "stripe/webhooks/upload-1/h.jsonl")
    assert landing_destination(F.STRIPE, tmp_path / "e.jsonl", tmp_path / "e.jsonl", None, stamp, today) == Path(
        "stripe/api/2026-11-25/upload-1/e.jsonl")
    assert landing_destination(F.STRIPE, tmp_path / "p.json", tmp_path / "p.json", None, stamp, today) == Path(
        "stripe/api/2026-11-25/upload-1/p.json")


def test_quarantine_cli_prints_no_clear_email_unless_asked_and_audits_the_ask(on_built):
    """The reason of a quarantined candidate quotes its bad email: pseudonymized by default, clear only with
    --show-pii (an operator's deliberate, audited choice)."""
    import json

    from access import audit
    from foundation.settings import get_settings
    from serving.snapshot import open_current

    records = open_current(get_settings()).cursor().sql(
        "SELECT record FROM quarantine.records WHERE source = 'scraped_candidates' AND record LIKE '{%'").fetchall()
    emails = {json.loads(r)["email"] for r, in records} - {None, ""}
    assert emails, "the sample quarantines scraped candidates with emails"
    runner = CliRunner()
    redacted = runner.invoke(app, ["quarantine", "--source", "scraped_candidates", "--limit", "100"], terminal_width=400)
    assert redacted.exit_code == 0, redacted.output
    assert "scraped_candidates" in redacted.output and not [e for e in emails if e in redacted.output], redacted.output
    before = len(audit.read(get_settings().audit_dir)) if get_settings().audit_dir.exists() else 0
    clear = runner.invoke(app, ["quarantine", "--source", "scraped_candidates", "--limit", "100", "--show-pii"],
                          terminal_width=400)
    assert clear.exit_code == 0 and [e for e in emails if e in clear.output], clear.output
    asked = audit.read(get_settings().audit_dir)[before:]
    assert [a for a in asked if a["action"] == "read_pii" and a["resource"] == "cli/quarantine"]


def test_the_cli_lands_files_with_the_apis_durable_writer(tmp_path, monkeypatch):
    """`huntred ingest` lands through foundation.landing like the API: written aside, fsynced, renamed, the folder
    fsynced; each file given lands byte for byte, and a path that does not exist lands nothing."""
    import foundation.landing
    from cli.main import land_files
    from models.enums import SourceFamily as F

    synced = []
    fsync = os.fsync
    monkeypatch.setattr(foundation.landing.os, "fsync", lambda fd: (synced.append(fd), fsync(fd))[1])
    one = tmp_path / "given" / "a.jsonl"
    batch = tmp_path / "given" / "batch_01"
    (batch / "cvs").mkdir(parents=True)
    one.write_bytes(b'{"x": 1}\n')
    (batch / "candidates.json").write_bytes(b"[]")
    (batch / "cvs" / "c1.pdf").write_bytes(b"%PDF-1.4")
    landing = tmp_path / "landing"
    with pytest.raises(UserError, match="does not exist"):
        land_files(F.SCRAPED_CANDIDATES, [one, tmp_path / "nope"], None, landing)
    assert not landing.exists(), "nothing lands when one of the paths is wrong"
    landed = land_files(F.SCRAPED_CANDIDATES, [one, batch], None, landing)
    assert [(given, dest.read_bytes()) for given, dest in landed] == [
        (one, one.read_bytes()), (batch, b"[]"), (batch, b"%PDF-1.4")]
    assert len(synced) == 2 * len(landed), "each file and its folder entry are flushed to disk"
    assert not [p for p in landing.rglob(".*")], "no partial file is left behind"
