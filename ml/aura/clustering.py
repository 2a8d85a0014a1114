"""Talent clusters: KMeans over CV embeddings (reduced by PCA) and structured features, named and described.

The number of clusters is chosen by silhouette (4-10, computed on the same scaled
space every run uses, so runs and versions compare). Each cluster is named by the
skills most over-represented in it and its typical seniority.
"""
from __future__ import annotations

import logging
from collections import Counter

import duckdb
import numpy as np
import polars as pl

from foundation.errors import UserError
from ml.analyzers.taxonomy import load_taxonomy
from ml.aura.embeddings import embed
from ml.aura.signals import skill_matrix
from ml.tracking import TrainedModel, frame_fingerprint

PRIMARY_METRIC = "silhouette"
K_RANGE = range(4, 11)
log = logging.getLogger(__name__)


def load(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, np.ndarray]:
    profiles = con.sql("""SELECT p.candidate_id, p.skills, p.years_experience, p.state, p.seniority, v.cv_text
                          FROM ml.candidate_profiles p JOIN staging.stg_scraped__cvs v USING (candidate_id)
                          ORDER BY candidate_id""").pl()
    if profiles.height < 20:
        raise UserError(f"Only {profiles.height} profiled candidates: too few to cluster.", "Ingest more scraped candidates.")
    vectors, _ = embed(con, profiles["cv_text"].to_list())
    skills = skill_matrix(profiles["skills"].to_list(), {s: i for i, s in enumerate(load_taxonomy().labels)})
    years = np.log1p(profiles["years_experience"].fill_null(0).to_numpy().astype(np.float32))[:, None]
    return profiles, np.hstack([vectors, skills, years]).astype(np.float32)


def build_model(k: int, dims: int):
    """Scale-free pipeline: PCA of the 384 embedding dims to 16, skills and log-years scaled, then KMeans."""
    from sklearn.cluster import KMeans
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    embedding, structured = list(range(384)), list(range(384, dims))
    features = ColumnTransformer([("embedding", PCA(n_components=16, random_state=7), embedding),
                                  ("structured", StandardScaler(), structured)])
    return Pipeline([("features", features), ("kmeans", KMeans(n_clusters=k, n_init=10, random_state=7))])


SILHOUETTE_SAMPLE = 5000  # silhouette is quadratic in points: beyond this, a fixed random sample estimates it


def silhouette(space: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import silhouette_score

    return float(silhouette_score(space, labels, sample_size=min(len(labels), SILHOUETTE_SAMPLE), random_state=7))


def comparison_space(x: np.ndarray) -> np.ndarray:
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit_transform(x)


def train(con: duckdb.DuckDBPyConnection, landing_dir=None, params: dict | None = None) -> TrainedModel:
    profiles, x = load(con)
    space = comparison_space(x)
    fixed_k = (params or {}).get("k")
    scores = {}
    ks = [int(fixed_k)] if fixed_k else [k for k in K_RANGE if k < profiles.height // 5]
    log.info(f"clustering {profiles.height:,} candidates, k = {ks[0]}..{ks[-1]} compared by silhouette…" if len(ks) > 1
             else f"clustering {profiles.height:,} candidates into {ks[0]} clusters…")
    for k in ks:
        labels = build_model(k, x.shape[1]).fit_predict(x)
        scores[k] = silhouette(space, labels)
        log.info(f"k = {k}: silhouette {scores[k]:.3f}")
    best = max(scores, key=scores.get)
    model = build_model(best, x.shape[1]).fit(x)
    labels = model.predict(x)
    named = describe(profiles, labels)
    return TrainedModel(
        model=model, metrics={"silhouette": silhouette(space, labels), "clusters": float(best),
                              **{f"silhouette_k{k}": v for k, v in scores.items()}},
        params={"k": best, "k_tried": sorted(scores), "pca_components": 16, "features": "embedding PCA16 + skills + log years"},
        features=["embedding(384→PCA16)", *load_taxonomy().labels, "log1p_years"],
        data=frame_fingerprint(profiles=profiles.drop("cv_text")),
        evaluate=lambda other: {"silhouette": silhouette(space, other.predict(x))},
        tables={"clusters.csv": named.with_columns(pl.col("top_skills").list.join(", "))},
        input_example=x[:2],
    )


SENIORITY_WORDS = {"junior": "junior", "mid": "mid-level", "senior": "senior", "executive": "executive"}


def describe(profiles: pl.DataFrame, labels: np.ndarray) -> pl.DataFrame:
    """Name each cluster by its most over-represented skills (lift against all candidates) and typical seniority."""
    overall = Counter(s for skills in profiles["skills"].to_list() for s in skills)
    n_all = profiles.height
    rows = []
    for cluster in sorted(set(labels.tolist())):
        part = profiles.filter(pl.Series(labels == cluster))
        counts = Counter(s for skills in part["skills"].to_list() for s in skills)
        lift = {s: (c / part.height) / (overall[s] / n_all) * min(1.0, c / max(3, part.height * 0.2)) for s, c in counts.items()}
        top = [s for s, _ in sorted(lift.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
        seniority = Counter(part["seniority"].drop_nulls().to_list()).most_common(1)
        level = SENIORITY_WORDS.get(seniority[0][0], "") if seniority else ""
        median_years = float(part["years_experience"].median() or 0)
        states = Counter(part["state"].drop_nulls().to_list()).most_common(2)
        rows.append({
            "cluster_id": int(cluster), "name": f"{' · '.join(top) or 'General'} ({level or 'mixed'})",
            "description": (f"{part.height} candidates, median {median_years:g} years of experience, mostly "
                            f"{level or 'mixed seniority'}; strongest in {', '.join(top) or 'no single skill'}; "
                            f"most in {', '.join(s for s, _ in states) or 'unknown places'}."),
            "size": part.height, "top_skills": top, "median_years": median_years,
        })
    return pl.DataFrame(rows, schema_overrides={"top_skills": pl.List(pl.String)})


def score(con: duckdb.DuckDBPyConnection, model, version: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    profiles, x = load(con)
    labels = model.predict(x)
    clusters = describe(profiles, labels).with_columns(model_version=pl.lit(version))
    members = pl.DataFrame({"candidate_id": profiles["candidate_id"], "cluster_id": labels.astype(np.int32)}) \
        .with_columns(model_version=pl.lit(version))
    return clusters, members
