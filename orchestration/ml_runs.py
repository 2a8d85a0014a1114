"""What a data scientist does with the models, as the CLI and the Models page do it.

Retraining runs the Dagster job ``ml_training`` (so it shows in Dagster's run
history and holds the warehouse like any run); promoting moves the ``champion``
alias and re-scores with the pipeline job, so scores always come from the champion.
"""
from __future__ import annotations

from dagster import AssetKey

from foundation.errors import UserError
from ml import tracking
from ml.families import FAMILIES, family
from orchestration.defs.ml import ANALYZERS_KEY, model_key, scores_key
from orchestration.defs.transforms import huntred_dbt_ml_assets
from orchestration.runs import RunOutcome, run_pipeline

SNAPSHOT = AssetKey(["serving", "snapshot"])


def _ml_marts() -> list[AssetKey]:
    """The dbt models over the scores: rebuilt whenever scores change."""

    return sorted(huntred_dbt_ml_assets.keys, key=lambda k: k.to_user_string())


def _checked(outcome: RunOutcome, what: str) -> RunOutcome:
    if not outcome.success:
        detail = outcome.errors[0] if outcome.errors else "a step failed"
        raise UserError(f"{what} failed: {detail}", f"Fix the cause and run again; the log is {outcome.log_file}.")
    return outcome


def retrain(names: list[str], on_event=None) -> RunOutcome:
    """Train, register and gate the named families (all if empty), re-score with the champions, publish."""

    chosen = [family(n).name for n in names] or list(FAMILIES)
    keys = [ANALYZERS_KEY, *(model_key(n) for n in chosen), *(scores_key(n) for n in chosen), *_ml_marts(), SNAPSHOT]
    return _checked(run_pipeline(keys, on_event, job_name="ml_training"), "Retraining")


def training_outcomes(run_id: str, names: list[str]) -> dict[str, dict]:
    """What each family's training step recorded in this run: trained or not (and why), version, promotion."""
    from dagster import DagsterInstance


    instance = DagsterInstance.get()
    out = {}
    for name in names:
        event = instance.get_latest_materialization_event(model_key(name))
        if event is None or event.run_id != run_id:
            out[name] = {"trained": False, "reason": "the training step did not run (see the run log)"}
            continue
        metadata = event.asset_materialization.metadata
        out[name] = {k: getattr(v, "value", v) for k, v in metadata.items()}
    return out


def rescore(names: list[str], on_event=None) -> RunOutcome:

    keys = [*(scores_key(family(n).name) for n in names), *_ml_marts(), SNAPSHOT]
    return _checked(run_pipeline(keys, on_event), "Scoring")


def promote(name: str, version: str, on_event=None) -> tuple[str | None, RunOutcome]:
    """Make a version champion by hand, then re-score with it; returns the version it replaced."""

    f = family(name)
    previous = tracking.promote(f.model_name, version)
    return previous, rescore([f.name], on_event)
