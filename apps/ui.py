"""Small helpers the pages share: the page preamble, KPI tiles, number formats, charts."""
from __future__ import annotations

import altair as alt
import orjson
import polars as pl
import streamlit as st

from access import users
from apps import data
from apps.session import current_user
from models.labels import BUSINESS_UNIT_LABELS, MISSING, column_label, value_labels
from models.metrics import METRICS, MIN_RATE_SAMPLE
from serving.analytics import Filters
from serving.reliability import small_sample_metrics, with_small_sample_flags
from serving.reports.roi import column_kind, summary_value_kind
from serving.reports.roi import format_value as _written
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
    who = (", ".join(BUSINESS_UNIT_LABELS[b] for b in filters.business_units)
           if filters.business_units else user.scope.label)
    st.caption((caption + " · " if caption else "") + f"{who} · {period} · snapshot of run {snap.run_id[:8]}")
    return snap, user, filters


def format_value(value, kind: str) -> str:
    """A number as the reports write it ($1,234, 12.6%, 3.4); a dash where there is none."""
    return MISSING if value is None or (isinstance(value, float) and value != value) else _written(value, kind)


def compact(value, kind: str) -> str:
    """Numbers short enough for a tile: 214.5k, $3.1M, 12.6%."""
    if value is None:
        return MISSING
    if kind in ("currency", "integer") and abs(value) >= 10_000:
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= limit:
                short = value / limit
                return ("$" if kind == "currency" else "") + (f"{short:,.0f}" if abs(short) >= 100 else f"{short:.1f}") + suffix
    return format_value(value, kind)


def kpi(column, label: str, metric: str, current: dict, previous: dict | None, *, invert: bool = False,
        help: str | None = None, maturing: frozenset[str] | set[str] = frozenset()) -> None:
    """A tile with the change against the previous period of the same length (when there is one). An outcome still
    maturing in this period (``serving.reliability``) shows no change, and a rate read from too few cases says so."""
    value = current.get(metric)
    kind = summary_value_kind(metric)
    delta = None
    text = help or (METRICS[metric].description if metric in METRICS else None)
    if metric in maturing:
        label += " · maturing"
        text = (text + " " if text else "") + ("Still growing: recent applications have not all become hires and "
                                               "paid fees yet, so no change against the previous period is shown.")
    elif previous is not None and previous.get(metric) not in (None, 0) and value is not None:
        delta = f"{(value - previous[metric]) / abs(previous[metric]):+.1%}"
        text = (text + " " if text else "") + "The change compares with the period of the same length just before."
    if metric in small_sample_metrics(current):
        label += " · small sample"
        text = (text + " " if text else "") + f"Read from fewer than {MIN_RATE_SAMPLE} cases: not yet a fact."
    column.metric(label, compact(value, kind), delta, delta_color="inverse" if invert else "normal", help=text, border=True)


def sample_flags(frame: pl.DataFrame) -> pl.DataFrame:
    """A table with a last column naming its rates read from fewer than MIN_RATE_SAMPLE cases ("—" for none)."""
    flagged = with_small_sample_flags(frame)
    return flagged.with_columns(pl.col("small_sample").replace("", None))


#: Shares and probabilities that are not ratios of models.metrics, and expected counts (sums of probabilities: one
#: decimal, never 459.117).
PERCENT_COLUMNS = frozenset({"high_risk_share", "mean_churn_probability", "churn_probability", "propensity_apply",
                             "propensity_retargeting_response", "pass_through"})
ONE_DECIMAL_COLUMNS = frozenset({"expected_churners", "mean_intent_score", "median_days", "p90_days"})


def kind_of(column: str) -> str:
    """How a column's numbers are written: currency, percent, number (one decimal), integer or text."""
    if column in PERCENT_COLUMNS:
        return "percent"
    return "number" if column in ONE_DECIMAL_COLUMNS else column_kind(column)


def labelled(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column of codes (BUs, channels, phases, stages, models, ...) as the labels people read."""
    coded = {c: value_labels(c) for c in frame.columns if frame.schema[c] == pl.String and value_labels(c)}
    return frame.with_columns(pl.col(c).replace(labels) for c, labels in coded.items()) if coded else frame


def _cells(frame: pl.DataFrame) -> pl.DataFrame:
    """Labels for codes, and a dash where a value is missing: a column with gaps becomes formatted text, since a
    table would show an empty number as None."""
    frame = labelled(frame)
    nested = [c for c in frame.columns if isinstance(frame.schema[c], (pl.Struct, pl.List, pl.Object))]
    frame = frame.with_columns(  # JSON a model logged (rules, configuration, metrics), as text
        pl.col(c).map_elements(lambda v: MISSING if v is None else orjson.dumps(v, default=str).decode(),
                               return_dtype=pl.String, skip_nulls=False) for c in nested)
    gaps = [c for c in frame.columns if frame[c].null_count() or (frame.schema[c].is_float() and frame[c].is_nan().any())]
    return frame.with_columns(
        pl.col(c).fill_null(MISSING) if frame.schema[c] == pl.String else
        pl.col(c).map_elements(lambda v, kind=kind_of(c), dtype=frame.schema[c]: _text(v, kind, dtype),
                               return_dtype=pl.String, skip_nulls=False)
        for c in gaps)


def _text(value, kind: str, dtype) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return MISSING
    if dtype == pl.Date:
        return f"{value:%Y-%m-%d}"
    if isinstance(dtype, pl.Datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if kind == "percent":  # as the table writes its percentages: 12.5%, 100%
        return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"
    return format_value(value, kind if kind != "text" else "integer" if dtype.is_numeric() else "text")


def table(frame: pl.DataFrame, columns: list[str] | None = None, key: str | None = None, *,
          decimals: int | None = None, **options) -> None:
    """A dataframe as people read it: headers and codes labelled (models.labels), number formats taken from the
    metric definitions, a dash for a missing value. ``decimals`` writes every other float with that many places
    (model metrics: 0.7237 and 0.7126 are not both "0.7")."""
    frame = _cells(frame.select(columns) if columns else frame)
    config = {}
    for c in frame.columns:
        kind, dtype, label = kind_of(c), frame.schema[c], column_label(c)
        if dtype == pl.String or not (dtype.is_numeric() or dtype.is_temporal()):
            config[c] = st.column_config.Column(label)
        elif dtype == pl.Date:
            config[c] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif isinstance(dtype, pl.Datetime):
            config[c] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
        elif kind == "currency":
            config[c] = st.column_config.NumberColumn(label, format="$%,.0f")
        elif kind == "percent":
            config[c] = st.column_config.NumberColumn(label, format="percent")
        elif decimals is not None and dtype.is_float():
            config[c] = st.column_config.NumberColumn(label, format=f"%.{decimals}f")
        elif kind == "number" or dtype.is_float():
            config[c] = st.column_config.NumberColumn(label, format="%.1f")
        else:
            config[c] = st.column_config.NumberColumn(label, format="localized")
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config, key=key, **options)


def formatted_by_metric(frame: pl.DataFrame, columns: list[str], metric_column: str = "metric") -> pl.DataFrame:
    """Columns holding values of different metrics (an alert's value and threshold), each written as its row's metric
    is (a conversion rate as a percentage, a cost in pesos)."""
    return frame.with_columns(
        pl.struct(metric_column, c).map_elements(lambda row, c=c: format_value(row[c], kind_of(row[metric_column])),
                                                 return_dtype=pl.String).alias(c)
        for c in columns)


def tip(field: str, format: str | None = None, title: str | None = None) -> alt.Tooltip:
    """A tooltip line titled with the column's label (a bare field name would show its code)."""
    return alt.Tooltip(field, title=title or column_label(field.split(":")[0]), **({"format": format} if format else {}))


def rows_axis(**axis) -> alt.Axis:
    """A y axis of categories that labels every row (Vega-Lite drops labels that would overlap)."""
    return alt.Axis(labelOverlap=False, labelLimit=320, **axis)


#: Height of one row of a bar chart, heat map or timeline: enough for its label, so none is dropped.
ROW = alt.Step(22)


def funnel_steps(steps: list[tuple[str, int | None]]) -> pl.DataFrame:
    """Each step of a funnel with its share of the step before (the pass-through) and a label saying both."""
    people = [int(n or 0) for _, n in steps]
    rates = [None, *(b / a if a else None for a, b in zip(people, people[1:]))]
    text = [f"{n:,}" + ("" if r is None else f" · {r:.1%} of {steps[i - 1][0].lower()}") for i, (n, r)
            in enumerate(zip(people, rates))]
    return pl.DataFrame({"step": [s for s, _ in steps], "people": people, "pass_through": rates, "text": text,
                         "order": list(range(len(steps)))},
                        schema_overrides={"pass_through": pl.Float64})


def funnel_chart(steps: pl.DataFrame) -> alt.LayerChart:
    """A funnel on a linear scale (a log scale hides how much each step loses), each bar labelled with its count and
    pass-through from the step before."""
    base = alt.Chart(steps).encode(y=alt.Y("step:N", sort=alt.SortField("order"), title=None, axis=rows_axis()))
    bars = base.mark_bar(color=BRAND).encode(
        x=alt.X("people:Q", title="people", scale=alt.Scale(type="linear")),
        tooltip=[tip("step", title="Step"), tip("people:Q", ",", "People"),
                 tip("pass_through:Q", ".1%", "From the step before")])
    text = base.mark_text(align="left", dx=4, color="#333").encode(x=alt.X("people:Q"), text=alt.Text("text:N"))
    return (bars + text).properties(height=ROW)


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
