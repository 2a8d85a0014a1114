"""`huntred validate` says per file what ingestion would do with it, and writes nothing."""
from __future__ import annotations

import json

import orjson
from typer.testing import CliRunner

from cli.main import app
from foundation.settings import get_settings
from sample_data.stripe_data import sign
from tests.conftest import FIXTURES, need_fixture


def run(*args: str):
    return CliRunner().invoke(app, ["validate", *args], terminal_width=400)


def test_each_file_gets_its_verdict_and_nothing_is_written(warehouse, tmp_path, webhook_secret):
    resources = json.loads(need_fixture(FIXTURES / "stripe" / "fixtures3.json").read_text())["resources"]
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a_customer.json").write_text(json.dumps(resources["customer"], indent=2))
    (folder / "b_same_bytes.json").write_text(json.dumps(resources["customer"], indent=2))
    (folder / "c_same_key.json").write_bytes(orjson.dumps([resources["customer"], resources["product"]]))
    (folder / "d_cut_short.json").write_text(json.dumps(resources["charge"])[:-30])
    body = json.dumps({**resources["event"], "id": "evt_signed"})
    good = {"received_at": 1_721_948_600, "stripe_signature": sign(body, webhook_secret, 1_721_948_600), "body": body}
    forged = {**good, "body": body.replace("evt_signed", "evt_forged")}
    (folder / "e_webhooks.jsonl").write_bytes(orjson.dumps(good) + b"\n" + orjson.dumps(forged) + b"\n")

    result = run("stripe", str(folder))
    assert result.exit_code == 1, result.output  # something would be quarantined
    lines = {line.split(" → ")[0].rsplit("/", 1)[-1]: line for line in result.output.splitlines() if " → " in line}
    assert "1 records: 1 into raw.stripe_objects" in lines["a_customer.json"]
    assert "the same bytes as" in lines["b_same_bytes.json"] and "a_customer.json" in lines["b_same_bytes.json"]
    assert "1 into raw.stripe_objects; quarantine: duplicate 1" in lines["c_same_key.json"]
    assert "quarantine: malformed 1" in lines["d_cut_short.json"] and "→ stripe/api/" in lines["d_cut_short.json"]
    assert "1 into raw.stripe_events; quarantine: bad_signature 1" in lines["e_webhooks.jsonl"]
    assert "→ stripe/webhooks/" in lines["e_webhooks.jsonl"]  # signed deliveries are told from events by their shape
    assert "record 1 malformed: Not a Stripe document" in result.output
    settings = get_settings()
    assert not settings.warehouse_dir.exists() and not settings.landing_dir.exists()


def test_clean_files_exit_zero_and_every_source_is_checked_by_its_own_parser(warehouse, tmp_path, generated):
    landing = generated[0]
    ats = sorted((landing / "ats_events").glob("*.jsonl"))[0]
    assert run("ats_events", str(ats)).exit_code == 0
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(ats.read_bytes() + b'{"event_id": "x"}\n')
    result = run("ats_events", str(broken))
    assert result.exit_code == 1 and "missing_field 1" in result.output, result.output
    csv = sorted((landing / "channel_metrics" / "web").glob("*.csv"))[0]
    assert run("channel_metrics", str(csv), "--channel", "web").exit_code == 0
    wrong = run("channel_metrics", str(csv), "--channel", "linkedin")  # LinkedIn's export has other columns
    assert wrong.exit_code == 1, wrong.output
    batch = sorted((landing / "scraped_candidates").iterdir())[0]
    result = run("scraped_candidates", str(batch))  # the generator's batches hold a few bad candidates on purpose
    assert "into raw.scraped_cvs" in result.output and "into raw.scraped_candidates" in result.output, result.output
    assert result.exit_code == (1 if "quarantine:" in result.output else 0)
    assert not get_settings().warehouse_dir.exists()
