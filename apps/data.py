"""Cached reads for the dashboard: every query goes through huntred.serving, keyed on the snapshot."""
from __future__ import annotations

import polars as pl
import streamlit as st

from huntred import serving
from huntred.errors import UserError
from huntred.settings import get_settings


def current_snapshot() -> serving.Snapshot | None:
    try:
        return serving.open_current(get_settings())
    except UserError:
        return None


# Cached per snapshot file: a new snapshot (new name) is a cache miss, so pages refresh after each run.
@st.cache_data(show_spinner=False, max_entries=8)
def source_status(snapshot_name: str) -> pl.DataFrame:
    return serving.source_status(serving.open_current(get_settings()))


@st.cache_data(show_spinner=False, max_entries=8)
def quarantine_summary(snapshot_name: str) -> pl.DataFrame:
    return serving.quarantine_summary(serving.open_current(get_settings()))


@st.cache_data(show_spinner=False, max_entries=32)
def quarantine_records(snapshot_name: str, source: str | None, reason: str | None) -> pl.DataFrame:
    return serving.quarantine_records(serving.open_current(get_settings()), source=source, reason=reason, limit=200)


@st.cache_data(show_spinner=False, max_entries=8)
def table_counts(snapshot_name: str) -> pl.DataFrame:
    return serving.table_counts(serving.open_current(get_settings()))
