"""A user's first `huntred ingest` works on an empty warehouse, for every source: the rebuild builds whatever the
selection reads that was never built (seeds, FX rates, other sources' staging), then publishes.

The Stripe files are Stripe's own objects (``fixtures3.json``), one per file as the API, the CLI and the dashboard
give them, plus an array, a list page and events: every one lands in raw and the command exits 0.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import orjson
import pytest

from foundation.settings import get_settings
from tests.conftest import FIXTURES, REPO, need_fixture, point_at
from tests.ingest.test_stripe_shapes import TYPES


def huntred(*args: str, warehouse: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("huntred")), *args], cwd=REPO, capture_output=True,
                          text=True, timeout=900, env={**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse)})


def warehouse_rows(warehouse: Path, sql: str) -> list[tuple]:
    point_at(warehouse)
    with duckdb.connect(str(get_settings().db_path), read_only=True) as con:
        return con.sql(sql).fetchall()


def accounted(warehouse: Path) -> list[tuple]:
    """(file, records read, loaded, quarantined) of every file in the ledger."""
    return warehouse_rows(warehouse, "SELECT file_path, records_read, records_loaded, records_quarantined "
                                     "FROM meta.ingested_files ORDER BY 1")


def stripe_export(folder: Path) -> dict[str, int]:
    """Stripe's fixtures as a user would save them: one object per file, an array, a list page, events."""
    resources = json.loads(need_fixture(FIXTURES / "stripe" / "fixtures3.json").read_text())["resources"]
    folder.mkdir(parents=True)
    for kind in TYPES:
        (folder / f"{kind}.json").write_text(json.dumps(resources[kind], indent=2))
    copies = [{**resources[k], "id": f"{resources[k]['id']}_copy"} for k in ("product", "price")]
    (folder / "array.json").write_bytes(orjson.dumps(copies[:1]))
    (folder / "prices_page.json").write_bytes(orjson.dumps({"object": "list", "has_more": False, "data": copies[1:]}))
    (folder / "event.json").write_text(json.dumps(resources["event"], indent=2))  # `stripe events retrieve`
    events = [{**resources["event"], "id": f"evt_listen_{i}", "type": f"{k}.updated", "data": {"object": resources[k]}}
              for i, k in enumerate(("customer", "charge", "invoice"))]
    (folder / "listen.jsonl").write_bytes(b"\n".join(orjson.dumps(e) for e in events) + b"\n")  # `stripe listen`
    return {"objects": len(TYPES) + len(copies), "events": 1 + len(events)}


def test_stripe_objects_of_every_type_and_shape_land_in_an_empty_warehouse(tmp_path):
    warehouse = tmp_path / "warehouse"
    expected = stripe_export(tmp_path / "my_stripe_export")
    result = huntred("ingest", "stripe", str(tmp_path / "my_stripe_export"), warehouse=warehouse)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    objects = warehouse_rows(warehouse, "SELECT object_type, count(*) FROM raw.stripe_objects GROUP BY 1")
    assert {t for t, _ in objects} == set(TYPES)  # each listed type's ``object`` is its own name
    assert sum(n for _, n in objects) == expected["objects"]
    assert warehouse_rows(warehouse, "SELECT count(*) FROM raw.stripe_events")[0][0] == expected["events"]
    assert warehouse_rows(warehouse, "SELECT count(*) FROM quarantine.records") == [(0,)]
    assert all(read == loaded and not held for _, read, loaded, held in accounted(warehouse))
    # published: the staging of Stripe's own customer is in the snapshot readers use
    status = huntred("status", "--source", "stripe", warehouse=warehouse)
    assert status.returncode == 0, status.stderr
    customers = warehouse_rows(warehouse, "SELECT customer_id FROM staging.stg_stripe__customers")
    assert customers == [("cus_QXg1o8vcGmoR32",)]


def one_file_of(landing: Path, family: str) -> tuple[list[str], Path]:
    """The extra arguments and the path a user would give for one delivery of a source of the generated sample."""
    if family == "ats_events":
        return [], sorted((landing / family).glob("*.jsonl"))[0]
    if family == "channel_metrics":
        return ["--channel", "web"], sorted((landing / family / "web").glob("*.csv"))[0]
    return [], sorted((landing / family).iterdir())[0]  # a scraped batch: candidates.json and cvs/


@pytest.mark.parametrize("family", ["ats_events", "channel_metrics", "scraped_candidates"])
def test_the_first_ingest_of_any_source_builds_what_it_needs_and_publishes(tmp_path, generated, family):
    extra, path = one_file_of(generated[0], family)
    warehouse = tmp_path / "warehouse"
    result = huntred("ingest", family, str(path), *extra, warehouse=warehouse)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ledger = accounted(warehouse)
    assert ledger and all(read == loaded + held for _, read, loaded, held in ledger)
    assert sum(loaded + held for _, _, loaded, held in ledger) > 0
    assert huntred("status", "--source", family, warehouse=warehouse).returncode == 0
