"""Everything the platform writes under the warehouse is owner-only (dirs 0700, files 0600), whatever the umask.

Regression: the warehouse dir, the DuckDB files (clear emails) and the audit logs were readable by
any local user. Each entry point runs here as its own process started with the permissive umask
022 (the usual default), over a warehouse dir an older version created with 0755: the CLI
(generate, run, ingest, users, keys, quarantine), the API (events landed, requests audited), and
the dashboard (a sign-in audited). Then every file and folder found under the warehouse is checked.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
from streamlit.testing.v1 import AppTest

from tests.api import server
from tests.conftest import REPO, point_at

PERMISSIVE = 0o022


def huntred(*args: str, env: dict) -> subprocess.CompletedProcess:
    """The CLI as a new process started with a permissive umask (as from a login shell)."""
    result = subprocess.run([str(Path(sys.executable).with_name("huntred")), *args], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=600, preexec_fn=lambda: os.umask(PERMISSIVE))
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def open_to_others(root: Path) -> list[str]:
    """Every path under root (root included) that its group or other users may read, write or enter."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = path.lstat().st_mode
        if stat.S_IMODE(mode) & 0o077 and not stat.S_ISLNK(mode):
            found.append(f"{oct(stat.S_IMODE(mode))} {path.relative_to(root.parent)}")
    return found


def test_everything_written_under_the_warehouse_is_owner_only_even_with_umask_022(tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    warehouse.chmod(0o755)  # as an older version left it
    env = {**os.environ, "HUNTRED_WAREHOUSE_DIR": str(warehouse), "HUNTRED_DAGSTER_STORAGE": str(warehouse / "dagster")}

    huntred("generate", "--scale", "0.005", "--seed", "3", env=env)
    huntred("run", env=env)
    huntred("users", "init", env=env)
    token = huntred("keys", "create", "--role", "service", "--quiet", env=env).stdout.strip()
    own = tmp_path / "own" / "occ_2026-10-30.csv"
    own.parent.mkdir()
    own.write_text("Fecha,Clave de campaña,Impresiones,Alcance,Clics,Postulaciones,Inversión (MXN)\n"
                   "30/10/2026,cmp_00001,100,50,5,0,10.00\n", encoding="utf-8")
    own.chmod(0o644)
    huntred("ingest", "channel_metrics", str(own), "--channel", "occ", env=env)
    huntred("quarantine", "--show-pii", env=env)  # audited

    # the API, started as its own process with umask 022: it lands pushed events and audits requests
    old = os.umask(PERMISSIVE)
    try:
        proc, url = server.start(warehouse, HUNTRED_DAGSTER_STORAGE=str(warehouse / "dagster"))
    finally:
        os.umask(old)
    try:
        event = {"event_id": "evt_private_1", "event_type": "notification.sent", "occurred_at": "2026-10-30T10:00:00-06:00",
                 "business_unit": "amigro", "candidate_id": "cand_0000001", "campaign_id": None,
                 "payload": {"notification_id": "ntf_1", "channel": "sms", "template_id": "tpl_bienvenida"}}
        answer = httpx.post(url + "/api/events/", json=[event], headers={"X-API-Key": token}, timeout=30)
        assert answer.status_code == 202, answer.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    # the dashboard: Streamlit runs the pages in its server process; here that process is this one
    old = os.umask(PERMISSIVE)
    try:
        point_at(warehouse)
        from access import users
        from foundation.settings import get_settings

        users.add_user(get_settings().users_path, "ana.private", "analyst", "private files password", replace=True)
        at = AppTest.from_file(str(REPO / "apps" / "dashboard.py"), default_timeout=120).run()
        at.text_input(key="sign_in_username").input("ana.private")
        at.text_input(key="sign_in_password").input("private files password")
        at.button[0].click().run()
        assert not at.exception and at.session_state["user"].username == "ana.private"
    finally:
        os.umask(old)

    written = {p.relative_to(warehouse).parts[0] for p in warehouse.rglob("*")}
    assert {"landing", "lakehouse.duckdb", "serving", "audit", "users.json", "api_keys.json", "dagster", "logs",
            "mlflow"} <= written, written
    assert list((warehouse / "landing" / "ats_events").rglob("*.jsonl")), "the API landed nothing"
    leaks = open_to_others(warehouse)
    assert not leaks, f"{len(leaks)} of {len(list(warehouse.rglob('*'))) + 1} paths are open to other users:\n" + "\n".join(leaks[:80])
