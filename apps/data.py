"""Cached reads for the dashboard: every query goes through serving.snapshot / serving.analytics.

Results are cached per snapshot file name: a new snapshot (new name) is a cache miss,
so pages refresh after each pipeline run without serving numbers of two runs at once.
"""
from __future__ import annotations

import polars as pl
import streamlit as st

from access import policy
from foundation.errors import UserError
from foundation.settings import get_settings
from ml import tracking
from serving import analytics, ml_scores, reliability, snapshot, status


def current_snapshot() -> snapshot.Snapshot | None:
    try:
        return snapshot.open_current(get_settings())
    except UserError:
        return None


@st.cache_data(show_spinner=False, max_entries=512)
def query(snapshot_name: str, name: str, scope: policy.Scope, filters: analytics.Filters | None, *args):
    """``serving.analytics.<name>(snapshot, scope, filters, *args)`` (lists in args must be tuples, to be hashable)."""
    fn = getattr(analytics, name)
    args = [list(a) if isinstance(a, tuple) else a for a in args]
    snap = snapshot.open_current(get_settings())
    return fn(snap, scope, filters, *args) if filters is not None else fn(snap, scope, *args)


@st.cache_data(show_spinner=False, max_entries=64)
def maturity(snapshot_name: str, scope: policy.Scope) -> reliability.Maturity:
    """How long the scope's hires and fees take to arrive: which outcomes of a period are still maturing."""
    return reliability.maturity(snapshot.open_current(get_settings()), scope)


@st.cache_data(show_spinner=False, max_entries=8)
def data_range(snapshot_name: str):
    """First and last day of campaign data: the bounds of the period filter."""
    return analytics.data_range(snapshot.open_current(get_settings()))


@st.cache_data(show_spinner=False, max_entries=8)
def source_status(snapshot_name: str) -> pl.DataFrame:
    return status.source_status(snapshot.open_current(get_settings()))


@st.cache_data(show_spinner=False, max_entries=8)
def quarantine_summary(snapshot_name: str) -> pl.DataFrame:
    return status.quarantine_summary(snapshot.open_current(get_settings()))


@st.cache_data(show_spinner=False, max_entries=32)
def quarantine_records(snapshot_name: str, source: str | None, reason: str | None, reveal_pii: bool) -> pl.DataFrame:
    """reveal_pii is part of the cache key: the cache is shared by every session, an admin's clear rows must
    never be served to an analyst."""
    settings = get_settings()
    key = settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else None
    return status.quarantine_records(snapshot.open_current(settings), source=source, reason=reason, limit=200,
                                      reveal_pii=reveal_pii, pii_key=key)


@st.cache_data(show_spinner=False, max_entries=8)
def table_counts(snapshot_name: str) -> pl.DataFrame:
    return status.table_counts(snapshot.open_current(get_settings()))


# -- models (MLflow registry and the ml schema) -------------------------------------------------
@st.cache_data(show_spinner=False, ttl=15, max_entries=16)
def model_versions(model_name: str) -> list[dict]:
    """Registered versions with metrics and aliases (short TTL: the registry changes outside snapshots)."""

    return tracking.versions(model_name)


@st.cache_data(show_spinner=False, ttl=300, max_entries=64)
def run_artifacts(run_id: str) -> dict[str, bytes]:
    """The plots (PNG) and tables (CSV) a training run logged (a run never changes once logged)."""

    return tracking.run_artifacts(run_id)


@st.cache_data(show_spinner=False, max_entries=64)
def ml_read(snapshot_name: str, name: str, *args) -> pl.DataFrame:
    """``serving.ml_scores.<name>(snapshot, *args)`` as a frame (the ml schema: scores, segments, analyzers)."""

    result = getattr(ml_scores, name)(snapshot.open_current(get_settings()), *args)
    return result if isinstance(result, pl.DataFrame) else pl.DataFrame(result)
