"""Shared fixtures: real components on small generated data in temporary folders."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "fixtures"
SMALL_SCALE = 0.02  # ~400 candidates, ~20k ATS events: every code path, in seconds
#: The scale and seed where business figures are judged (ROI, a client's money): 60 campaigns, 10,000 candidates,
#: about 700 hires; the demo's own seed. Built once per session, only by the tests that need it (~90 s).
REALISTIC_SCALE, REALISTIC_SEED = 0.5, 42

# Telemetry off and a sample webhook secret generated for this test session (never a real one).
os.environ.update({
    "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "MLFLOW_DISABLE_TELEMETRY": "true",
    "HF_HUB_OFFLINE": "1", "DAGSTER_HOME": str(REPO),
    # the packaged model's own vectors whatever a machine's qualification says (tests/ml/test_encoders.py tries the others)
    "HUNTRED_EMBEDDING_BACKEND": "fp32",
    "HUNTRED_STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(24),
    "HUNTRED_PSEUDONYM_KEY": secrets.token_hex(32), "HUNTRED_SESSION_KEY": secrets.token_hex(32),
})


def need_fixture(path: Path) -> Path:
    """A shared fixture: CI always has shared/ beside the project, so there a missing one is a failure."""
    if not path.exists():
        message = f"{path} is missing (shared/fixtures must sit beside the project)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    return path


def point_at(warehouse: Path) -> None:
    """Make every component (settings, Dagster, dbt) use this warehouse."""
    from foundation.settings import get_settings

    os.environ["HUNTRED_WAREHOUSE_DIR"] = str(warehouse)
    os.environ["HUNTRED_DAGSTER_STORAGE"] = str(warehouse / "dagster")
    get_settings.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """Dagster's dbt assets load from the manifest: parse once per session (as `make prepare` does)."""
    manifest = REPO / "transforms" / "target" / "manifest.json"
    if not manifest.exists():
        subprocess.run([str(Path(sys.executable).with_name("dbt")), "parse", "--project-dir", ".", "--profiles-dir", ".",
                        "--quiet"], cwd=REPO / "transforms", check=True)
    return manifest


@pytest.fixture
def webhook_secret() -> str:
    return os.environ["HUNTRED_STRIPE_WEBHOOK_SECRET"]


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """A small generated landing zone and the generator's manifest of what it must produce."""
    from sample_data import generate

    out = tmp_path_factory.mktemp("generated") / "landing"
    manifest = generate(out, scale=SMALL_SCALE, seed=7, webhook_secret=os.environ["HUNTRED_STRIPE_WEBHOOK_SECRET"])
    return out, manifest


def new_warehouse(root: Path, landing: Path) -> Path:
    """A warehouse folder whose landing zone is a copy of `landing` (mtimes kept)."""
    warehouse = root / "warehouse"
    shutil.copytree(landing, warehouse / "landing")
    return warehouse


@pytest.fixture(scope="session")
def built_lakehouse(tmp_path_factory, generated):
    """The small sample run once through the real Dagster job (ingest, dbt build, publish)."""
    from orchestration.runs import run_pipeline

    warehouse = new_warehouse(tmp_path_factory.mktemp("built"), generated[0])
    point_at(warehouse)
    outcome = run_pipeline()
    assert outcome.success, outcome.errors
    return warehouse, outcome


def generated_and_built(tmp_path_factory, name: str, *, scale: float, seed: int) -> Path:
    """A sample generated at (scale, seed) and run once through the real Dagster job: its warehouse folder."""
    from orchestration.runs import run_pipeline
    from sample_data import generate

    landing = tmp_path_factory.mktemp(f"{name}-generated") / "landing"
    generate(landing, scale=scale, seed=seed, webhook_secret=os.environ["HUNTRED_STRIPE_WEBHOOK_SECRET"])
    warehouse = new_warehouse(tmp_path_factory.mktemp(f"{name}-built"), landing)
    point_at(warehouse)
    outcome = run_pipeline()
    assert outcome.success, outcome.errors
    return warehouse


@pytest.fixture(scope="session")
def realistic_lakehouse(tmp_path_factory) -> Path:
    """The demo's seed at half its scale, generated and run once through the real Dagster job."""
    return generated_and_built(tmp_path_factory, "realistic", scale=REALISTIC_SCALE, seed=REALISTIC_SEED)


@pytest.fixture
def on_realistic(realistic_lakehouse):
    """Point settings at the session's realistic lakehouse (read-only use)."""
    point_at(realistic_lakehouse)
    return realistic_lakehouse


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """An empty warehouse for this test."""
    path = tmp_path / "warehouse"
    point_at(path)
    return path


@pytest.fixture
def on_built(built_lakehouse):
    """Point settings at the session's built lakehouse (read-only use)."""
    point_at(built_lakehouse[0])
    return built_lakehouse[0]


@pytest.fixture
def api_as():
    """A TestClient of the API calling with a new key of a role (and scope), made in the current warehouse's key file.

    ``api_as("bu_manager", bu="amigro")``; ``api_as(None)`` calls without a key.
    """
    from fastapi.testclient import TestClient

    from access.api_keys import create_key
    from api.main import app
    from foundation.settings import get_settings

    def make(role: str | None, *, bu: str | None = None, client: str | None = None, rate: int = 100_000) -> TestClient:
        if role is None:
            return TestClient(app)
        token, _ = create_key(get_settings().api_keys_path, role, business_unit=bu, client_id=client, rate_per_minute=rate)
        return TestClient(app, headers={"X-API-Key": token})

    return make
