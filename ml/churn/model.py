"""Churn model: LightGBM (calibrated on a later month) against a logistic-regression baseline.

Time-based split: the model learns from the earlier monthly cutoffs, is calibrated on
the next one and judged on the last two, so it is always tested on a future it has
not seen. Scores carry each candidate's top reasons: LightGBM's own TreeSHAP
contributions (``pred_contrib``), turned into sentences.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import polars as pl

from ml.churn.features import CHURN, FEATURES, CutoffPlan, Target, data_range, features_at, labelled_at, plan_cutoffs
from ml.evaluation import calibration_figure, classification_metrics, importance_figure, roc_figure
from ml.tracking import TrainedModel, frame_fingerprint

FAMILY = "churn"
MODEL_NAME = "huntred-churn"
PRIMARY_METRIC = "roc_auc"
FEATURE_NAMES = list(FEATURES)
# Small trees, many samples per leaf: a few thousand rows per month at scale 0.1 (chosen on the validation month).
DEFAULT_PARAMS = {"n_estimators": 200, "learning_rate": 0.03, "num_leaves": 7, "min_child_samples": 50,
                  "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8, "reg_lambda": 1.0}


@dataclass
class ChurnData:
    plan: CutoffPlan
    train: pl.DataFrame
    validation: pl.DataFrame
    test: pl.DataFrame


def matrix(frame: pl.DataFrame) -> np.ndarray:
    return frame.select(pl.col(FEATURE_NAMES).cast(pl.Float64)).to_numpy()


def load_data(con: duckdb.DuckDBPyConnection, target: Target = CHURN) -> ChurnData:
    plan = plan_cutoffs(*data_range(con))
    stack = lambda days: pl.concat([labelled_at(con, d, target) for d in days])  # noqa: E731
    return ChurnData(plan, stack(plan.train), stack(plan.validation), stack(plan.test))


def fit_baseline(data: ChurnData):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(matrix(data.train), data.train["label"].to_numpy())


def fit_lightgbm(data: ChurnData, params: dict):
    """LightGBM on the training months, then Platt-calibrated on the validation month."""
    from lightgbm import LGBMClassifier
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    booster = LGBMClassifier(**params, random_state=7, verbose=-1, n_jobs=2)
    booster.fit(pl.DataFrame(matrix(data.train), schema=FEATURE_NAMES).to_pandas(), data.train["label"].to_numpy())
    calibrated = CalibratedClassifierCV(FrozenEstimator(booster), method="sigmoid")
    calibrated.fit(_frame(matrix(data.validation)), data.validation["label"].to_numpy())
    return calibrated


def _frame(x: np.ndarray):
    """LightGBM remembers feature names: give it a frame with them (pandas, which sklearn passes through)."""
    return pl.DataFrame(x, schema=FEATURE_NAMES, orient="row").to_pandas()


def predict(model, frame: pl.DataFrame) -> np.ndarray:
    return model.predict_proba(_frame(matrix(frame)))[:, 1]


def inner_booster(model):
    """The LightGBM model inside the calibrated wrapper (for importance and contributions)."""
    est = model.calibrated_classifiers_[0].estimator
    return getattr(est, "estimator", est)


def train(con: duckdb.DuckDBPyConnection, landing_dir=None, params: dict | None = None,
          target: Target = CHURN) -> TrainedModel:
    """LightGBM and the baseline on the same months; metrics of both on the test months."""
    params = {**DEFAULT_PARAMS, **(params or {})}
    data = load_data(con, target)
    y_test = data.test["label"].to_numpy()
    baseline = fit_baseline(data)
    model = fit_lightgbm(data, params)
    p_base = baseline.predict_proba(matrix(data.test))[:, 1]
    p_model = predict(model, data.test)
    metrics = classification_metrics(y_test, p_model)
    metrics.update({f"baseline_{k}": v for k, v in classification_metrics(y_test, p_base).items()})
    booster = inner_booster(model)
    gain = dict(zip(FEATURE_NAMES, booster.booster_.feature_importance("gain").round(2).tolist()))
    curves = {"LightGBM (calibrated)": (y_test, p_model), "logistic regression": (y_test, p_base)}
    importance = pl.DataFrame({"feature": list(gain), "gain": list(gain.values()),
                               "meaning": [FEATURES[f] for f in gain]}).sort("gain", descending=True)
    return TrainedModel(
        model=model, metrics=metrics, features=FEATURE_NAMES,
        params={**params, "cutoffs_train": [d.isoformat() for d in data.plan.train],
                "cutoffs_validation": [d.isoformat() for d in data.plan.validation],
                "cutoffs_test": [d.isoformat() for d in data.plan.test], "calibration": "sigmoid on the validation month",
                "baseline": "StandardScaler + LogisticRegression", "target": target.name},
        data=frame_fingerprint(train=data.train, validation=data.validation, test=data.test),
        evaluate=lambda other: classification_metrics(y_test, predict(other, data.test)),
        figures={"roc.png": roc_figure(curves), "calibration.png": calibration_figure(curves),
                 "importance.png": importance_figure(gain)},
        tables={"feature_importance.csv": importance},
        input_example=_frame(matrix(data.test.head(3))),
    )


def reasons(model, frame: pl.DataFrame, top: int = 3) -> list[list[dict]]:
    """Per row, the features that push its churn probability up most (TreeSHAP contributions, log-odds)."""
    x = matrix(frame)
    contrib = inner_booster(model).booster_.predict(x, pred_contrib=True)[:, :-1]  # last column: the bias
    out = []
    for row, values in zip(contrib, x):
        order = np.argsort(-row)[:top]
        out.append([{"feature": FEATURE_NAMES[i], "value": float(values[i]), "contribution": round(float(row[i]), 4),
                     "reason": f"{FEATURES[FEATURE_NAMES[i]]}: {values[i]:g}"} for i in order if row[i] > 0])
    return out


def scoring_cutoff(con: duckdb.DuckDBPyConnection) -> date:
    """The day after the newest event: scores look at the 30 days that follow the data."""
    return date.fromordinal(data_range(con)[1].toordinal() + 1)


def score(con: duckdb.DuckDBPyConnection, model, version: str, cutoff: date | None = None) -> pl.DataFrame:
    """Churn probability of every candidate active in the 30 days before the cutoff (default: after the newest data)."""
    frame = features_at(con, cutoff or scoring_cutoff(con))
    if frame.is_empty():
        return pl.DataFrame()
    p = predict(model, frame)
    return frame.select("candidate_id", "business_unit", "cutoff").with_columns(
        churn_probability=pl.Series(p.round(5)),
        risk_decile=pl.Series(10 - (pl.Series(p).rank("ordinal", descending=True) - 1) * 10 // len(p)).cast(pl.Int8),
        top_reasons=pl.Series([_json(r) for r in reasons(model, frame)]),
        model_version=pl.lit(version),
    )


def _json(value) -> str:
    import orjson

    return orjson.dumps(value).decode()
