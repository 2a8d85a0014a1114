"""Tables the ML layer writes (schema ``ml``): analyzer runs and results, embeddings, scores.

Names follow the seed where it names them: ``analyzers`` / ``analyzer_results``
(seed 3.4), ``segments`` / ``segment_members`` (seed 3.2's aura_segments /
aura_scores). Every table is published in the serving snapshot except the
embedding cache, which only the writer needs.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class MlTable:
    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    description: str
    published: bool = True

    @property
    def qualified(self) -> str:
        return f"ml.{self.name}"

    def ddl(self) -> str:
        cols = ",\n  ".join(f'"{n}" {t}' for n, t in self.columns)
        return f"CREATE TABLE IF NOT EXISTS {self.qualified} (\n  {cols},\n  PRIMARY KEY ({', '.join(self.key)})\n)"


def embedding_key(text: str, model_id: str) -> str:
    """The key of a text's cached embedding (``ml.embeddings.content_hash``): the cache is keyed by content, so
    whoever must find a text's embedding (the model, an erasure) computes the same key from the text."""
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()


ML_TABLES: dict[str, MlTable] = {t.name: t for t in (
    MlTable("embeddings", (
        ("content_hash", "VARCHAR NOT NULL"), ("model", "VARCHAR NOT NULL"), ("chunks", "INTEGER NOT NULL"),
        ("vector", "FLOAT[384] NOT NULL"), ("created_at", "TIMESTAMPTZ NOT NULL"),
    ), ("content_hash",), "Embedding cache: sha256(model, text) -> unit vector (mean of its chunks).", published=False),
    MlTable("analyzers", (
        ("analyzer_id", "INTEGER NOT NULL"), ("name", "VARCHAR NOT NULL"), ("type", "VARCHAR NOT NULL"),
        ("version", "VARCHAR NOT NULL"), ("description", "VARCHAR NOT NULL"), ("config_json", "JSON"),
        ("last_run", "TIMESTAMPTZ"), ("last_run_id", "VARCHAR"),
    ), ("analyzer_id",), "The analyzers, their versions and when each last ran."),
    MlTable("analyzer_runs", (
        ("run_id", "VARCHAR NOT NULL"), ("analyzer_id", "INTEGER NOT NULL"), ("version", "VARCHAR NOT NULL"),
        ("started_at", "TIMESTAMPTZ NOT NULL"), ("finished_at", "TIMESTAMPTZ NOT NULL"), ("entities", "INTEGER NOT NULL"),
        ("metrics_json", "JSON"),
    ), ("run_id", "analyzer_id"), "Every run of every analyzer, with what it measured (e.g. skill precision/recall)."),
    MlTable("analyzer_results", (
        ("analyzer_id", "INTEGER NOT NULL"), ("entity_type", "VARCHAR NOT NULL"), ("entity_id", "VARCHAR NOT NULL"),
        ("score", "DOUBLE"), ("output_json", "JSON NOT NULL"), ("run_id", "VARCHAR NOT NULL"),
        ("created_at", "TIMESTAMPTZ NOT NULL"),
    ), ("analyzer_id", "entity_type", "entity_id"), "The latest result of each analyzer for each entity."),
    MlTable("candidate_profiles", (
        ("candidate_id", "VARCHAR NOT NULL"), ("job_title", "VARCHAR"), ("skills", "VARCHAR[] NOT NULL"),
        ("years_experience", "INTEGER"), ("seniority", "VARCHAR"), ("education_level", "VARCHAR"),
        ("languages", "VARCHAR[] NOT NULL"), ("english_level", "VARCHAR"), ("state", "VARCHAR"), ("city", "VARCHAR"),
        ("cv_language", "VARCHAR"), ("cv_confidence", "DOUBLE NOT NULL"), ("completeness", "DOUBLE NOT NULL"),
        ("analyzed_at", "TIMESTAMPTZ NOT NULL"),
    ), ("candidate_id",), "What the CV analyzer read in each scraped candidate's CV: the candidate mart segments query."),
    MlTable("match_scores", (
        ("vacancy_id", "VARCHAR NOT NULL"), ("candidate_id", "VARCHAR NOT NULL"), ("score", "DOUBLE NOT NULL"),
        ("similarity", "DOUBLE NOT NULL"), ("skill_coverage", "DOUBLE NOT NULL"), ("experience_fit", "DOUBLE NOT NULL"),
        ("location_match", "DOUBLE NOT NULL"), ("rank_for_vacancy", "INTEGER NOT NULL"),
        ("rank_for_candidate", "INTEGER NOT NULL"), ("model_version", "VARCHAR NOT NULL"), ("scored_at", "TIMESTAMPTZ NOT NULL"),
    ), ("vacancy_id", "candidate_id"), "Top 50 candidates of each vacancy and top 10 vacancies of each candidate."),
    MlTable("segments", (
        ("segment_id", "VARCHAR NOT NULL"), ("name", "VARCHAR NOT NULL"), ("rules_json", "JSON NOT NULL"),
        ("business_unit", "VARCHAR"), ("sql_where", "VARCHAR NOT NULL"), ("members", "INTEGER NOT NULL"),
        ("created_at", "TIMESTAMPTZ NOT NULL"),
    ), ("segment_id",), "Rule segments (seed aura_segments): JSON rules compiled to SQL over candidate_profiles."),
    MlTable("segment_members", (
        ("segment_id", "VARCHAR NOT NULL"), ("candidate_id", "VARCHAR NOT NULL"), ("score", "DOUBLE NOT NULL"),
        ("updated_at", "TIMESTAMPTZ NOT NULL"),
    ), ("segment_id", "candidate_id"), "Members of each segment (seed aura_scores): score = share of the rules' skills held."),
    MlTable("clusters", (
        ("cluster_id", "INTEGER NOT NULL"), ("name", "VARCHAR NOT NULL"), ("description", "VARCHAR NOT NULL"),
        ("size", "INTEGER NOT NULL"), ("top_skills", "VARCHAR[] NOT NULL"), ("median_years", "DOUBLE"),
        ("model_version", "VARCHAR NOT NULL"),
    ), ("cluster_id",), "Talent clusters (embeddings + structured features), named by their skills and seniority."),
    MlTable("candidate_clusters", (
        ("candidate_id", "VARCHAR NOT NULL"), ("cluster_id", "INTEGER NOT NULL"), ("model_version", "VARCHAR NOT NULL"),
    ), ("candidate_id",), "The cluster of each profiled candidate."),
    MlTable("churn_scores", (
        ("candidate_id", "VARCHAR NOT NULL"), ("business_unit", "VARCHAR"), ("cutoff", "DATE NOT NULL"),
        ("churn_probability", "DOUBLE NOT NULL"), ("risk_decile", "TINYINT NOT NULL"), ("top_reasons", "JSON NOT NULL"),
        ("model_version", "VARCHAR NOT NULL"), ("scored_at", "TIMESTAMPTZ NOT NULL"),
    ), ("candidate_id",), "Probability that each recently active candidate goes inactive in the next 30 days."),
    MlTable("client_churn_scores", (
        ("customer_id", "VARCHAR NOT NULL"), ("client_id", "VARCHAR"), ("business_unit", "VARCHAR"),
        ("cutoff", "DATE NOT NULL"), ("churn_probability", "DOUBLE NOT NULL"), ("risk_decile", "TINYINT NOT NULL"),
        ("top_reasons", "JSON NOT NULL"), ("model_version", "VARCHAR NOT NULL"), ("scored_at", "TIMESTAMPTZ NOT NULL"),
    ), ("customer_id",), "Probability that each subscribed client (Stripe customer) cancels in the next 30 days."),
    MlTable("propensity_scores", (
        ("candidate_id", "VARCHAR NOT NULL"), ("objective", "VARCHAR NOT NULL"), ("business_unit", "VARCHAR"),
        ("probability", "DOUBLE NOT NULL"), ("model_version", "VARCHAR NOT NULL"), ("scored_at", "TIMESTAMPTZ NOT NULL"),
    ), ("candidate_id", "objective"), "Probability that a candidate acts on a campaign objective in the next 30 days."),
)}

ML_DDL: tuple[str, ...] = ("CREATE SCHEMA IF NOT EXISTS ml", *(t.ddl() for t in ML_TABLES.values()))
UNPUBLISHED = tuple(t.qualified for t in ML_TABLES.values() if not t.published)
