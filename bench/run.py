"""`make bench`: the numbers the README reports, measured on this machine.

Each figure runs the real CLI in a fresh warehouse under BENCH_DIR (default: a temp
folder) and samples the RSS of the whole process tree (dbt included) for peak memory.
BENCH_SCALES="1 10" adds the scale-10 run (about ten times longer).
Results go to bench/results/latest.json and are printed as a Markdown table.
"""
from __future__ import annotations

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


def ingest_throughput(landing: Path, days: int = 365) -> dict:
    """Our ATS ingestion (validate, dedupe, quarantine, ledger, commit) vs DuckDB's own bulk `read_json` into a table
    of a database file (no validation, no dedupe, no quarantine), on the same files, one after the other."""
    import duckdb

    from foundation.settings import Settings
    from foundation.warehouse import connect_writer
    from ingest.driver import ingest_family
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
        con.execute("CHECKPOINT")
        ours = time.monotonic() - t
        rows = summary.records_read
        con.close()

        bulk = duckdb.connect(str(Path(tmp) / "bulk.duckdb"))
        t = time.monotonic()
        bulk.execute(f"CREATE TABLE events AS SELECT * FROM read_json('{sub}/*.jsonl', format='newline_delimited', "
                     "ignore_errors=true)")
        bulk.execute("CHECKPOINT")
        baseline = time.monotonic() - t
        bulk_rows = bulk.execute("SELECT count(*) FROM events").fetchone()[0]
        bulk.close()
    return {"rows": rows, "mib": round(sum(f.stat().st_size for f in files) / 2**20), "ours_rows_per_s": round(rows / ours),
            "read_json_rows_per_s": round(bulk_rows / baseline), "ratio": round((rows / ours) / (bulk_rows / baseline), 2)}


def dbt_build_seconds(env: dict) -> float:
    """A full `dbt build` (seeds, models, tests, unit tests) on the built warehouse, as the pipeline runs it."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    start = time.monotonic()
    subprocess.run([dbt, "build", "--project-dir", ".", "--profiles-dir", ".", "--quiet"], cwd=REPO / "transforms",
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def spark_build(env: dict) -> dict:
    """The same `dbt build` on a local Spark session from the lake the pipeline wrote (docs/scale-out.md)."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    seconds, peak = measure([dbt, "build", "--project-dir", "transforms", "--profiles-dir", "transforms", "--quiet",
                             "--target-path", str(Path(env["HUNTRED_WAREHOUSE_DIR"]) / "dbt-spark")],
                            {**env, "HUNTRED_ENGINE": "spark"})
    lake = Path(env["HUNTRED_WAREHOUSE_DIR"]) / "lake" / "raw"
    return {"dbt_build_s": round(seconds, 1), "peak_rss_mib": round(peak),
            "lake_raw_mib": round(sum(p.stat().st_size for p in lake.rglob("*.parquet")) / 2**20)}


def roi_report_seconds(warehouse: Path) -> dict:
    """ROI report of one BU for the whole year: queries, PDF and Excel (in this process, as the page does)."""
    from access import policy
    from foundation.settings import Settings
    from serving import analytics, snapshot
    from serving.reports.roi import build_roi_report, roi_pdf, roi_xlsx

    snap = snapshot.open_current(Settings(warehouse_dir=warehouse))
    first, last = analytics.data_range(snap)
    roi_pdf(build_roi_report(snap, policy.ALL, "huntu", first, last))  # warm imports (matplotlib, fonts)
    t = time.monotonic()
    report = build_roi_report(snap, policy.ALL, "huntred", first, last)
    built = time.monotonic()
    roi_pdf(report)
    pdf = time.monotonic()
    roi_xlsx(report)
    return {"queries_s": round(built - t, 2), "pdf_s": round(pdf - built, 2), "xlsx_s": round(time.monotonic() - pdf, 2),
            "total_s": round(time.monotonic() - t, 2)}


def page_seconds(warehouse: Path, env: dict) -> dict:
    """Each dashboard page in Chromium: seconds from the click to every chart drawn, three visits each."""
    import socket

    from playwright.sync_api import sync_playwright

    from access.users import add_user

    add_user(warehouse / "users.json", "bench", "analyst", "bench-password-1", replace=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).with_name("streamlit")), "run", str(REPO / "apps" / "dashboard.py"),
                               "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"],
                              cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    timings = {}
    try:
        from tests.http import wait_for_http

        wait_for_http(f"http://127.0.0.1:{port}/_stcore/health")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(f"http://127.0.0.1:{port}", timeout=120_000)
            page.locator('input[type="password"]').wait_for(timeout=120_000)
            page.locator('[data-testid="stTextInput"] input').first.fill("bench")
            page.locator('input[type="password"]').fill("bench-password-1")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector('[data-testid="stMetric"]', timeout=120_000)
            rounds: dict[str, list[float]] = {}
            for _ in range(3):  # the first round has cold query caches; report the median and the worst
                for title in ("Attribution", "Pipeline", "Engagement", "Revenue", "ROI reports", "Consulting exports",
                              "Data overview", "Campaigns"):
                    t = time.monotonic()
                    page.locator('[data-testid="stSidebarNav"] a', has_text=title).click()
                    page.wait_for_selector(f'h1:has-text("{title}")', timeout=120_000)
                    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=120_000)
                    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                        .every(chart => chart.querySelector('canvas, svg'))""", timeout=120_000)
                    rounds.setdefault(title, []).append(time.monotonic() - t)
            timings = {title: {"median": round(sorted(v)[1], 2), "max": round(max(v), 2)} for title, v in rounds.items()}
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return timings


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
    result["dbt_build_s"] = round(dbt_build_seconds(env), 1)
    result["spark"] = spark_build(env)
    # the event-sized incremental models: their first (whole) build, then one day's partition
    last_day = json.loads((warehouse / "landing" / "generator_manifest.json").read_text()).get("end_date") or "2026-10-31"
    result["daily_first_build_s"] = round(measure([HUNTRED, "run-daily", "--from", last_day], env)[0], 1)
    result["daily_one_day_s"] = round(measure([HUNTRED, "run-daily", "--from", last_day], env)[0], 1)
    # ML: train every model family once (embeds every CV and vacancy), then the embedding figures on the same CVs
    from ml_figures import embedding_backends, embedding_throughput, model_quality  # bench/ml_figures.py

    result["ml_train_all_s"], result["ml_train_peak_rss_mib"] = (round(v) for v in measure([HUNTRED, "ml", "train", "all"], env))
    result["ml_quality"] = model_quality(env)
    result["embedding"] = embedding_throughput(warehouse)
    result["embedding_backends"] = embedding_backends(warehouse)
    result["roi_report"] = roi_report_seconds(warehouse)
    result["page_s"] = page_seconds(warehouse, env)
    from api_figures import api_load  # bench/api_figures.py

    result["api"] = api_load(warehouse, env)
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
    from connector_figures import markdown as connector_markdown, stripe_pull_figures

    results["stripe_pull"] = stripe_pull_figures()
    out = REPO / "bench" / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print("\n| measure | " + " | ".join(f"scale {r['scale']:g}" for r in results["scales"]) + " |")
    print("|---|" + "---|" * len(results["scales"]))
    for key, label in (("ats_events", "ATS events"), ("landing_mib", "landing files (MiB)"), ("generate_s", "generate (s)"),
                       ("pipeline_s", "full pipeline (s)"), ("rerun_no_new_files_s", "re-run, no new files (s)"),
                       ("pipeline_peak_rss_mib", "pipeline peak RSS (MiB)"), ("dbt_build_s", "full dbt build (s)"),
                       ("daily_first_build_s", "incremental models: first (whole) build, run (s)"),
                       ("daily_one_day_s", "incremental models: one day's partition, run (s)")):
        print(f"| {label} | " + " | ".join(f"{r[key]:,}" for r in results["scales"]) + " |")
    print("| full dbt build on Spark, local session (s) | " + " | ".join(f"{r['spark']['dbt_build_s']:,}" for r in results["scales"]) + " |")
    print("| ... Spark / DuckDB | " + " | ".join(f"{r['spark']['dbt_build_s'] / r['dbt_build_s']:.1f}x" for r in results["scales"]) + " |")
    print("| ... its peak RSS, JVM included (MiB) | " + " | ".join(f"{r['spark']['peak_rss_mib']:,}" for r in results["scales"]) + " |")
    print("| raw tables in the lake, Parquet (MiB) | " + " | ".join(f"{r['spark']['lake_raw_mib']:,}" for r in results["scales"]) + " |")
    print("| ROI report, one BU, one year: queries + PDF + Excel (s) | " + " | ".join(
        f"{r['roi_report']['queries_s']} + {r['roi_report']['pdf_s']} + {r['roi_report']['xlsx_s']} = {r['roi_report']['total_s']}"
        for r in results["scales"]) + " |")
    for title in results["scales"][0]["page_s"]:
        print(f"| page '{title}' in Chromium, median / worst of 3 (s) | " + " | ".join(
            f"{r['page_s'][title]['median']} / {r['page_s'][title]['max']}" for r in results["scales"]) + " |")
    print("| train every model (`huntred ml train all`) (s) | " + " | ".join(f"{r['ml_train_all_s']:,}" for r in results["scales"]) + " |")
    print("| ... its peak RSS (MiB) | " + " | ".join(f"{r['ml_train_peak_rss_mib']:,}" for r in results["scales"]) + " |")
    for name in results["scales"][0]["ml_quality"]:
        q0 = results["scales"][0]["ml_quality"][name]
        metric = q0["primary_metric"]
        base = next((k for k in (f"baseline_{metric}", f"baseline_tfidf_{metric}") if k in q0), None)
        print(f"| {name}: {metric} (baseline) | " + " | ".join(
            f"{r['ml_quality'][name][metric]:.3f}" + (f" ({r['ml_quality'][name][base]:.3f})" if base else "")
            for r in results["scales"] if name in r["ml_quality"]) + " |")
    for key, label in (("plain_texts_per_s", "embedding: plain model.encode (CVs/s)"), ("ours_texts_per_s", "embedding: ours, chunked + sorted (CVs/s)"),
                       ("plain_cpu_utilisation", "embedding: plain, share of both cores busy"), ("ours_cpu_utilisation", "embedding: ours, share of both cores busy"),
                       ("cached_rerun_s", "embedding: cached re-run of the same CVs (s)")):
        print(f"| {label} | " + " | ".join(f"{r['embedding'][key]:,}" for r in results["scales"]) + " |")
    for i, backend in enumerate(b["backend"] for b in results["scales"][0].get("embedding_backends", [])):
        print(f"| embedding: {backend} vs fp32 (speedup, lowest cosine; real set: speedup, qualified) | " + " | ".join(
            (lambda b: f"{b['speedup']}x, {b['min_cosine']}; {b['real_set_speedup']}x, {'yes' if b['qualified'] else 'no'}")(
                r["embedding_backends"][i]) for r in results["scales"] if "embedding_backends" in r) + " |")
    for r in results["scales"]:
        if "ingest_throughput" in r:
            t = r["ingest_throughput"]
            print(f"\nATS ingest, {t['rows']:,} records ({t['mib']} MiB): {t['ours_rows_per_s']:,} rows/s (validated, deduped, "
                  f"quarantined, committed) vs DuckDB read_json into a table {t['read_json_rows_per_s']:,} rows/s: "
                  f"{t['ratio']} of the engine's bulk load")
    from api_figures import markdown as api_markdown

    print("\n" + api_markdown(results["scales"]))
    print("\n" + connector_markdown(results["stripe_pull"]))
    if len(results["scales"]) > 1:
        one, ten = results["scales"][0], results["scales"][-1]
        print(f"\nscale {ten['scale']:g} / scale {one['scale']:g}: generate {ten['generate_s'] / one['generate_s']:.1f}x, "
              f"pipeline {ten['pipeline_s'] / one['pipeline_s']:.1f}x")


if __name__ == "__main__":
    main()
