"""The API under load, on this machine: what `make bench` reports for issue 5.

* Throughput and p50/p99 latency of GET /api/publish/campaigns/{id}/metrics/ and
  POST /api/aura/score/ at 1, 16 and 64 concurrent connections, with wrk (C, light on
  the CPU the server needs) against one uvicorn process on 127.0.0.1, 10 s each. The
  requests rotate over every campaign / vacancy of the snapshot. Twice: with the answer
  cache off (every answer computed), then as served, after each answer was asked once.
* Stripe webhook ingestion: signed, distinct events (each landed durably: written,
  fsynced, renamed) per second at 16 connections, counted from the landing zone.

Run alone on a built warehouse: ``python bench/api_figures.py WAREHOUSE_DIR``.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import httpx

REPO = Path(__file__).resolve().parent.parent
CLIENTS = (1, 16, 64)
SECONDS = int(os.environ.get("BENCH_API_SECONDS", 10))
_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _lua_rotating(method: str, paths_or_bodies: list[str], token: str, path: str | None = None) -> str:
    items = ",\n".join(json.dumps(p) for p in paths_or_bodies)
    if method == "GET":
        call = 'wrk.format("GET", items[(i % #items) + 1], headers)'
    else:
        call = f'wrk.format("POST", {json.dumps(path)}, headers, items[(i % #items) + 1])'
    return f"""local items = {{
{items}
}}
local headers = {{["X-API-Key"] = "{token}", ["Content-Type"] = "application/json"}}
local i = 0
request = function()
  i = i + 1
  return {call}
end
"""


def parse_wrk(output: str) -> dict:
    """Requests/s, p50 and p99 in ms, and errors (non-2xx or socket) from wrk --latency output."""
    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return round(float(value) * _UNIT[unit], 2)

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"requests_per_s": round(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), 1),
            "p50_ms": ms("50%"), "p99_ms": ms("99%"), "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0)}


def wrk(url: str, script: Path, clients: int, seconds: int = SECONDS, threads: int | None = None) -> dict:
    out = subprocess.run(["wrk", "-t", str(threads or min(clients, 2)), "-c", str(clients), "-d", f"{seconds}s", "--latency",
                          "--timeout", "10s", "-s", str(script), url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def _serve(warehouse: Path, env: dict) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning", "--no-access-log"], cwd=REPO,
                            env={**env, "HUNTRED_WAREHOUSE_DIR": str(warehouse)}, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/ready", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the API did not become ready")


def api_load(warehouse: Path, env: dict) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `apt-get install -y wrk` (make bench does it).")
    sys.path.insert(0, str(REPO))
    os.environ.update({k: v for k, v in env.items() if k.startswith("HUNTRED_")})
    os.environ["HUNTRED_WAREHOUSE_DIR"] = str(warehouse)
    from access.api_keys import create_key
    from foundation.settings import get_settings
    from sample_data.stripe_data import sign

    get_settings.cache_clear()
    settings = get_settings()
    token, _ = create_key(settings.api_keys_path, "admin", label="bench", rate_per_minute=10**9)
    snapshot = settings.serving_dir / (settings.serving_dir / "CURRENT").read_text().strip()
    with duckdb.connect(str(snapshot), read_only=True) as con:
        campaigns = [c for (c,) in con.sql("SELECT campaign_id FROM marts.mart_campaign_summary ORDER BY 1").fetchall()]
        vacancies = [v for (v,) in con.sql("SELECT DISTINCT vacancy_id FROM ml.match_scores ORDER BY 1").fetchall()]
        webhooks = sorted((settings.landing_dir / "stripe" / "webhooks").glob("*.jsonl"))
        template = json.loads(json.loads(webhooks[0].read_bytes().splitlines()[0])["body"])
    result: dict = {"campaigns": len(campaigns), "vacancies": len(vacancies)}
    with tempfile.TemporaryDirectory() as tmp:
        metrics = Path(tmp, "metrics.lua")
        metrics.write_text(_lua_rotating("GET", [f"/api/publish/campaigns/{c}/metrics/" for c in campaigns], token))
        score = Path(tmp, "score.lua")
        score.write_text(_lua_rotating("POST", [json.dumps({"vacancy_id": v, "top_k": 10}) for v in vacancies], token,
                                       "/api/aura/score/"))
        # every answer computed (cache off), then as served (answers cached per snapshot)
        for suffix, cache in (("_uncached", "0"), ("", "20000")):
            proc, url = _serve(warehouse, {**os.environ, "HUNTRED_API_CACHE_ENTRIES": cache})
            try:
                if cache != "0":  # served as in production after a while: every answer asked for once
                    with httpx.Client(base_url=url, headers={"X-API-Key": token}, timeout=30) as http:
                        for c in campaigns:
                            http.get(f"/api/publish/campaigns/{c}/metrics/")
                        for v in vacancies:
                            http.post("/api/aura/score/", json={"vacancy_id": v, "top_k": 10})
                for name, script in (("metrics", metrics), ("score", score)):
                    wrk(url, script, 4, seconds=2)  # warm up: snapshot open, pages in the OS cache
                    result[name + suffix] = {str(c): wrk(url, script, c) for c in CLIENTS}
            finally:
                proc.terminate()
                proc.wait(timeout=10)
    proc, url = _serve(warehouse, {**os.environ})
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # webhook: distinct events signed now (Stripe allows 5 minutes of clock skew), one wrk thread in order
            secret = settings.require_webhook_secret()
            now = int(time.time())
            n = 40_000
            sigs, bodies = [], []
            for i in range(n):
                body = json.dumps({**template, "id": f"evt_bench{i:07d}"})  # one line each: json.dumps has no newlines
                sigs.append(sign(body, secret, now))
                bodies.append(body)
            Path(tmp, "sigs.txt").write_text("\n".join(sigs))
            Path(tmp, "bodies.txt").write_text("\n".join(bodies))
            hook = Path(tmp, "webhook.lua")
            hook.write_text(f"""local sigs, bodies = {{}}, {{}}
for line in io.lines("{tmp}/sigs.txt") do sigs[#sigs + 1] = line end
for line in io.lines("{tmp}/bodies.txt") do bodies[#bodies + 1] = line end
local i = 0
request = function()
  i = i + 1
  local k = ((i - 1) % #bodies) + 1
  return wrk.format("POST", "/api/payments/stripe/webhook",
                    {{["Stripe-Signature"] = sigs[k], ["Content-Type"] = "application/json"}}, bodies[k])
end
""")
            landed_dir = settings.landing_dir / "stripe" / "webhooks" / "http"
            before = sum(1 for _ in landed_dir.rglob("*.jsonl")) if landed_dir.exists() else 0
            load = wrk(url, hook, 16, threads=1)
            landed = sum(1 for _ in landed_dir.rglob("*.jsonl")) - before
            result["webhook"] = {**load, "events_landed": landed, "events_per_s": round(landed / SECONDS, 1)}
            shutil.rmtree(landed_dir, ignore_errors=True)  # bench events must not reach the warehouse
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return result


def markdown(rows: list[dict]) -> str:
    """One table, scales side by side."""
    head = "| endpoint | clients | " + " | ".join(f"scale {r['scale']:g}: req/s · p50 · p99 (ms)" for r in rows) + " |"
    lines = [head, "|---|---|" + "---|" * len(rows)]
    for name, label in (("metrics", "GET /api/publish/campaigns/{id}/metrics/"), ("score", "POST /api/aura/score/ (top 10)"),
                        ("metrics_uncached", "… metrics, cache off"), ("score_uncached", "… score, cache off")):
        for c in CLIENTS:
            cells = [f"{r['api'][name][str(c)]['requests_per_s']:,} · {r['api'][name][str(c)]['p50_ms']} · "
                     f"{r['api'][name][str(c)]['p99_ms']}" for r in rows]
            lines.append(f"| {label} | {c} | " + " | ".join(cells) + " |")
    cells = [f"{r['api']['webhook']['events_per_s']:,} events/s landed · p99 {r['api']['webhook']['p99_ms']} ms" for r in rows]
    lines.append("| POST /api/payments/stripe/webhook (durable) | 16 | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    warehouse = Path(sys.argv[1]).resolve()
    figures = api_load(warehouse, dict(os.environ))
    print(json.dumps(figures, indent=2))
