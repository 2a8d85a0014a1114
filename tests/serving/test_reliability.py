"""Maturity and sample size: which numbers of a selection are not yet facts."""
from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
from pypdf import PdfReader

from access import policy
from foundation.settings import get_settings
from models.metrics import METRICS, MIN_RATE_SAMPLE
from serving import reliability
from serving.reliability import Maturity, lag_days, small_sample_metrics, with_small_sample_flags
from serving.snapshot import open_current


def test_lag_is_the_nearest_rank_percentile_in_whole_days():
    assert lag_days([]) == 0
    assert lag_days([None, 3]) == 3
    # ten cases: the 9th smallest holds 90% of them; 20.2 days is 21 whole days
    assert lag_days([1, 2, 3, 4, 5, 6, 7, 8, 20.2, 99]) == 21
    assert lag_days(list(range(1, 101)), share=0.5) == 50


def test_a_period_is_maturing_until_its_end_is_older_than_the_outcome_lag():
    m = Maturity(as_of=date(2026, 10, 31), lag_days={"hires": 40, "attributed_revenue_mxn": 75,
                                                        "qualified_applications": 5})
    # hires are final up to 21 Sep, revenue up to 17 Aug, screening up to 26 Oct
    assert m.mature_until("hires") == date(2026, 9, 21)
    assert m.maturing(date(2026, 8, 17)) == set()
    august_end = m.maturing(date(2026, 8, 31))
    assert "attributed_revenue_mxn" in august_end and "roi" in august_end and "roas" in august_end
    assert "hires" not in august_end and "hire_rate" not in august_end and "cost_per_hire_mxn" not in august_end
    october = m.maturing(date(2026, 10, 31))
    assert {"hires", "hire_rate", "cost_per_hire_mxn", "qualified_applications", "qualified_rate", "roi"} <= october
    assert not october & {"reach", "clicks", "spend_mxn", "ctr", "conversion_rate", "cost_per_application_mxn"}
    assert m.note(date(2026, 7, 31)) is None and "21 Sep 2026" in m.note(date(2026, 10, 31))
    assert m.earliest_maturing_day == date(2026, 8, 18)


def test_a_rate_from_fewer_than_the_minimum_cases_is_flagged():
    assert MIN_RATE_SAMPLE == 30
    seven_offers = {"offered": 9, "offers_pending": 2, "hired": 7, "offer_acceptance_rate": 1.0,
                    "applied": 400, "applied_to_hire_rate": 7 / 400}
    assert small_sample_metrics(seven_offers) == {"offer_acceptance_rate"}
    thirty = {"offered": 31, "offers_pending": 1, "hired": 20, "offer_acceptance_rate": 20 / 30}
    assert small_sample_metrics(thirty) == set()
    # a rate without the counts it is read from cannot be judged, so it is not flagged; a missing rate neither
    assert small_sample_metrics({"offer_acceptance_rate": 1.0}) == set()
    assert small_sample_metrics({"offered": 3, "offers_pending": 0, "hired": 0, "offer_acceptance_rate": None}) == set()


def test_every_rate_with_cases_is_judged_by_them():
    """Every ratio metric whose denominator is a count is flagged on a row where that count is 1 and not at 1000."""
    for name, metric in METRICS.items():
        if metric.cases is None:
            continue
        few = {column: 1 for column in metric.inputs} | {name: 0.5}
        many = {column: 1000 for column in metric.inputs} | {name: 0.5}
        if "-" in metric.cases:  # offers decided = offered - pending
            few |= {c: 0 for c in metric.cases.split(" - ")[1:]}
            many |= {c: 0 for c in metric.cases.split(" - ")[1:]}
        assert name in small_sample_metrics(few), name
        assert name not in small_sample_metrics(many), name


def test_a_frame_gets_the_labels_of_its_small_rates():
    frame = pl.DataFrame({"channel": ["whatsapp", "linkedin"], "offered": [7, 120], "offers_pending": [0, 10],
                          "hired": [7, 80], "offer_acceptance_rate": [1.0, 80 / 110]})
    assert with_small_sample_flags(frame)["small_sample"].to_list() == ["Offer acceptance", ""]


@pytest.mark.parametrize("scope", [policy.ALL, policy.Scope(business_unit="amigro")], ids=["all", "amigro"])
def test_the_samples_recent_months_are_maturing_and_its_first_months_are_not(on_realistic, scope):
    m = reliability.maturity(open_current(get_settings()), scope)
    assert m.as_of == date(2026, 10, 31)
    assert 10 <= m.lag_days["hires"] <= 90 and m.lag_days["attributed_revenue_mxn"] > m.lag_days["hires"]
    assert "hires" in m.maturing(date(2026, 10, 31))
    assert m.maturing(date(2026, 3, 31)) == set()


def test_the_roi_report_of_a_maturing_period_leaves_its_outcomes_out_of_the_change(on_realistic):
    from serving.reports.roi import build_roi_report, roi_pdf

    snap = open_current(get_settings())
    recent = build_roi_report(snap, policy.ALL, "huntred", date(2026, 9, 1), date(2026, 10, 31))
    change = dict(zip(recent.summary["metric"], recent.summary["change"]))
    assert change["hires"] is None and change["roi"] is None and change["attributed_revenue_mxn"] is None
    assert change["applications"] is not None and change["spend_mxn"] is not None
    assert recent.notes and "still growing" in recent.notes[0]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(roi_pdf(recent))).pages)
    assert "still growing" in text.replace("\n", " ")
    settled = build_roi_report(snap, policy.ALL, "huntred", date(2026, 3, 1), date(2026, 4, 30))
    assert settled.notes == [] and dict(zip(settled.summary["metric"], settled.summary["change"]))["hires"] is not None
