"""Churn: features only use what was known at the cutoff; the split is by time; LightGBM beats the baseline."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from polars.testing import assert_frame_equal

from ml.churn.features import ACTIVITY_TABLE, HORIZON_DAYS, features_at, labelled_at, plan_cutoffs

CUTOFF = date(2026, 6, 1)
MARGIN = 0.01  # ROC-AUC and PR-AUC over logistic regression (measured at scale 0.1: about +0.02 and +0.04)


def test_no_feature_uses_data_from_after_the_cutoff(writer):
    before = features_at(writer, CUTOFF)
    assert before.height > 100
    # Remove everything huntRED could not have known at the cutoff: events after it, and events before it
    # that were delivered late, after it. If any feature looked past the cutoff, this would change it.
    cutoff = f"'{CUTOFF.isoformat()} 00:00:00-06:00'::TIMESTAMPTZ"
    unknown = f"occurred_at >= {cutoff} OR occurred_at::DATE + delivery_lag_days::INTEGER >= '{CUTOFF.isoformat()}'::DATE"
    # the events, and the candidates' own acts among them (the activity the features count)
    for table in ("staging.stg_ats__events", ACTIVITY_TABLE):
        writer.execute(f"DELETE FROM {table} WHERE {unknown}")
    late = writer.sql("SELECT count(*) FROM staging.stg_ats__application_stage_changes WHERE event_id NOT IN "
                      "(SELECT event_id FROM staging.stg_ats__events)").fetchall()[0][0]
    assert late > 0, "the sample must have events after the cutoff for this test to mean anything"
    for table in ("stg_ats__application_stage_changes", "stg_ats__gamification_events", "stg_ats__notification_events"):
        writer.execute(f"DELETE FROM staging.{table} WHERE event_id NOT IN (SELECT event_id FROM staging.stg_ats__events)")
    assert_frame_equal(features_at(writer, CUTOFF), before)


def test_the_label_looks_only_at_the_thirty_days_after_the_cutoff(writer):
    labelled = labelled_at(writer, CUTOFF)
    churned = set(labelled.filter(labelled["label"] == 1)["candidate_id"])
    active_after = {c for (c,) in writer.sql(
        "SELECT DISTINCT candidate_id FROM intermediate.int_candidate_activity WHERE occurred_at >= $a AND occurred_at < $b",
        params={"a": f"{CUTOFF} 00:00:00-06:00", "b": f"{CUTOFF + timedelta(days=HORIZON_DAYS)} 00:00:00-06:00"}).fetchall()}
    assert churned and not churned & active_after
    assert set(labelled["candidate_id"]) - churned <= active_after


def test_cutoffs_split_by_time_with_complete_label_windows():
    plan = plan_cutoffs(date(2025, 11, 1), date(2026, 10, 31))
    assert max(plan.train) < min(plan.validation) <= max(plan.validation) < min(plan.test)
    assert max(plan.test) + timedelta(days=HORIZON_DAYS) <= date(2026, 11, 1)
    assert plan.score == date(2026, 11, 1) and plan.train[0] >= date(2025, 12, 31)


def test_lightgbm_beats_logistic_regression_on_later_months(writer):
    from ml.churn import model

    trained = model.train(writer)
    m = trained.metrics
    assert m["roc_auc"] >= m["baseline_roc_auc"] + MARGIN
    assert m["pr_auc"] >= m["baseline_pr_auc"] + MARGIN
    assert m["brier"] <= m["baseline_brier"]  # calibrated probabilities, not just a better ranking
    assert m["lift_top_decile"] > 1.5
    assert trained.data["train_rows"] > trained.data["test_rows"] > 0
    assert set(trained.figures) == {"roc.png", "calibration.png", "importance.png"}
    importance = trained.tables["feature_importance.csv"]
    assert importance["gain"].sum() > 0 and importance["feature"][0] in model.FEATURE_NAMES


def test_scores_carry_calibrated_probabilities_and_their_top_reasons(writer):
    import orjson

    from ml.churn import model

    trained = model.train(writer)
    scores = model.score(writer, trained.model, "3")
    assert scores.height > 100 and scores["churn_probability"].is_between(0, 1).all()
    assert set(scores["risk_decile"].unique()) == set(range(1, 11))
    top = scores.sort("churn_probability", descending=True).row(0, named=True)
    reasons = orjson.loads(top["top_reasons"])
    assert reasons and all(r["contribution"] > 0 and r["feature"] in model.FEATURE_NAMES for r in reasons)
    assert top["risk_decile"] == 10


def test_client_features_only_use_stripe_events_received_before_the_cutoff(writer):
    from ml.churn.clients import features_at as client_features

    before = client_features(writer, CUTOFF)
    assert before.height > 10
    cutoff = f"'{CUTOFF.isoformat()} 00:00:00-06:00'::TIMESTAMPTZ"
    # the future, removed: later events, later cancellations, later months of MRR
    writer.execute(f"DELETE FROM staging.stg_stripe__events WHERE created_at >= {cutoff} OR received_at >= {cutoff}")
    writer.execute(f"UPDATE staging.stg_stripe__subscriptions SET canceled_at = NULL WHERE canceled_at >= {cutoff}")
    writer.execute(f"DELETE FROM marts.mart_mrr_monthly WHERE mrr_month >= date_trunc('month', {cutoff}::DATE)")
    assert_frame_equal(client_features(writer, CUTOFF), before)


def test_a_target_with_no_positive_example_is_refused_with_a_sentence(writer):
    from foundation.errors import UserError
    from ml.churn import model
    from ml.churn.features import Target

    never = Target("never_happens", "SELECT candidate_id FROM staging.stg_ats__events WHERE occurred_at < $cutoff::TIMESTAMPTZ "
                                    "AND false", positive_if_found=True)
    with pytest.raises(UserError, match="no positive examples of 'never_happens'"):
        model.train(writer, target=never)
