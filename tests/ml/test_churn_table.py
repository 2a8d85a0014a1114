"""`huntred ml train churn --table`: the churn machinery on a table someone brings, through the real CLI entry point
(in this process, so the libraries load once), a real MLflow store in a temporary warehouse, and a real public table:
IBM's Telco Customer Churn (evaluation/churn, Apache-2.0), 7,043 customers, about 26.5% churned, 11 blank
TotalCharges. What is asserted comes from the table itself or from what the feature promises, never from a
previous run's output."""
from __future__ import annotations

import csv
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cli.main import main
from cli.output import console
from tests.conftest import point_at

TELCO = Path(__file__).resolve().parents[2] / "evaluation" / "churn" / "Telco-Customer-Churn.csv"
TELCO_MODEL = "huntred-churn-table-telco-customer-churn"
#: IBM's and others' published ROC-AUC on this table is about 0.84-0.85; 0.80 leaves room for a split's luck only
MIN_ROC_AUC = 0.80


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """One warehouse (MLflow store under it) for this module's trainings: each table has its own registered model."""
    return tmp_path_factory.mktemp("byot") / "warehouse"


@pytest.fixture
def huntred(store, monkeypatch, capsys):
    """Run `huntred ...` through its real entry point (cli.main.main: exit codes and error sentences included)."""
    point_at(store)
    monkeypatch.setattr(console, "width", 250)  # so a phrase of the summary is never wrapped across lines

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["huntred", *map(str, args)])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def mlflow_client():
    from mlflow.tracking import MlflowClient

    from ml import tracking

    tracking.configure()
    return MlflowClient()


def telco_rows() -> list[dict]:
    with TELCO.open(newline="") as f:
        return list(csv.DictReader(f))


# -- the real table -----------------------------------------------------------------------------------------------
def test_telco_trains_both_models_above_080_and_scores_every_customer(huntred, tmp_path):
    from sklearn.metrics import roc_auc_score

    scores_file = tmp_path / "telco-scores.parquet"
    code, out, err = huntred("ml", "train", "churn", "--table", TELCO, "--label", "Churn", "--id", "customerID",
                             "--scores-out", scores_file)
    assert code == 0, err
    assert "'Yes' is churn" in out and "11 blanks read as missing" in out, out

    client = mlflow_client()
    version = client.get_model_version_by_alias(TELCO_MODEL, "champion")  # first version, beats its baseline
    run = client.get_run(version.run_id)
    m = run.data.metrics
    assert m["roc_auc"] >= MIN_ROC_AUC and m["baseline_roc_auc"] >= MIN_ROC_AUC, m
    assert {"pr_auc", "brier", "baseline_pr_auc", "baseline_brier"} <= set(m)
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.name == "huntred-churn-table-telco-customer-churn"
    plots = {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
    assert plots == {"plots/roc.png", "plots/calibration.png", "plots/importance.png"}
    assert run.data.tags["promoted"] == "true" and run.data.tags["gate.baseline"].startswith("passed: beats its baseline")
    params = run.data.params
    assert params["label_positive"] == "Yes" and params["split"] == "stratified"
    assert "customerID" not in json.loads(params["numeric_features"]) + json.loads(params["categorical_features"])
    assert run.data.tags["data.fingerprint"] and int(params["data.table_rows"]) == 7043

    # one row per customer of the CSV, and the logged ROC-AUC is the one of the test rows' scores against the CSV
    truth = {r["customerID"]: r["Churn"] == "Yes" for r in telco_rows()}
    scores = pl.read_parquet(scores_file)
    assert scores.height == len(truth) == 7043 and set(scores["customerID"]) == set(truth)
    assert scores["churn_probability"].is_between(0, 1).all()
    test = scores.filter(pl.col("split") == "test")
    y = np.array([truth[c] for c in test["customerID"]])
    assert 0.19 * 7043 < test.height < 0.21 * 7043 and abs(y.mean() - 1869 / 7043) < 0.01  # stratified 20%
    assert roc_auc_score(y, test["churn_probability"]) == pytest.approx(m["roc_auc"], abs=1e-3)
    # reasons are sentences 'column: value' about real columns, with the customer's own value
    row = telco_rows()[0]
    reasons = json.loads(scores.filter(pl.col("customerID") == row["customerID"])["top_reasons"][0])
    assert reasons and all(r["reason"].startswith(f"{r['feature']}: ") and r["feature"] in row for r in reasons)
    contract = [r for r in reasons if r["feature"] == "Contract"]
    assert all(r["reason"] == f"Contract: {row['Contract']}" for r in contract)


def test_a_second_version_is_judged_against_the_champion_on_the_same_test_rows(huntred, tmp_path):
    code, out, err = huntred("ml", "train", "churn", "--table", TELCO, "--label", "Churn", "--id", "customerID",
                             "--scores-out", tmp_path / "again.parquet")
    assert code == 0, err
    client = mlflow_client()
    latest = max(client.search_model_versions(f"name='{TELCO_MODEL}'"), key=lambda v: int(v.version))
    assert str(latest.version) == "2"
    run = client.get_run(latest.run_id)
    # same table, same seed, same rows: the champion re-scored on them scores exactly what the new version does
    assert run.data.metrics["champion_roc_auc"] == pytest.approx(run.data.metrics["roc_auc"], abs=1e-12)
    assert run.data.tags["gate.champion"].startswith("failed: ties champion v1")
    assert str(client.get_model_version_by_alias(TELCO_MODEL, "champion").version) == "1"
    assert "not promoted: ties champion v1" in out


# -- the time split and unseen categories, on a table made here ----------------------------------------------
def subscriptions(n: int = 400, seed: int = 3) -> pl.DataFrame:
    """Customers who signed up over two years, in no particular row order; a plan ('legacy') that only the latest
    tenth signed up for; monthly fees written as text with five blank cells; a free-text note; ten empty labels."""
    rng = np.random.default_rng(seed)
    signup = [date(2024, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 730, n)]
    latest_tenth = sorted(signup)[int(0.9 * n)]
    plan = [("legacy" if s > latest_tenth and rng.random() < 0.5 else str(rng.choice(["basic", "pro", "enterprise"])))
            for s in signup]
    tickets = rng.poisson(2, n)
    monthly = rng.uniform(10, 100, n).round(2)
    logit = -1.2 + 0.7 * tickets - 0.02 * monthly + np.array([p == "basic" for p in plan]) * 0.9
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    label = ["churned" if c else "stayed" for c in churned]
    for i in rng.choice(n, 10, replace=False):
        label[i] = ""
    fee = [f"{m:.2f}" for m in monthly]
    for i in rng.choice(n, 5, replace=False):
        fee[i] = " "
    return pl.DataFrame({"customer": [f"c{i:04d}" for i in range(n)], "signup": [s.isoformat() for s in signup],
                         "plan": plan, "tickets": tickets, "monthly_fee": fee,
                         "note": [f"called {i} times about billing" for i in range(n)], "status": label})


def test_a_time_column_tests_on_customers_later_than_every_training_one(huntred, tmp_path):
    table = subscriptions()
    path = tmp_path / "subscriptions.parquet"  # Parquet here, CSV for Telco: both readers
    table.write_parquet(path)
    code, out, err = huntred("ml", "train", "churn", "--table", path, "--label", "status", "--id", "customer",
                             "--time-column", "signup")
    assert code == 0, err
    assert "'churned' is churn" in out and "10 without a label" in out and "5 blanks read as missing" in out, out
    assert "note (400 distinct values: free text or an identifier)" in out, out

    scores = pl.read_parquet(tmp_path / "subscriptions.scores.parquet")  # beside the table, by default
    assert scores.height == 400 and scores["churn_probability"].is_not_null().all()
    when = scores.join(table.select("customer", pl.col("signup").str.to_date(), "plan", "status"), on="customer")
    span = {part: (g["signup"].min(), g["signup"].max()) for (part,), g in when.group_by("split")}
    assert span["train"][1] < span["validation"][0] <= span["validation"][1] < span["test"][0], span
    assert when.filter(pl.col("status") == "")["split"].unique().to_list() == ["not trained on"]
    legacy = when.filter((pl.col("plan") == "legacy") & (pl.col("status") != ""))
    assert legacy.height > 5 and legacy["split"].unique().to_list() == ["test"]  # only ever among the test rows

    client = mlflow_client()
    version = client.get_model_version("huntred-churn-table-subscriptions", "1")
    params = client.get_run(version.run_id).data.params
    assert params["split"] == "time" and params["split_train_last"] < params["split_test_first"], params
    assert params["split_train_last"].startswith(span["train"][1].isoformat())
    assert params["split_test_first"].startswith(span["test"][0].isoformat())

    # the registered model learned its categories from the training rows only, and a plan it never saw is unknown
    import mlflow.sklearn

    model = mlflow.sklearn.load_model(f"models:/huntred-churn-table-subscriptions/{version.version}")
    encoding = model.calibrated_classifiers_[0].estimator.estimator.steps[0][1]
    assert [sorted(c) for c in encoding.named_transformers_["categorical"].categories_] == [["basic", "enterprise", "pro"]]
    row = {"tickets": 2.0, "monthly_fee": 50.0, "plan": "legacy"}
    frames = [pl.DataFrame([{**row, "plan": plan}]).select(model.feature_names_in_.tolist()).to_pandas()
              for plan in ("legacy", "never-sold")]
    assert model.predict_proba(frames[0])[0, 1] == model.predict_proba(frames[1])[0, 1]


def test_encodings_are_fitted_on_the_training_rows_only():
    """Fitted on train, applied to test: a test-only category is unknown to both models (no error, and the same as any
    other unseen value), and a missing number is filled with the training rows' median, not the table's."""
    from ml.churn import table as byot

    rng = np.random.default_rng(0)
    train = pl.DataFrame({"amount": rng.uniform(0, 10, 300), "colour": rng.choice(["red", "blue"], 300)})
    y = (train["amount"].to_numpy() + rng.normal(0, 2, 300) > 5).astype(int)
    test = pl.DataFrame({"amount": [1000.0, 2000.0, None], "colour": ["green", "green", "blue"]})
    plan = byot.plan_columns(pl.concat([train, test]), reserved=[])
    x_train, x_test = byot.features(train, plan), byot.features(test, plan)
    fitted = byot.fit(x_train[:200], y[:200], x_train[200:], y[200:], plan)

    baseline_steps = dict(fitted.baseline.steps)
    encoding = baseline_steps["columntransformer"]
    assert encoding.named_transformers_["numeric"].statistics_[0] == pytest.approx(np.median(train["amount"][:200]))
    assert [sorted(c) for c in encoding.named_transformers_["categorical"].categories_] == [["blue", "red"]]
    for model in (fitted.model, fitted.baseline):
        green = model.predict_proba(x_test)[:, 1]
        other = model.predict_proba(x_test.assign(colour=["violet", "violet", "blue"]))[:, 1]
        assert np.isfinite(green).all() and green[:2] == pytest.approx(other[:2], abs=0)
    unseen = byot.reasons(fitted.model, x_test.assign(amount=[1.0, 1.0, 1.0]), plan, top=2)
    shown = {r["reason"] for rows in unseen for r in rows if r["feature"] == "colour"}
    assert shown <= {"colour: green (not seen in training)", "colour: blue"}


@pytest.mark.parametrize("values, churn", [
    ([True, False, None], [1, 0, None]),
    ([0, 1, 1], [0, 1, 1]),
    ([" Yes", "No", ""], [1, 0, None]),  # spaces around a word do not make another value; a blank is no label
    (["stayed", "churned"], [0, 1]),
    (["No Churn", "Churn"], [0, 1]),  # a negation wins over the word it negates
    (["Existing Customer", "Attrited Customer"], [0, 1]),  # BankChurners' words
    (["false", "true"], [0, 1]),
])
def test_the_label_is_read_as_churn_from_what_its_words_say(values, churn):
    from ml.churn.table import code_label

    coded, _ = code_label(pl.Series("label", values))
    assert coded.to_list() == churn


def test_positive_says_which_value_is_churn_when_the_words_do_not():
    from ml.churn.table import code_label

    coded, coding = code_label(pl.Series("tier", ["gold", "silver", "gold"]), positive="silver")
    assert coded.to_list() == [0, 1, 0] and (coding.positive, coding.negative) == ("silver", "gold")


# -- refusals: exit 2, one sentence naming the column and what is wrong --------------------------------------------
def table_file(tmp_path: Path, columns: dict, name: str = "t.csv") -> Path:
    path = tmp_path / name
    pl.DataFrame(columns).write_csv(path)
    return path


def sixty(label: list, **more) -> dict:
    rng = np.random.default_rng(1)
    return {"tenure": rng.integers(1, 70, len(label)), "plan": rng.choice(["a", "b"], len(label)), **more, "churn": label}


REFUSALS = {
    "no such label column": (lambda p: ["--table", table_file(p, sixty(["Yes", "No"] * 30)), "--label", "Churned"],
                             "The table has no column 'Churned' (--label)."),
    "one class": (lambda p: ["--table", table_file(p, sixty(["No"] * 60)), "--label", "churn"],
                  "Label column 'churn' holds one value only ('No'), so there is nothing to learn."),
    "three classes": (lambda p: ["--table", table_file(p, sixty(["yes", "no", "maybe"] * 20)), "--label", "churn"],
                      "Label column 'churn' holds 3 distinct values ('maybe', 'no', 'yes'); a churn label has two."),
    "numbers other than 0/1": (lambda p: ["--table", table_file(p, sixty([1, 2] * 30)), "--label", "churn"],
                               "Label column 'churn' holds the numbers 1 and 2; a numeric label must be 0 and 1."),
    "words that say nothing": (lambda p: ["--table", table_file(p, sixty(["gold", "silver"] * 30)), "--label", "churn"],
                               "Label column 'churn' holds 'gold' and 'silver', and neither word says which one is churn."),
    "too few labelled rows": (lambda p: ["--table", table_file(p, sixty(["Yes", "No"] * 20 + [None] * 20)), "--label", "churn"],
                              "The table has 40 rows with a label in 'churn'; training needs at least 50."),
    "no usable feature": (lambda p: ["--table", table_file(p, {"email": [f"u{i}@x.mx" for i in range(60)], "same": [1] * 60,
                                                               "churn": ["Yes", "No"] * 30}), "--label", "churn"],
                          "The table has no usable feature column besides 'churn' ('email': 60 distinct values: free text "
                          "or an identifier; 'same': one value only)."),
    "a time column of words": (lambda p: ["--table", table_file(p, sixty(["Yes", "No"] * 30, signup=["2024-01-01", "soon"] * 30)),
                                           "--label", "churn", "--time-column", "signup"],
                               "Time column 'signup' holds values that are not dates or times, e.g. 'soon'."),
    "no such file": (lambda p: ["--table", p / "gone.csv", "--label", "churn"], "gone.csv does not exist."),
    "label without a table": (lambda p: ["--label", "churn"], "--label only works with --table."),
    "a table without a label": (lambda p: ["--table", table_file(p, sixty(["Yes", "No"] * 30))],
                                "--table needs --label, the column that says who churned."),
    "a table for another model": (lambda p: ["matching", "--table", table_file(p, sixty(["Yes", "No"] * 30)), "--label",
                                             "churn"], "--table trains a churn model, not 'matching'."),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_table_that_cannot_train_churn_is_refused_with_one_sentence(huntred, tmp_path, case):
    make_args, sentence = REFUSALS[case]
    args = make_args(tmp_path)
    model = [] if args[0] == "matching" else ["churn"]
    code, out, err = huntred("ml", "train", *model, *args)
    assert code == 2 and out == "", (out, err)  # refused before any work, so nothing was printed
    assert sentence in err and "Traceback" not in err, err


def test_an_existing_file_of_another_format_is_refused_by_its_name(huntred, tmp_path):
    sheet = tmp_path / "customers.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    code, _, err = huntred("ml", "train", "churn", "--table", sheet, "--label", "churn")
    assert code == 2 and "customers.xlsx is neither a CSV nor a Parquet file." in err, err
