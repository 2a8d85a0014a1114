"""Every model family in one table: how it trains, what it is judged on, how it scores.

``train_family`` trains, logs and registers (promotion gated by ml.promotion: beats the champion,
beats the family's baseline, no adverse impact where the family measures it);
``score_family`` loads ``@champion`` and writes its scores to the ``ml`` schema.
The CLI, the Dagster assets and the Models page all go through these two.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb
import polars as pl

from foundation.errors import UserError
from ml import tracking
from ml.aura import clustering, matching, propensity
from ml.churn import model as churn
from ml.churn.clients import CLIENT_CHURN, CLIENTS
from ml.churn.clients import PARAMS as CLIENT_PARAMS
from ml.store import replace_rows


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Family:
    name: str  # what the CLI and Dagster call it
    experiment: str  # MLflow experiment: huntred-<experiment>
    primary_metric: str
    #: the metrics of the plain baselines trained beside the model on the same data (empty: the family has none);
    #: a model that does not beat the strongest of them is never promoted automatically
    baseline_metrics: tuple[str, ...]
    description: str
    train: Callable  # (con, landing_dir, params) -> TrainedModel
    write_scores: Callable  # (con, model, version) -> rows written
    requirements: tuple[str, ...] = ("scikit-learn", "numpy", "pandas")
    higher_is_better: bool = True

    def baseline_of(self, metrics: dict[str, float]) -> tuple[str, float] | None:
        """The strongest of the family's baselines in a run's metrics: (its metric, its value); None without one."""
        logged = [(name, metrics[name]) for name in self.baseline_metrics if name in metrics]
        if not logged:
            return None
        return (max if self.higher_is_better else min)(logged, key=lambda pair: pair[1])

    @property
    def model_name(self) -> str:
        """The registered model: huntred-<family>."""
        return f"huntred-{self.name}"


def _write_churn(con, model, version) -> int:
    scores = churn.score(con, model, version)
    return replace_rows(con, "churn_scores", scores.with_columns(scored_at=pl.lit(_now()))) if scores.height else 0


def _train_client_churn(con, landing_dir=None, params=None):
    return churn.train(con, landing_dir, {**CLIENT_PARAMS, **(params or {})}, target=CLIENT_CHURN, features=CLIENTS)


def _write_client_churn(con, model, version) -> int:
    scores = churn.score(con, model, version, features=CLIENTS)
    return replace_rows(con, "client_churn_scores", scores.with_columns(scored_at=pl.lit(_now()))) if scores.height else 0


def _write_matches(con, model, version) -> int:
    return replace_rows(con, "match_scores", matching.score(con, model, version).with_columns(scored_at=pl.lit(_now())))


def _write_clusters(con, model, version) -> int:
    clusters, members = clustering.score(con, model, version)
    replace_rows(con, "clusters", clusters)
    return replace_rows(con, "candidate_clusters", members)


def _write_propensity(objective: str):
    def write(con, model, version) -> int:
        scores = propensity.score(objective)(con, model, version)
        if scores.is_empty():
            return 0
        return replace_rows(con, "propensity_scores", scores.with_columns(scored_at=pl.lit(_now())),
                            where="objective = $o", params={"o": objective})
    return write


def _now():

    return datetime.now(timezone.utc)


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("churn", "churn", churn.PRIMARY_METRIC, (f"baseline_{churn.PRIMARY_METRIC}",),
           "Candidates going inactive in the next 30 days: calibrated LightGBM vs logistic regression.",
           churn.train, _write_churn, ("scikit-learn", "lightgbm", "numpy", "pandas")),
    Family("client-churn", "churn", churn.PRIMARY_METRIC, (f"baseline_{churn.PRIMARY_METRIC}",),
           "Clients (Stripe subscribers) cancelling in the next 30 days: calibrated LightGBM vs logistic regression.",
           _train_client_churn, _write_client_churn, ("scikit-learn", "lightgbm", "numpy", "pandas")),
    Family("matching", "matching", matching.PRIMARY_METRIC,
           (f"baseline_tfidf_{matching.PRIMARY_METRIC}", f"baseline_bm25_{matching.PRIMARY_METRIC}"),
           "Candidate-vacancy match: embeddings, canonical skills, experience, location; vs TF-IDF and BM25, "
           "and judged on real postings.",
           matching.train, _write_matches),
    Family("clusters", "segments", clustering.PRIMARY_METRIC, (),
           "Talent clusters over CV embeddings and structured features, named by their skills.",
           clustering.train, _write_clusters),
    *(Family(f"propensity-{o.replace('_', '-')}", "propensity", churn.PRIMARY_METRIC, (f"baseline_{churn.PRIMARY_METRIC}",),
             f"Propensity to {o.replace('_', ' ')} in the next 30 days: calibrated LightGBM vs logistic regression.",
             propensity.train(o), _write_propensity(o), ("scikit-learn", "lightgbm", "numpy", "pandas"))
      for o in propensity.OBJECTIVES),
)}


def family(name: str) -> Family:
    found = FAMILIES.get(name) or FAMILIES.get(name.removeprefix("huntred-"))
    if found is None:
        raise UserError(f"There is no model called '{name}'.", f"Use one of: {', '.join(FAMILIES)}.")
    return found


def train_family(name: str, con: duckdb.DuckDBPyConnection, landing_dir: Path | None, params: dict | None = None,
                 tags: dict[str, str] | None = None) -> tracking.RegistrationOutcome:
    f = family(name)
    trained = f.train(con, landing_dir, params)
    log.info(f"registering {f.model_name} in MLflow, judged against its champion and baseline on the same held-out data…")
    return tracking.register(f.experiment, f.model_name, trained, primary_metric=f.primary_metric,
                             higher_is_better=f.higher_is_better, baseline_metric=f.baseline_of,
                             requirements=tracking.pip_requirements(*f.requirements), tags=tags)


def score_family(name: str, con: duckdb.DuckDBPyConnection) -> tuple[str | None, int]:
    """Score with the champion; (None, 0) when no model has been promoted yet."""
    f = family(name)
    model, version = tracking.load_champion(f.model_name)
    if model is None:
        return None, 0
    return version, f.write_scores(con, model, version)
