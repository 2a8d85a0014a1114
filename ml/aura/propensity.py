"""Propensity per campaign objective: will a recently active candidate apply, or respond to retargeting, in 30 days?

The same point-in-time engagement features and time-based split as churn
(``ml.churn``), other targets; one registered model per objective.
"""
from __future__ import annotations

import duckdb
import polars as pl

from ml.churn import model as classifier
from ml.churn.features import Target, features_at

_WINDOW = "occurred_at >= $cutoff::TIMESTAMPTZ AND occurred_at < $cutoff::TIMESTAMPTZ + INTERVAL 30 DAY"
OBJECTIVES: dict[str, Target] = {
    "apply": Target("applied", f"""SELECT DISTINCT candidate_id FROM staging.stg_ats__application_stage_changes
                                   WHERE to_stage = 'applied' AND {_WINDOW.replace('occurred_at', 'changed_at')}""", True),
    "retargeting_response": Target("responded_to_retargeting", f"""
        SELECT DISTINCT recipient_id AS candidate_id FROM staging.stg_ats__notification_events
        WHERE template_id = 'tpl_retargeting' AND status IN ('opened', 'clicked') AND {_WINDOW}""", True),
}


def train(objective: str):
    def _train(con: duckdb.DuckDBPyConnection, landing_dir=None, params: dict | None = None):
        return classifier.train(con, landing_dir, params, target=OBJECTIVES[objective])
    return _train


def score(objective: str):
    def _score(con: duckdb.DuckDBPyConnection, model, version: str) -> pl.DataFrame:
        frame = features_at(con, classifier.scoring_cutoff(con))
        if frame.is_empty():
            return pl.DataFrame()
        return frame.select("candidate_id", "business_unit").with_columns(
            objective=pl.lit(objective), probability=pl.Series(classifier.predict(model, frame).round(5)),
            model_version=pl.lit(version))
    return _score
