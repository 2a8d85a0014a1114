"""When a number can be read as a fact: the maturity of a period's outcomes, and the sample a rate is read from.

* **Maturity.** Hires count on the day their candidate applied and fees when they are paid, so the outcomes of recent
  applications are still arriving: October's hires are not "down 51%", they have not happened yet. A period's
  outcome (hires, attributed revenue, and every metric reading them) is *maturing* while it ends later than the
  snapshot's newest day minus the time within which 90% of that outcome arrives in the data (from the marts: days
  from application to hire, to the fee being paid). A maturing outcome is shown, marked, and left out of
  period-over-period changes.
* **Sample size.** A rate read from fewer than ``MIN_RATE_SAMPLE`` cases (its denominator: offers decided,
  applications, deliveries, ...) is flagged wherever it is shown.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from access.policy import Scope
from models.metrics import METRICS, MIN_RATE_SAMPLE
from serving.analytics import where
from serving.snapshot import Snapshot, snapshot_cached

#: Additive columns that keep growing after the day they are counted on, and where to read, for each case, the days it
#: took to arrive (counted from the application, the day it is credited to): (marts query, its scope's table alias).
OUTCOME_LAGS: dict[str, tuple[str, str]] = {
    "qualified_applications": ("SELECT date_diff('day', a.applied_at, a.screened_at) FROM marts.fct_applications a "
                               "WHERE a.screened_at IS NOT NULL", "a"),
    "hires": ("SELECT a.days_to_hire FROM marts.fct_applications a WHERE a.hired_at IS NOT NULL", "a"),
    "hired": ("SELECT a.days_to_hire FROM marts.fct_applications a WHERE a.hired_at IS NOT NULL", "a"),
    "attributed_revenue_mxn": ("SELECT date_diff('day', a.applied_date, p.paid_date) FROM marts.fct_placements p "
                               "JOIN marts.fct_applications a ON a.application_id = p.application_id "
                               "WHERE p.paid_date IS NOT NULL", "p"),
}
#: The share of an outcome that must have arrived for its period to count as mature.
MATURE_SHARE = 0.9


@dataclass(frozen=True)
class Maturity:
    as_of: date  # the newest day of campaign data in the snapshot
    lag_days: dict[str, int]  # outcome column -> days within which MATURE_SHARE of its cases arrive

    def mature_until(self, column: str) -> date:
        """The last day whose `column` is (MATURE_SHARE) final."""
        return self.as_of - timedelta(days=self.lag_days.get(column, 0))

    def maturing(self, period_end: date | None) -> set[str]:
        """The outcome columns, and the metrics reading them, not yet final for a period ending on `period_end`."""
        end = period_end or self.as_of
        columns = {c for c in self.lag_days if end > self.mature_until(c)}
        return columns | {m.name for m in METRICS.values() if m.inputs & columns}

    @property
    def earliest_maturing_day(self) -> date:
        """From this day on, some outcome of a period is still arriving."""
        return min(self.mature_until(c) for c in self.lag_days) + timedelta(days=1)

    def note(self, period_end: date | None) -> str | None:
        """One sentence for a page or report whose period is still maturing, else None."""
        maturing = self.maturing(period_end)
        if not maturing & set(self.lag_days):
            return None
        hires, revenue = self.lag_days.get("hires", 0), self.lag_days.get("attributed_revenue_mxn", 0)
        return (f"The period ends after {self.mature_until('hires'):%d %b %Y}: applications this recent have not "
                f"had time to become hires (90% of hires come within {hires} days of applying) or paid fees (within "
                f"{revenue} days), so hires, revenue and the rates and ROI read from them are still growing and are "
                "left out of the change against the previous period.")


def lag_days(values: list[float | int | None], share: float = MATURE_SHARE) -> int:
    """Whole days within which `share` of the cases arrived (0 when there are none): the nearest-rank percentile."""
    days = sorted(v for v in values if v is not None)
    if not days:
        return 0
    return math.ceil(days[max(0, math.ceil(share * len(days)) - 1)])


@snapshot_cached
def maturity(snap: Snapshot, scope: Scope) -> Maturity:
    """The maturity of outcomes as the scope's own cases show it (a BU's hiring pace is its own)."""
    cur = snap.cursor()
    (as_of,), = cur.sql("SELECT max(metric_date) FROM marts.fct_campaign_channel_daily").fetchall()
    lags = {}
    for column, (sql, alias) in OUTCOME_LAGS.items():
        w = where(scope, None, bu_column=f"{alias}.business_unit", client_column=f"{alias}.client_id")
        scoped = sql + "".join(f" AND {clause}" for clause in w.clauses)
        lags[column] = lag_days([v for (v,) in cur.sql(scoped, params=w.params or None).fetchall()])
    return Maturity(as_of or date.today(), lags)


def small_sample_metrics(row: dict) -> set[str]:
    """The rates of a row (a KPI dict or a table row) read from fewer than MIN_RATE_SAMPLE cases."""
    out = set()
    for name, metric in METRICS.items():
        if name in row and row[name] is not None and metric.cases and metric.inputs <= set(row):
            cases = eval_cases(metric.cases, row)
            if cases is not None and cases < MIN_RATE_SAMPLE:
                out.add(name)
    return out


def eval_cases(expression: str, row: dict) -> float | None:
    """A denominator expression (column names joined by + and -) on a row; None when a column is missing."""
    total, sign = 0.0, 1
    for token in expression.split():
        if token in "+-":
            sign = 1 if token == "+" else -1
        elif row.get(token) is None:
            return None
        else:
            total += sign * float(row[token])
    return total


def with_small_sample_flags(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with a `small_sample` column: the labels of its rates read from too few cases, joined ("" if none)."""
    flags = [", ".join(METRICS[m].label for m in sorted(small_sample_metrics(row))) for row in frame.iter_rows(named=True)]
    return frame.with_columns(pl.Series("small_sample", flags, dtype=pl.String))
