"""Small-count suppression for anything a client receives.

A count between 1 and ``CLIENT_MIN_COUNT - 1`` could point at a person (three hires
from one campaign in one month), so it is blanked, and so is every ratio computed
from it (a ratio and its other term would give the count back). Zero stays: it
points at nobody.
"""
from __future__ import annotations

import polars as pl

from models.metrics import CLIENT_MIN_COUNT, METRICS

SUPPRESSED_NOTE = f"Counts from 1 to {CLIENT_MIN_COUNT - 1}, and ratios computed from them, are left blank."


def metric_inputs(metric_name: str) -> set[str]:
    """The column names a metric's formula reads."""
    return METRICS[metric_name].inputs


def suppress_small_counts(frame: pl.DataFrame, count_columns: list[str]) -> pl.DataFrame:
    counts = [c for c in count_columns if c in frame.columns]
    small = {c: pl.col(c).is_between(1, CLIENT_MIN_COUNT - 1) for c in counts}
    out = frame
    for name in (c for c in frame.columns if c in METRICS):
        deps = [small[d] for d in metric_inputs(name) if d in small]
        if deps:
            out = out.with_columns(pl.when(pl.any_horizontal(deps)).then(None).otherwise(pl.col(name)).alias(name))
    return out.with_columns([pl.when(cond).then(None).otherwise(pl.col(c)).alias(c) for c, cond in small.items()])
