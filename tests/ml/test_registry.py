"""The registry: a new model is challenger; it becomes champion only by beating the champion on the same data."""
from __future__ import annotations

from ml import tracking
from ml.families import FAMILIES, score_family, train_family

WEAK = {"n_estimators": 1, "num_leaves": 2, "learning_rate": 0.01}  # a deliberately poor churn model


def _aliases(model_name: str) -> dict[str, str]:
    return {alias: v["version"] for v in tracking.versions(model_name) for alias in v["aliases"]}


def test_promotion_is_gated_both_ways_and_scoring_uses_the_champion(writer, ml_warehouse):
    name = FAMILIES["churn"].model_name
    assert score_family("churn", writer) == (None, 0)  # no champion yet: nothing is scored

    weak = train_family("churn", writer, None, WEAK)
    assert weak.promoted and weak.reason == "no champion yet"

    strong = train_family("churn", writer, None)
    assert strong.promoted and strong.champion_version == weak.version
    assert strong.value > strong.champion_value  # compared on the same held-out data
    assert _aliases(name) == {"champion": strong.version, "challenger": strong.version}

    weak_again = train_family("churn", writer, None, WEAK)
    assert not weak_again.promoted and "does not beat" in weak_again.reason
    assert _aliases(name) == {"champion": strong.version, "challenger": weak_again.version}

    version, rows = score_family("churn", writer)
    assert version == strong.version and rows > 0
    assert writer.sql("SELECT DISTINCT model_version FROM ml.churn_scores").fetchall() == [(strong.version,)]

    # a data scientist may overrule the gate by hand; scoring follows the champion
    assert tracking.promote(name, weak_again.version) == strong.version
    assert score_family("churn", writer)[0] == weak_again.version
    run = tracking.versions(name)[0]
    assert {"roc_auc", "baseline_roc_auc", "champion_roc_auc", "brier", "lift_top_decile"} <= set(run["metrics"])
    assert int(run["params"]["data.train_rows"]) > 0
    assert (ml_warehouse / "mlflow" / "mlflow.db").exists()  # the local store lives under the warehouse


def test_a_logged_model_names_its_data_features_plots_and_exact_requirements(writer):
    from mlflow.tracking import MlflowClient

    outcome = train_family("churn", writer, None)
    tracking.configure()
    client = MlflowClient()
    files = {f.path for f in client.list_artifacts(outcome.run_id)} | \
        {f.path for folder in ("plots", "tables") for f in client.list_artifacts(outcome.run_id, folder)}
    assert {"features.json", "data_snapshot.json", "plots/roc.png", "plots/calibration.png", "plots/importance.png",
            "tables/feature_importance.csv"} <= files
    model_version = client.get_model_version(FAMILIES["churn"].model_name, outcome.version)
    requirements = tracking.pip_requirements("scikit-learn", "lightgbm", "numpy", "pandas")
    local = client.download_artifacts(outcome.run_id, "data_snapshot.json")
    assert "train_sha256" in open(local).read()
    import mlflow.pyfunc

    reqs = mlflow.pyfunc.get_model_dependencies(f"models:/{model_version.name}/{model_version.version}")
    assert set(requirements) <= set(open(reqs).read().split())


def test_training_is_repeatable_on_the_same_snapshot(writer):
    a = FAMILIES["churn"].train(writer, None, None)
    b = FAMILIES["churn"].train(writer, None, None)
    assert a.data == b.data and a.metrics == b.metrics  # same data fingerprint, same numbers
