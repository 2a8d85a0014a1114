"""`make mlflow` from a plain shell: the MLflow UI and its REST API serve the project's tracking store."""
from __future__ import annotations

import httpx

from ml import tracking
from tests.make_targets import free_port, make_serving, wait_until


def test_make_mlflow_serves_the_ui_and_api_on_the_warehouses_store(warehouse):
    mlflow = tracking.configure()
    tracking.experiment_id(mlflow, "huntred-ui-check")  # something in the store to find through the server
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with make_serving("mlflow", warehouse, MLFLOW_PORT=str(port)) as (proc, log):
        home = wait_until(lambda: (r := httpx.get(url + "/", timeout=5)).status_code == 200 and r, proc, log, timeout=60)
        assert "<html" in home.text.lower()
        found = httpx.get(url + "/api/2.0/mlflow/experiments/search", params={"max_results": 100}, timeout=10)
        assert found.status_code == 200, found.text
        assert "huntred-ui-check" in {e["name"] for e in found.json()["experiments"]}
        assert f"127.0.0.1:{port}" in log.read_text()  # what the command says it serves
