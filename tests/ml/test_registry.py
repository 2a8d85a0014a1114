"""The registry: a new model is challenger; it becomes champion only through the gate (beats the champion and its
baseline on the same held-out data, no adverse impact) or by hand with a reason, and every table says which."""
from __future__ import annotations

import numpy as np

from ml import tracking
from ml.families import FAMILIES, score_family, train_family

WEAK = {"n_estimators": 1, "num_leaves": 2, "learning_rate": 0.01}  # a deliberately poor churn model


def _aliases(model_name: str) -> dict[str, str]:
    return {alias: v["version"] for v in tracking.versions(model_name) for alias in v["aliases"]}


def _version(model_name: str, version: str) -> dict:
    return next(v for v in tracking.versions(model_name) if v["version"] == version)


def test_promotion_is_gated_on_champion_and_baseline_overruled_by_hand_and_scoring_uses_the_champion(writer, ml_warehouse):
    name = FAMILIES["churn"].model_name
    assert score_family("churn", writer) == (None, 0)  # no champion yet: nothing is scored

    weak = train_family("churn", writer, None, WEAK)  # one tree of two leaves: worse than logistic regression
    assert weak.metrics["roc_auc"] < weak.metrics["baseline_roc_auc"]
    assert not weak.promoted and _aliases(name) == {"challenger": weak.version}  # even with no champion yet
    assert _version(name, weak.version)["tags"]["gate.baseline"] == \
        f"failed: loses to its baseline: roc_auc {weak.metrics['roc_auc']:.4f} < {weak.metrics['baseline_roc_auc']:.4f}"
    assert score_family("churn", writer) == (None, 0)

    # a data scientist overrules the gate, with a reason
    assert tracking.promote(name, weak.version, reason="a first model to wire the scores", by="dana") is None
    assert _version(name, weak.version)["promotion"] == "promoted by hand by dana: a first model to wire the scores"

    strong = train_family("churn", writer, None)
    assert strong.promoted and strong.champion_version == weak.version
    assert strong.value > strong.champion_value and strong.value > strong.metrics["baseline_roc_auc"]  # on the same data
    assert _aliases(name) == {"champion": strong.version, "challenger": strong.version}
    assert _version(name, weak.version)["promotion"] == \
        f"was champion (promoted by hand by dana: a first model to wire the scores) until v{strong.version} passed the gate"

    weak_again = train_family("churn", writer, None, WEAK)
    assert not weak_again.promoted and _aliases(name) == {"champion": strong.version, "challenger": weak_again.version}
    assert weak_again.reason == (f"not promoted: loses to champion v{strong.version}: roc_auc {weak_again.value:.4f} < "
                                 f"{weak_again.champion_value:.4f}; loses to its baseline: roc_auc {weak_again.value:.4f} < "
                                 f"{weak_again.metrics['baseline_roc_auc']:.4f}")
    assert _version(name, weak_again.version)["promotion"] == weak_again.reason

    version, rows = score_family("churn", writer)
    assert version == strong.version and rows > 0
    assert writer.sql("SELECT DISTINCT model_version FROM ml.churn_scores").fetchall() == [(strong.version,)]

    # by hand again; scoring follows the champion, and the champion it replaced says so
    assert tracking.promote(name, weak_again.version, reason="compare in production", by="lee") == strong.version
    assert score_family("churn", writer)[0] == weak_again.version
    assert _version(name, strong.version)["promotion"] == \
        f"was champion (promoted by the gate) until v{weak_again.version} was promoted by hand by lee"
    run = tracking.versions(name)[0]
    assert run["promotion"] == "promoted by hand by lee: compare in production"
    assert {"promotion", "promoted_by", "promotion_reason", "promoted_at"} <= set(run["tags"])
    assert {"roc_auc", "baseline_roc_auc", "champion_roc_auc", "brier", "lift_top_decile"} <= set(run["metrics"])
    assert int(run["params"]["data.train_rows"]) > 0
    assert (ml_warehouse / "mlflow" / "mlflow.db").exists()  # the local store lives under the warehouse


# -- the gate through the real register path, on models whose numbers the test chooses ----------------------------
MODEL = "huntred-gate-test"


def _trained(roc_auc: float, baseline: float, champion_rescored: float, fairness: dict[str, float] | None = None):
    """A real (tiny) scikit-learn model with the metrics a family's training would report, and an `evaluate` that
    re-scores any other version at `champion_rescored` on this run's held-out data."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1]])
    return tracking.TrainedModel(
        model=LogisticRegression().fit(x, [0, 1, 0, 1]), metrics={"roc_auc": roc_auc, "baseline_roc_auc": baseline},
        params={}, features=["a", "b"], data={"train_rows": 4}, evaluate=lambda other: {"roc_auc": champion_rescored},
        input_example=x[:1], fairness=fairness)


def _register(trained) -> tracking.RegistrationOutcome:
    return tracking.register("gate-test", MODEL, trained, primary_metric="roc_auc", baseline_metric="baseline_roc_auc",
                             requirements=tracking.pip_requirements("scikit-learn", "numpy"))


def _run_tags(run_id: str) -> dict[str, str]:
    from mlflow.tracking import MlflowClient

    return MlflowClient().get_run(run_id).data.tags


def test_a_challenger_that_beats_the_champion_but_loses_to_its_baseline_is_not_promoted(warehouse):
    first = _register(_trained(0.760, 0.700, champion_rescored=0.0))
    assert first.promoted and _aliases(MODEL) == {"champion": first.version, "challenger": first.version}

    challenger = _register(_trained(0.722, 0.725, champion_rescored=0.700))  # the case seen on client-churn

    assert not challenger.promoted
    assert _aliases(MODEL) == {"champion": first.version, "challenger": challenger.version}
    why = "loses to its baseline: roc_auc 0.7220 < 0.7250"
    for tags in (_run_tags(challenger.run_id), _version(MODEL, challenger.version)["tags"]):
        assert tags["promoted"] == "false" and tags["gate.baseline"] == f"failed: {why}"
        assert tags["gate.champion"] == f"passed: beats champion v{first.version}: roc_auc 0.7220 > 0.7000"
        assert tags["promotion_reason"] == f"not promoted: {why}"
    assert _version(MODEL, challenger.version)["promotion"] == f"not promoted: {why}"
    assert _version(MODEL, first.version)["promotion"].startswith("promoted: no champion yet; beats its baseline")


def test_a_challenger_with_adverse_impact_is_not_promoted(warehouse):
    first = _register(_trained(0.70, 0.60, champion_rescored=0.0, fairness={"CV language 'en'": 0.95}))
    assert first.promoted

    challenger = _register(_trained(0.80, 0.60, champion_rescored=0.70,
                                    fairness={"CV language 'en'": 0.69, "gender 'female'": 0.97}))

    assert not challenger.promoted and _aliases(MODEL)["champion"] == first.version
    why = "adverse impact: CV language 'en' ratio 0.69 below 0.80"
    tags = _version(MODEL, challenger.version)["tags"]
    assert tags["gate.fairness"] == f"failed: {why}" and tags["promotion_reason"] == f"not promoted: {why}"
    assert tags["gate.champion"].startswith("passed: beats") and tags["gate.baseline"].startswith("passed: beats")
    assert _run_tags(challenger.run_id)["gate.fairness"] == f"failed: {why}"


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
