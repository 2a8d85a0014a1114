"""`make dagster` from a plain shell (no activated venv): the UI serves and the code location loads without error."""
from __future__ import annotations

import httpx

from tests.make_targets import free_port, make_serving, wait_until

LOCATION = """{ workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message }
    ... on RepositoryLocation { repositories { name jobs { name } } } } } } } }"""


def test_make_dagster_serves_the_code_location_from_a_plain_shell(tmp_path):
    """Regression: the location failed to load with "The dbt executable 'dbt' was not found on PATH"."""
    port = free_port()
    with make_serving("dagster", tmp_path / "warehouse", DAGSTER_PORT=str(port)) as (proc, log):

        def loaded():
            answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": LOCATION}, timeout=5).json()
            entries = answer["data"]["workspaceOrError"]["locationEntries"]
            return entries if entries and entries[0]["loadStatus"] == "LOADED" else None

        (entry,) = wait_until(loaded, proc, log, timeout=90)
        location = entry["locationOrLoadError"]
        assert location["__typename"] == "RepositoryLocation", location.get("message", location)
        jobs = {j["name"] for repo in location["repositories"] for j in repo["jobs"]}
        assert {"pipeline", "daily_activity", "ml_training"} <= jobs
