"""Churn model: LightGBM (calibrated on a later month) against a logistic-regression baseline.

Time-based split: the model learns from the earlier monthly cutoffs, is calibrated on
the next one and judged on the last two, so it is always tested on a future it has
not seen. Scores carry each entity's top reasons: LightGBM's own TreeSHAP
contributions (``pred_contrib``), turned into sentences.

The same machinery serves candidates (``CANDIDATES``, engagement features), clients
(``ml.churn.clients.CLIENTS``, Stripe features) and the propensity targets.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import orjson
import polars as pl

from foundation.errors import UserError
from ml.churn.features import CANDIDATES, CHURN, CutoffPlan, FeatureSet, Target, plan_cutoffs
from ml.evaluation import calibration_figure, classification_metrics, importance_figure, roc_figure
from ml.tracking import TrainedModel, frame_fingerprint

PRIMARY_METRIC = "roc_auc"
FEATURE_NAMES = CANDIDATES.names
# Small trees, many samples per leaf: a few thousand rows per month at scale 0.1 (chosen on the validation month).
DEFAULT_PARAMS = {"n_estimators": 200, "learning_rate": 0.03, "num_leaves": 7, "min_child_samples": 50,
                  "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8, "reg_lambda": 1.0}


@dataclass
class ChurnData:
    plan: CutoffPlan
    train: pl.DataFrame
    validation: pl.DataFrame
    test: pl.DataFrame


def matrix(frame: pl.DataFrame, names: list[str] = FEATURE_NAMES) -> np.ndarray:
    return frame.select(pl.col(names).cast(pl.Float64)).to_numpy()


def _frame(x: np.ndarray, names: list[str]):
    """LightGBM remembers feature names: give it a frame with them (pandas, which sklearn passes through)."""
    return pl.DataFrame(x, schema=names, orient="row").to_pandas()


log = logging.getLogger(__name__)


def load_data(con: duckdb.DuckDBPyConnection, target: Target = CHURN, features: FeatureSet = CANDIDATES) -> ChurnData:
    plan = plan_cutoffs(*features.data_range(con))
    stack = lambda days: pl.concat([features.labelled_at(con, d, target) for d in days])  # noqa: E731
    return ChurnData(plan, stack(plan.train), stack(plan.validation), stack(plan.test))


def fit_baseline(data: ChurnData, names: list[str] = FEATURE_NAMES):
    return fit_logistic(matrix(data.train, names), data.train["label"].to_numpy())


def fit_logistic(x, y: np.ndarray, prepare=None):
    """The baseline: standardised features into a logistic regression. `prepare` (a transformer fitted with it, on
    the same training rows) first turns a table's columns into numbers, e.g. one-hot categories."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    steps = ([] if prepare is None else [prepare]) + [StandardScaler(), LogisticRegression(max_iter=2000)]
    return make_pipeline(*steps).fit(x, y)


def fit_lightgbm(data: ChurnData, params: dict, names: list[str] = FEATURE_NAMES):
    """LightGBM on the training months, then Platt-calibrated on the validation month."""
    return fit_calibrated_lightgbm(_frame(matrix(data.train, names), names), data.train["label"].to_numpy(),
                                   _frame(matrix(data.validation, names), names), data.validation["label"].to_numpy(),
                                   params)


def fit_calibrated_lightgbm(x_train, y_train: np.ndarray, x_validation, y_validation: np.ndarray, params: dict,
                            prepare=None, categorical: list[str] | None = None):
    """LightGBM fitted on the training rows, then Platt-calibrated (sigmoid) on the validation rows, which it never
    trained on. `prepare` (fitted on the training rows only, with the booster) turns a table's columns into
    numbers; `categorical` names its outputs LightGBM splits on as categories rather than as numbers."""
    from lightgbm import LGBMClassifier
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import make_pipeline

    booster = LGBMClassifier(**params, random_state=7, verbose=-1, n_jobs=2)
    if prepare is None:
        estimator = booster.fit(x_train, y_train)
    else:
        estimator = make_pipeline(prepare, booster)
        estimator.fit(x_train, y_train, lgbmclassifier__categorical_feature=categorical or "auto")
    calibrated = CalibratedClassifierCV(FrozenEstimator(estimator), method="sigmoid")
    calibrated.fit(x_validation, y_validation)
    return calibrated


def predict(model, frame: pl.DataFrame, names: list[str] = FEATURE_NAMES) -> np.ndarray:
    return model.predict_proba(_frame(matrix(frame, names), names))[:, 1]


def inner_booster(model):
    """The LightGBM model inside the calibrated wrapper (for importance and contributions), past the steps that
    prepare a table's columns when there are some."""
    est = model.calibrated_classifiers_[0].estimator
    est = getattr(est, "estimator", est)
    return est.steps[-1][1] if hasattr(est, "steps") else est


@dataclass
class Judgement:
    """The model and its baseline on the same test rows: metrics of both, the plots and the importance table."""

    metrics: dict[str, float]
    figures: dict
    importance: pl.DataFrame


def judge(y_test: np.ndarray, p_model: np.ndarray, p_baseline: np.ndarray, gain: dict[str, float],
          meanings: dict[str, str]) -> Judgement:
    """Metrics of the model and (as `baseline_*`) of the baseline, ROC and calibration curves of both, and the
    model's gain per feature (`meanings`: what each feature is, for the importance table)."""
    metrics = classification_metrics(y_test, p_model)
    metrics.update({f"baseline_{k}": v for k, v in classification_metrics(y_test, p_baseline).items()})
    curves = {"LightGBM (calibrated)": (y_test, p_model), "logistic regression": (y_test, p_baseline)}
    importance = pl.DataFrame({"feature": list(gain), "gain": list(gain.values()),
                               "meaning": [meanings[f] for f in gain]}).sort("gain", descending=True)
    figures = {"roc.png": roc_figure(curves), "calibration.png": calibration_figure(curves),
               "importance.png": importance_figure(gain)}
    return Judgement(metrics, figures, importance)


def train(con: duckdb.DuckDBPyConnection, landing_dir=None, params: dict | None = None,
          target: Target = CHURN, features: FeatureSet = CANDIDATES) -> TrainedModel:
    """LightGBM and the baseline on the same months; metrics of both on the test months."""
    params = {**DEFAULT_PARAMS, **(params or {})}
    names = features.names
    log.info(f"building each {features.entity}'s features at monthly cutoffs (label: {target.name})…")
    data = load_data(con, target, features)
    y_test = data.test["label"].to_numpy()
    for part, frame in (("training", data.train), ("validation", data.validation), ("test", data.test)):
        if frame["label"].n_unique() < 2:

            raise UserError(f"The {part} months have no {'positive' if frame['label'].sum() == 0 else 'negative'} "
                            f"examples of '{target.name}' among {frame.height} {features.entity}s.",
                            "Train on more data (a larger sample or more months) before this model can be judged.")
    log.info(f"fitting LightGBM and a logistic baseline on {data.train.height:,} {features.entity}-months "
             f"({len(data.plan.train)} cutoffs)…")
    baseline = fit_baseline(data, names)
    model = fit_lightgbm(data, params, names)
    p_base = baseline.predict_proba(matrix(data.test, names))[:, 1]
    p_model = predict(model, data.test, names)
    gain = dict(zip(names, inner_booster(model).booster_.feature_importance("gain").round(2).tolist()))
    judged = judge(y_test, p_model, p_base, gain, features.features)
    return TrainedModel(
        model=model, metrics=judged.metrics, features=names,
        params={**params, "cutoffs_train": [d.isoformat() for d in data.plan.train],
                "cutoffs_validation": [d.isoformat() for d in data.plan.validation],
                "cutoffs_test": [d.isoformat() for d in data.plan.test], "calibration": "sigmoid on the validation month",
                "baseline": "StandardScaler + LogisticRegression", "target": target.name, "entity": features.entity},
        data=frame_fingerprint(train=data.train, validation=data.validation, test=data.test),
        evaluate=lambda other: classification_metrics(y_test, predict(other, data.test, names)),
        figures=judged.figures, tables={"feature_importance.csv": judged.importance},
        input_example=_frame(matrix(data.test.head(3), names), names),
    )


def reasons(model, frame: pl.DataFrame, features: FeatureSet = CANDIDATES, top: int = 3) -> list[list[dict]]:
    """Per row, the features that push its probability up most (TreeSHAP contributions, log-odds)."""
    names = features.names
    x = matrix(frame, names)
    contrib = inner_booster(model).booster_.predict(x, pred_contrib=True)[:, :-1]  # last column: the bias
    out = []
    for row, values in zip(contrib, x):
        order = np.argsort(-row)[:top]
        out.append([{"feature": names[i], "value": float(values[i]), "contribution": round(float(row[i]), 4),
                     "reason": f"{features.features[names[i]]}: {values[i]:g}"} for i in order if row[i] > 0])
    return out


def scoring_cutoff(con: duckdb.DuckDBPyConnection, features: FeatureSet = CANDIDATES) -> date:
    """The day after the newest data: scores look at the 30 days that follow it."""
    return date.fromordinal(features.data_range(con)[1].toordinal() + 1)


def score(con: duckdb.DuckDBPyConnection, model, version: str, cutoff: date | None = None,
          features: FeatureSet = CANDIDATES) -> pl.DataFrame:
    """Churn probability of every entity scored at the cutoff (default: the day after the newest data)."""
    frame = features.features_at(con, cutoff or scoring_cutoff(con, features))
    if frame.is_empty():
        return pl.DataFrame()
    p = predict(model, frame, features.names)
    keep = [c for c in (features.id_column, "client_id", "business_unit", "cutoff") if c in frame.columns]
    return frame.select(keep).with_columns(
        churn_probability=pl.Series(p.round(5)),
        risk_decile=pl.Series(10 - (pl.Series(p).rank("ordinal", descending=True) - 1) * 10 // len(p)).cast(pl.Int8),
        top_reasons=pl.Series([_json(r) for r in reasons(model, frame, features)]),
        model_version=pl.lit(version),
    )


def _json(value) -> str:

    return orjson.dumps(value).decode()
