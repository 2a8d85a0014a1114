"""When a newly trained model may replace the champion by itself, and what every table says about a version.

Two pure functions, no MLflow: ``decide`` is the automatic gate (ml.tracking.register records its verdict
as tags), ``status`` turns the tags a version carries into the one sentence the CLI, the Models page and the
API show, so a manual promotion or a lost alias is never hidden behind the gate's verdict at training time.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

#: the four-fifths rule: a group selected at less than 80% of the best group's rate is adverse impact
FOUR_FIFTHS = 0.8

#: the gate's conditions, in the order they are reported (also the MLflow tags ``gate.<condition>``)
CONDITIONS = ("champion", "baseline", "fairness", "real_set")


@dataclass(frozen=True)
class Decision:
    promoted: bool
    checks: dict[str, tuple[bool, str]]  # condition -> (passed, its verdict in plain words)

    @property
    def failures(self) -> list[str]:
        return [why for passed, why in self.checks.values() if not passed]

    @property
    def summary(self) -> str:
        """'promoted: <every verdict>' or 'not promoted: <every failed condition>'."""
        if self.promoted:
            return "promoted: " + "; ".join(why for _, why in self.checks.values())
        return "not promoted: " + "; ".join(self.failures)


def decide(metric: str, value: float, *, champion: tuple[str, float] | None, baseline: float | None,
           fairness: Mapping[str, float] | None, real_set: Mapping[str, tuple[float, float]] | None = None,
           higher_is_better: bool = True) -> Decision:
    """The automatic gate. A challenger is promoted only if it beats the champion (re-scored on the same held-out
    data; no champion yet passes), beats its own baseline (same data; a family without a baseline passes) and no
    group's adverse-impact ratio is below four fifths (a family without the check passes; a family with it whose
    ratios could not be measured does not), and it ranks at least as well as its references on the team's real set
    (a family without the check passes; one whose real set could not be read does not). A tie beats nothing, except
    on the real set, where "at least as well" is the bar.

    champion: (version, its value of ``metric`` on this run's held-out data), or None when there is none yet.
    baseline: the baseline's value of ``metric`` in this run, or None when the family has no baseline.
    fairness: who (e.g. "CV language 'en'") -> selection-rate ratio to the best group, or None without a check.
    real_set: "<metric> vs <reference>" -> (the challenger's value, the reference's), higher is better; None without
    a check, {} when the family has it but the set could not be read.
    """
    checks: dict[str, tuple[bool, str]] = {}
    if champion is None:
        checks["champion"] = (True, "no champion yet")
    else:
        version, champion_value = champion
        checks["champion"] = _against(f"champion v{version}", metric, value, champion_value, higher_is_better)
    if baseline is None:
        checks["baseline"] = (True, "no baseline for this family")
    else:
        checks["baseline"] = _against("its baseline", metric, value, baseline, higher_is_better)
    checks["fairness"] = _four_fifths(fairness)
    checks["real_set"] = _real_set(real_set)
    return Decision(all(passed for passed, _ in checks.values()), checks)


def _against(whom: str, metric: str, value: float, other: float, higher_is_better: bool) -> tuple[bool, str]:
    a, b = _pair(value, other)
    if math.isnan(value) or math.isnan(other):
        return False, f"cannot be compared with {whom}: {metric} {a} vs {b}"
    if value == other:
        return False, f"ties {whom}: {metric} {a} = {b}"
    better = value > other if higher_is_better else value < other
    sign = ">" if value > other else "<"
    lower = "" if higher_is_better else " (lower is better)"
    return better, f"{'beats' if better else 'loses to'} {whom}: {metric} {a} {sign} {b}{lower}"


def _four_fifths(fairness: Mapping[str, float] | None) -> tuple[bool, str]:
    if fairness is None:
        return True, "no adverse-impact check for this family"
    measured = {who: r for who, r in fairness.items() if r is not None and math.isfinite(r)}
    if not measured:
        return False, "adverse impact could not be measured (no group was selected among the qualified)"
    below = sorted((r, who) for who, r in measured.items() if r < FOUR_FIFTHS)
    if below:
        return False, "; ".join(f"adverse impact: {who} ratio {r:.2f} below {FOUR_FIFTHS:.2f}" for r, who in below)
    lowest, who = min((r, who) for who, r in measured.items())
    return True, f"no adverse impact: lowest ratio {lowest:.2f} ({who}), at least {FOUR_FIFTHS:.2f}"


def _real_set(comparisons: Mapping[str, tuple[float, float]] | None) -> tuple[bool, str]:
    if comparisons is None:
        return True, "no real-set check for this family"
    if not comparisons:
        return False, "the real evaluation set could not be read, so ranking on real texts is unknown"
    below = [(what, v, ref) for what, (v, ref) in comparisons.items() if not (v >= ref)]  # NaN fails too
    if below:
        return False, "; ".join(f"ranks below on the {what}: {_pair(v, ref)[0]} < {_pair(v, ref)[1]}" for what, v, ref in below)
    return True, "at least as good on the real set: " + ", ".join(
        f"{what.removeprefix('real-set ')} {_pair(v, ref)[0]} >= {_pair(v, ref)[1]}" for what, (v, ref) in comparisons.items())


def _pair(a: float, b: float) -> tuple[str, str]:
    """Both numbers with 4 decimals, or as many more (up to 8) as it takes to show they differ."""
    for places in range(4, 9):
        shown = f"{a:.{places}f}", f"{b:.{places}f}"
        if shown[0] != shown[1] or a == b:
            return shown
    return shown


# -- what a version's tags say --------------------------------------------------------------------------------------
def status(tags: Mapping[str, str], aliases: list[str] | tuple[str, ...]) -> str:
    """The promotion status of a version, from its MLflow version tags (written by ml.tracking) and its aliases.

    The latest event wins: a manual promotion replaces the gate's verdict; a champion that lost the alias says
    so and who took it; a version the gate kept out says why.
    """
    if "champion" in aliases:
        return _how_it_became_champion(tags) or "champion without a recorded promotion (the alias was set outside huntred)"
    became = _how_it_became_champion(tags, briefly=True)
    if tags.get("replaced_by"):
        return f"was champion ({became or 'promotion not recorded'}) until v{tags['replaced_by']} " \
               f"{tags.get('replaced_how') or 'took the alias'}"
    if became:  # promoted once, not champion now, and the hand-over was not recorded (a registry older than this)
        return f"no longer champion (was {became})"
    return tags.get("promotion_reason") or "not promoted (no verdict recorded)"


def _how_it_became_champion(tags: Mapping[str, str], briefly: bool = False) -> str | None:
    if tags.get("promotion") == "manual":
        return f"promoted by hand by {tags.get('promoted_by') or 'someone'}: {tags.get('promotion_reason') or 'no reason given'}"
    if tags.get("promoted_by") == "hand":  # the one tag a manual promotion wrote before reasons were asked for
        return "promoted by hand, no reason recorded"
    if tags.get("promotion") == "automatic" or tags.get("promoted") == "true":
        return "promoted by the gate" if briefly else (tags.get("promotion_reason") or "promoted by the gate")
    return None


def replaced_how(by_hand: bool, who: str | None = None) -> str:
    """How a champion lost its alias, completing 'was champion (...) until vN <this>'."""
    return f"was promoted by hand by {who}" if by_hand else "passed the gate"
