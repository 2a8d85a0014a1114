"""The promotion gate and the status sentence, as pure functions (no MLflow, no data).

The expectations are written from the rule in docs/ml.md, not read from the code: a challenger is promoted
automatically only if it beats the champion (when there is one), beats its baseline (when the family has one) and
no group's adverse-impact ratio is below 0.80 (when the family checks it) and it ranks real postings at least as well
as its references on the team's real set (when the family checks it; an unreadable set fails); a tie beats nothing,
except on the real set, where "at least as well" is the bar.
"""
from __future__ import annotations

import itertools
import math

import pytest

from ml.promotion import decide, replaced_how, status

VALUE = 0.722
#: each condition of the gate, in each state it can be in: the input it gives the gate, and (for a failure) the
#: sentence the gate must give for it, written out by hand
CHAMPION = {"beaten": (("3", 0.700), None), "not beaten": (("3", 0.731), "loses to champion v3: roc_auc 0.7220 < 0.7310"),
            "none yet": (None, None)}
BASELINE = {"beaten": (0.690, None), "not beaten": (0.725, "loses to its baseline: roc_auc 0.7220 < 0.7250"),
            "no baseline": (None, None)}
FAIRNESS = {"fair": ({"CV language 'en'": 0.91, "gender 'female'": 1.0}, None),
            "unfair": ({"CV language 'en'": 0.69, "gender 'female'": 0.95}, "adverse impact: CV language 'en' ratio 0.69 below 0.80"),
            "no check": (None, None)}
REAL_SET = {"as good": ({"real-set ndcg_at_50 vs BM25": (0.81, 0.81), "real-set roc_auc vs its embedding alone": (0.80, 0.78)},
                        None),
            "below": ({"real-set ndcg_at_50 vs BM25": (0.70, 0.75), "real-set roc_auc vs its embedding alone": (0.80, 0.78)},
                      "ranks below on the real-set ndcg_at_50 vs BM25: 0.7000 < 0.7500"),
            "unreadable": ({}, "the real evaluation set could not be read, so ranking on real texts is unknown"),
            "no check": (None, None)}


@pytest.mark.parametrize("champion,baseline,fairness,real_set",
                         list(itertools.product(CHAMPION, BASELINE, FAIRNESS, REAL_SET)))
def test_the_gate_promotes_only_when_no_condition_fails(champion, baseline, fairness, real_set):
    (champion_in, champion_fails), (baseline_in, baseline_fails), (fairness_in, fairness_fails) = \
        CHAMPION[champion], BASELINE[baseline], FAIRNESS[fairness]
    real_in, real_fails = REAL_SET[real_set]
    expected_failures = [why for why in (champion_fails, baseline_fails, fairness_fails, real_fails) if why]

    decision = decide("roc_auc", VALUE, champion=champion_in, baseline=baseline_in, fairness=fairness_in, real_set=real_in)

    assert decision.promoted is (not expected_failures)
    assert decision.failures == expected_failures
    assert decision.summary == ("promoted: " + "; ".join(why for _, why in decision.checks.values())
                                if not expected_failures else "not promoted: " + "; ".join(expected_failures))
    # every condition is reported, passed or not, in words that name it
    said = dict(decision.checks)
    assert said["champion"][1] == {"beaten": "beats champion v3: roc_auc 0.7220 > 0.7000", "none yet": "no champion yet"
                                   }.get(champion, champion_fails)
    assert said["baseline"][1] == {"beaten": "beats its baseline: roc_auc 0.7220 > 0.6900",
                                   "no baseline": "no baseline for this family"}.get(baseline, baseline_fails)
    assert said["fairness"][1] == {"fair": "no adverse impact: lowest ratio 0.91 (CV language 'en'), at least 0.80",
                                   "no check": "no adverse-impact check for this family"}.get(fairness, fairness_fails)
    assert said["real_set"][1] == {
        "as good": "at least as good on the real set: ndcg_at_50 vs BM25 0.8100 >= 0.8100, "
                   "roc_auc vs its embedding alone 0.8000 >= 0.7800",
        "no check": "no real-set check for this family"}.get(real_set, real_fails)


def test_the_eight_cases_of_the_three_checks_are_among_those_enumerated():
    """Champion, baseline and fairness each passed or failed: 2 x 2 x 2, all in the parametrisation above."""
    eight = list(itertools.product(("beaten", "not beaten"), ("beaten", "not beaten"), ("fair", "unfair")))
    assert len(eight) == 8 and set(eight) <= set(itertools.product(CHAMPION, BASELINE, FAIRNESS))
    promoted = [case for case in eight
                if decide("roc_auc", VALUE, champion=CHAMPION[case[0]][0], baseline=BASELINE[case[1]][0],
                          fairness=FAIRNESS[case[2]][0]).promoted]
    assert promoted == [("beaten", "beaten", "fair")]


def test_a_tie_beats_nothing_and_more_decimals_show_a_small_difference():
    tie = decide("roc_auc", 0.725, champion=None, baseline=0.725, fairness=None)
    assert not tie.promoted and tie.failures == ["ties its baseline: roc_auc 0.7250 = 0.7250"]
    close = decide("roc_auc", 0.72501, champion=("2", 0.72504), baseline=None, fairness=None)
    assert close.failures == ["loses to champion v2: roc_auc 0.72501 < 0.72504"]


def test_lower_is_better_turns_the_comparison_around():
    better = decide("rmse", 0.30, champion=("1", 0.35), baseline=0.40, fairness=None, higher_is_better=False)
    assert better.promoted and better.checks["champion"][1] == "beats champion v1: rmse 0.3000 < 0.3500 (lower is better)"
    worse = decide("rmse", 0.45, champion=None, baseline=0.40, fairness=None, higher_is_better=False)
    assert worse.failures == ["loses to its baseline: rmse 0.4500 > 0.4000 (lower is better)"]


def test_four_fifths_is_the_line_every_group_below_it_is_named_and_an_unmeasured_check_fails():
    assert decide("m", 1.0, champion=None, baseline=None, fairness={"a": 0.8, "b": 1.0}).promoted  # 0.8 is not below
    two = decide("m", 1.0, champion=None, baseline=None, fairness={"gender 'female'": 0.7, "CV language 'en'": 0.6, "x": 1.0})
    assert two.failures == ["adverse impact: CV language 'en' ratio 0.60 below 0.80; "
                            "adverse impact: gender 'female' ratio 0.70 below 0.80"]
    for unmeasured in ({}, {"a": math.nan}):
        decision = decide("m", 1.0, champion=None, baseline=None, fairness=unmeasured)
        assert not decision.promoted and "could not be measured" in decision.failures[0]


def test_a_metric_that_is_not_a_number_is_never_promoted():
    assert not decide("roc_auc", math.nan, champion=None, baseline=0.5, fairness=None).promoted
    assert not decide("roc_auc", 0.7, champion=("1", math.nan), baseline=None, fairness=None).promoted


# -- the status every table shows ------------------------------------------------------------------------------------
KEPT_OUT = {"promoted": "false", "promotion_reason": "not promoted: loses to its baseline: roc_auc 0.7220 < 0.7250"}
BY_GATE = {"promoted": "true", "promotion": "automatic", "promoted_by": "the gate",
           "promotion_reason": "promoted: no champion yet; beats its baseline: roc_auc 0.7310 > 0.7250; "
                               "no adverse-impact check for this family"}
BY_HAND = {**KEPT_OUT, "promotion": "manual", "promoted_by": "dana", "promotion_reason": "baseline lead is noise"}


def test_the_status_says_what_happened_last():
    assert status(KEPT_OUT, ["challenger"]) == KEPT_OUT["promotion_reason"]
    assert status(BY_GATE, ["champion"]) == BY_GATE["promotion_reason"]
    assert status(BY_HAND, ["champion", "challenger"]) == "promoted by hand by dana: baseline lead is noise"
    lost_to_gate = {**BY_HAND, "replaced_by": "5", "replaced_how": replaced_how(False)}
    assert status(lost_to_gate, []) == "was champion (promoted by hand by dana: baseline lead is noise) until v5 passed the gate"
    lost_by_hand = {**BY_GATE, "replaced_by": "6", "replaced_how": replaced_how(True, "lee")}
    assert status(lost_by_hand, []) == "was champion (promoted by the gate) until v6 was promoted by hand by lee"
    # a registry written before reasons were asked for
    assert status({"promoted": "false", "promotion_reason": "x does not beat champion", "promoted_by": "hand"},
                  ["champion"]) == "promoted by hand, no reason recorded"
    assert status({"promoted": "true", "promotion_reason": "no champion yet"}, []) == "no longer champion (was promoted by the gate)"
    assert status({}, ["champion"]).startswith("champion without a recorded promotion")


@pytest.mark.parametrize("aliases", [["champion"], ["champion", "challenger"]])
def test_a_version_promoted_by_hand_never_shows_the_gates_old_verdict(aliases):
    shown = status(BY_HAND, aliases)
    assert "not promoted" not in shown and "loses to" not in shown and "by hand by dana" in shown
