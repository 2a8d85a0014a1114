"""Small helpers the pages share: the page preamble, KPI tiles, number formats, charts."""
from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from access import users
from apps import data
from apps.session import current_user
from models.enums import BUSINESS_UNIT_NAMES, CHANNEL_NAMES, BusinessUnit
from models.metrics import METRICS
from serving.analytics import Filters
from serving.reports.roi import column_kind, format_value, summary_value_kind
from serving.snapshot import Snapshot

BRAND = "#b22222"


def page_context(page_id: str, title: str, caption: str | None = None) -> tuple[Snapshot, users.User, Filters]:
    """Title, and the snapshot/user/filters every page needs. Stops the page when the user may not open it
    (the navigation hides such pages; this holds even when a page is reached another way) or there is no data."""
    user = current_user()
    if user is None or not user.may_open(page_id):
        st.error("You do not have access to this page.")
        st.stop()
    st.title(title)
    snap = data.current_snapshot()
    if snap is None:
        st.info("No data has been published yet. Run `huntred run` (or `make demo`) to build the lakehouse.")
        st.stop()
    filters: Filters = st.session_state.get("filters") or Filters()
    period = f"{filters.date_from:%Y-%m-%d} to {filters.date_to:%Y-%m-%d}" if filters.date_from else "all dates"
    who = (", ".join(BUSINESS_UNIT_NAMES[BusinessUnit(b)] for b in filters.business_units)
           if filters.business_units else user.scope.label)
    st.caption((caption + " · " if caption else "") + f"{who} · {period} · snapshot of run {snap.run_id[:8]}")
    return snap, user, filters


def compact(value, kind: str) -> str:
    """Numbers short enough for a tile: 214.5k, $3.1M, 12.6%."""
    if value is None:
        return "–"
    if kind in ("currency", "integer") and abs(value) >= 10_000:
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= limit:
                short = value / limit
                return ("$" if kind == "currency" else "") + (f"{short:,.0f}" if abs(short) >= 100 else f"{short:.1f}") + suffix
    return format_value(value, kind)


def kpi(column, label: str, metric: str, current: dict, previous: dict | None, *, invert: bool = False,
        help: str | None = None) -> None:
    """A tile with the change against the previous period of the same length (when there is one)."""
    value = current.get(metric)
    kind = summary_value_kind(metric)
    delta = None
    if previous is not None and previous.get(metric) not in (None, 0) and value is not None:
        delta = f"{(value - previous[metric]) / abs(previous[metric]):+.1%}"
    text = help or (METRICS[metric].description if metric in METRICS else None)
    if previous is not None:
        text = (text + " " if text else "") + "The change compares with the period of the same length just before."
    column.metric(label, compact(value, kind), delta, delta_color="inverse" if invert else "normal", help=text, border=True)


def channel_name(frame: pl.DataFrame, column: str = "channel") -> pl.DataFrame:
    return frame.with_columns(pl.col(column).replace_strict({c.value: n for c, n in CHANNEL_NAMES.items()},
                                                            default=pl.col(column)).alias(column + "_name"))


def table(frame: pl.DataFrame, columns: list[str] | None = None, key: str | None = None) -> None:
    """A dataframe with number formats taken from the metric definitions."""
    frame = frame.select(columns) if columns else frame
    config = {}
    for c in frame.columns:
        kind = column_kind(c)
        label = METRICS[c].label if c in METRICS else c.replace("_mxn", " (MXN)").replace("_", " ")
        if frame.schema[c] == pl.Date:
            config[c] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif frame.schema[c] == pl.Datetime or str(frame.schema[c]).startswith("Datetime"):
            config[c] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
        elif kind == "currency":
            config[c] = st.column_config.NumberColumn(label, format="$%,.0f")
        elif kind == "percent":
            config[c] = st.column_config.NumberColumn(label, format="percent")
        elif kind in ("number",):
            config[c] = st.column_config.NumberColumn(label, format="%.1f")
        elif kind == "integer" and frame.schema[c].is_numeric():
            config[c] = st.column_config.NumberColumn(label, format="localized")
        else:
            config[c] = st.column_config.Column(label)
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config, key=key)


def with_month(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """A 'month' label (YYYY-MM) for bar and heat-map axes, where a time scale would draw slivers."""
    return frame.with_columns(pl.col(column).dt.strftime("%Y-%m").alias("month"))


def chart(spec: alt.Chart) -> None:
    st.altair_chart(spec, width="stretch")


def empty_notice(frame: pl.DataFrame, what: str) -> bool:
    if frame.is_empty():
        st.info(f"No {what} for this selection. Widen the period or clear a filter.")
        return True
    return False
