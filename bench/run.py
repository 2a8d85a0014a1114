"""`make bench`: the numbers the README reports, measured on this machine.

Each figure runs the real CLI in a fresh warehouse under BENCH_DIR (default: a temp
folder) and samples the RSS of the whole process tree (dbt included) for peak memory.
BENCH_SCALES="1 10" adds the scale-10 run (about ten times longer).
Results go to bench/results/latest.json and are printed as a Markdown table.
"""
from __future__ import annotations

import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
HUNTRED = str(Path(sys.executable).with_name("huntred"))


def measure(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a command and all its children."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    return time.monotonic() - start, peak / 2**20


def ingest_throughput(landing: Path, days: int = 45) -> dict:
    """Our ATS ingestion vs the obvious alternative (pandas read_json + an insert loop), same files."""
    import duckdb
    import pandas as pd

    from huntred.ingest.driver import ingest_family
    from huntred.warehouse import connect_writer
    from huntred.settings import Settings
    from models.enums import SourceFamily

    with tempfile.TemporaryDirectory() as tmp:
        files = sorted((landing / "ats_events").glob("*.jsonl"))[:days]
        sub = Path(tmp) / "landing" / "ats_events"
        sub.mkdir(parents=True)
        for f in files:
            shutil.copy2(f, sub / f.name)
        settings = Settings(warehouse_dir=Path(tmp))
        con = connect_writer(settings)
        t = time.monotonic()
        summary = ingest_family(con, settings.landing_dir, SourceFamily.ATS_EVENTS, "bench")
        ours = time.monotonic() - t
        rows = summary.records_read
        con.close()

        naive = duckdb.connect(str(Path(tmp) / "naive.duckdb"))
        naive.execute("CREATE TABLE events (event_id VARCHAR, event_type VARCHAR, occurred_at VARCHAR, business_unit VARCHAR, "
                      "candidate_id VARCHAR, campaign_id VARCHAR, payload VARCHAR)")
        t = time.monotonic()
        for f in files:
            good = [line for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
            frame = pd.read_json(io.StringIO("\n".join(_parseable(good))), lines=True, dtype=False)
            for rec in frame.itertuples(index=False):  # no validation, no dedupe, no quarantine
                naive.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                              [rec.event_id, rec.event_type, str(rec.occurred_at), rec.business_unit,
                               rec.candidate_id, rec.campaign_id, json.dumps(rec.payload)])
        baseline = time.monotonic() - t
    return {"rows": rows, "ours_rows_per_s": round(rows / ours), "pandas_loop_rows_per_s": round(rows / baseline),
            "speedup": round(baseline / ours, 1)}


def _parseable(lines: list[str]) -> list[str]:
    # pandas stops at the first malformed line; give it only the lines it can read
    out = []
    for line in lines:
        try:
            json.loads(line)
            out.append(line)
        except ValueError:
            pass
    return out


def bench_scale(scale: float, root: Path) -> dict:
    warehouse = root / f"scale-{scale:g}"
    shutil.rmtree(warehouse, ignore_errors=True)
    env = {**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse), "DO_NOT_TRACK": "1",
           "HUNTRED_STRIPE_WEBHOOK_SECRET": os.environ.get("HUNTRED_STRIPE_WEBHOOK_SECRET") or "whsec_bench_" + os.urandom(12).hex()}
    gen_s, gen_mib = measure([HUNTRED, "generate", "--scale", str(scale)], env)
    manifest = json.loads((warehouse / "landing" / "generator_manifest.json").read_text())
    run_s, run_mib = measure([HUNTRED, "run"], env)
    rerun_s, _ = measure([HUNTRED, "run"], env)
    result = {"scale": scale, "ats_events": manifest["raw_rows"]["ats_events"],
              "landing_mib": round(sum(p.stat().st_size for p in (warehouse / "landing").rglob("*") if p.is_file()) / 2**20),
              "generate_s": round(gen_s, 1), "pipeline_s": round(run_s, 1), "rerun_no_new_files_s": round(rerun_s, 1),
              "pipeline_peak_rss_mib": round(run_mib), "generate_peak_rss_mib": round(gen_mib)}
    if scale == 1:
        result["ingest_throughput"] = ingest_throughput(warehouse / "landing")
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(warehouse, ignore_errors=True)
    return result


def main() -> None:
    scales = [float(s) for s in os.environ.get("BENCH_SCALES", "1").split()]
    root = Path(os.environ.get("BENCH_DIR") or tempfile.mkdtemp(prefix="huntred-bench-"))
    results = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "machine": f"{platform.machine()}, {os.cpu_count()} cores, {round(psutil.virtual_memory().total / 2**30)} GiB",
               "scales": []}
    for scale in scales:
        print(f"scale {scale:g} …", flush=True)
        results["scales"].append(bench_scale(scale, root))
    out = REPO / "bench" / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print("\n| measure | " + " | ".join(f"scale {r['scale']:g}" for r in results["scales"]) + " |")
    print("|---|" + "---|" * len(results["scales"]))
    for key, label in (("ats_events", "ATS events"), ("landing_mib", "landing files (MiB)"), ("generate_s", "generate (s)"),
                       ("pipeline_s", "full pipeline (s)"), ("rerun_no_new_files_s", "re-run, no new files (s)"),
                       ("pipeline_peak_rss_mib", "pipeline peak RSS (MiB)")):
        print(f"| {label} | " + " | ".join(f"{r[key]:,}" for r in results["scales"]) + " |")
    for r in results["scales"]:
        if "ingest_throughput" in r:
            t = r["ingest_throughput"]
            print(f"\nATS ingest: {t['ours_rows_per_s']:,} rows/s (validated, deduped, quarantined) vs "
                  f"{t['pandas_loop_rows_per_s']:,} rows/s for pandas read_json + insert loop: {t['speedup']}x")
    if len(results["scales"]) > 1:
        one, ten = results["scales"][0], results["scales"][-1]
        print(f"\nscale {ten['scale']:g} / scale {one['scale']:g}: generate {ten['generate_s'] / one['generate_s']:.1f}x, "
              f"pipeline {ten['pipeline_s'] / one['pipeline_s']:.1f}x")


if __name__ == "__main__":
    main()
