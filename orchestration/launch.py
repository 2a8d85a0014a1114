"""Every write to the warehouse is a Dagster run, and this is the one place that launches them.

The CLI, the API and the dashboard's Models page call these functions, in this process (``refresh``,
``retrain``, ``save_segment``, ``erase``...) or in a detached one (``start_in_background``, which runs this
module as ``python -m orchestration.launch <request>``). So every write shows in Dagster's run history,
holds the single-writer lock for its whole run, and a write asked for while another runs gets one answer:
``busy: run <id> is writing the warehouse`` (``foundation.errors.Busy``: 409 in the API, exit 2 in the CLI).

Dagster and the definitions are imported inside the functions: the API and the dashboard import this
module at start, and loading every asset and the dbt manifest takes seconds they need only when writing.
"""
from __future__ import annotations

import sys
from typing import Callable

import orjson

from access.erasure import ErasureReport, validate_id
from foundation import errors
from foundation.errors import UserError
from foundation.runtime import prepare_environment
from foundation.settings import Settings, get_settings
from foundation.warehouse import busy, writer_busy
from ml.aura.segments import compile_rules
from ml.families import FAMILIES, family
from orchestration.background import BackgroundRun, is_alive, start_once

OnEvent = Callable[[str, str], None] | None


def _refuse_if_busy(settings: Settings) -> None:
    """Say 'busy' before starting a run that would only fail on the lock (a race still fails as busy, in the run)."""
    holder = writer_busy(settings)
    if holder:
        raise busy(holder)


def _launch(selection=None, on_event: OnEvent = None, **kwargs):
    """One Dagster run in this process; an error of ours raised by a step comes back as itself."""
    # lazy: Dagster (about a second) only when something is written
    from orchestration.runs import run_pipeline

    _refuse_if_busy(get_settings())
    get_settings().require_engine()  # a misspelt HUNTRED_ENGINE is one sentence, before anything runs
    outcome = run_pipeline(selection, on_event, **kwargs)
    if not outcome.success and outcome.user_error:
        name, message = outcome.user_error
        raise getattr(errors, name)(message, f"(Dagster run {outcome.run_id}, log {outcome.log_file})")
    return outcome


def _checked(outcome, what: str):
    if not outcome.success:
        detail = outcome.errors[0] if outcome.errors else "a step failed"
        raise UserError(f"{what} failed: {detail}", f"Fix the cause and run again; the log is {outcome.log_file}.")
    return outcome


# -- the pipeline ---------------------------------------------------------------------------------------------------
def refresh(patterns: list[str] | None = None, *, downstream: bool = False, on_event: OnEvent = None):
    """Materialize the assets matching the patterns ('raw/stripe', 'group:marts'; all when none) and publish."""
    # lazy: resolving a selection loads the definitions
    from orchestration.runs import resolve_selection

    return _launch(resolve_selection(patterns, downstream=downstream), on_event)


def pull_stripe(*, backfill: bool = True, on_event: OnEvent = None):
    """Pull from the Stripe API (the lists not yet backfilled, then the events since the cursor), ingest, rebuild what
    depends on Stripe and publish: the job ``stripe_pull``, as its hourly schedule runs it."""
    # lazy: see refresh
    from orchestration.defs.ingestion import STRIPE_PULL_KEY
    from orchestration.runs import resolve_selection

    keys = [STRIPE_PULL_KEY, *resolve_selection(["raw/stripe"], downstream=True)]
    config = {"ops": {"pull__stripe": {"config": {"backfill": backfill}}}}  # the op of asset pull/stripe
    return _checked(_launch(keys, on_event, job_name="stripe_pull", run_config=config), "The Stripe pull")


def materialization_metadata(run_id: str, key_path: list[str]) -> dict | None:
    """What the run recorded when it materialized this asset (None if it did not)."""
    # lazy: see refresh
    from dagster import AssetKey, DagsterInstance

    event = DagsterInstance.get().get_latest_materialization_event(AssetKey(key_path))
    if event is None or event.run_id != run_id:
        return None
    return {k: getattr(v, "value", v) for k, v in event.asset_materialization.metadata.items()}


def refresh_days(first: str, last: str, *, full_refresh: bool = False, on_event: OnEvent = None):
    """Build the event-sized daily models for the days first..last (ISO dates) in one run (whole, with
    ``full_refresh``, instead of their window)."""
    config = {"ops": {"huntred_dbt_daily_assets": {"config": {"full_refresh": full_refresh}}}}
    return _launch(None, on_event, job_name="daily_activity", partition_range=(first, last), run_config=config)


def daily_partition_keys() -> list[str]:
    # lazy: the partitions are defined with the dbt assets
    from orchestration.defs.transforms import daily_partitions

    return daily_partitions.get_partition_keys()


def describe_quarantined(quarantined: dict[str, dict[str, int]]) -> str:
    # lazy: see refresh
    from orchestration.runs import describe_quarantined as describe

    return describe(quarantined)


# -- models ---------------------------------------------------------------------------------------------------------
def _ml_marts() -> list:
    """The dbt models over the scores: rebuilt whenever scores change."""
    # lazy: see refresh
    from orchestration.defs.transforms import huntred_dbt_ml_assets

    return sorted(huntred_dbt_ml_assets.keys, key=lambda k: k.to_user_string())


def retrain(names: list[str], on_event: OnEvent = None):
    """Train, register and gate the named families (all if empty), re-score with the champions, publish
    (the Dagster job ``ml_training``); a model becomes champion only if it passes the gate (ml.promotion)."""
    # lazy: see refresh
    from orchestration.defs.ml import ANALYZERS_KEY, model_key, scores_key
    from orchestration.defs.serving import SNAPSHOT_KEY

    chosen = [family(n).name for n in names] or list(FAMILIES)
    keys = [ANALYZERS_KEY, *(model_key(n) for n in chosen), *(scores_key(n) for n in chosen), *_ml_marts(), SNAPSHOT_KEY]
    return _checked(_launch(keys, on_event, job_name="ml_training"), "Retraining")


def training_outcomes(run_id: str, names: list[str]) -> dict[str, dict]:
    """What each family's training step recorded in this run: trained or not (and why), version, promotion."""
    # lazy: see refresh
    from dagster import DagsterInstance

    from orchestration.defs.ml import model_key

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


def rescore(names: list[str], on_event: OnEvent = None):
    # lazy: see refresh
    from orchestration.defs.ml import scores_key
    from orchestration.defs.serving import SNAPSHOT_KEY

    keys = [*(scores_key(family(n).name) for n in names), *_ml_marts(), SNAPSHOT_KEY]
    return _checked(_launch(keys, on_event), "Scoring")


def promote(name: str, version: str, reason: str, by: str, on_event: OnEvent = None):
    """Make a version champion by hand (an MLflow alias), recording who and why, then re-score with it; returns the
    version it replaced."""
    # lazy: MLflow
    from ml import tracking

    f = family(name)
    tracking.check_promotion_reason(reason)  # a missing reason is said at once, even while another run writes
    _refuse_if_busy(get_settings())  # before the alias moves: scores must follow it in the same breath
    previous = tracking.promote(f.model_name, version, reason=reason, by=by)
    return previous, rescore([f.name], on_event)


# -- writes between runs ----------------------------------------------------------------------------------------------
def save_segment(name: str, rules: dict, business_unit: str | None = None, on_event: OnEvent = None) -> dict:
    """Validate and store a rule segment with its members, then publish it (the Dagster job ``save_segment``)."""
    compile_rules(rules)  # a bad rule is reported at once, even while a pipeline run holds the warehouse
    config = {"ops": {"save_segment_op": {"config": {"name": name, "rules_json": orjson.dumps(rules).decode(),
                                                     "business_unit": business_unit}}}}
    outcome = _checked(_launch(None, on_event, job_name="save_segment", run_config=config,
                               outputs_of=("save_segment_op",)), "Saving the segment")
    return outcome.outputs["save_segment_op"]


def erase(candidate_ids: list[str], on_event: OnEvent = None) -> list[ErasureReport]:
    """Remove candidates everywhere (the job ``erase_candidates``), then rebuild and publish without them (the
    pipeline job, whose snapshot step deletes every older snapshot and closes the erasure)."""
    ids = [validate_id(i) for i in candidate_ids]
    config = {"ops": {"erase_candidates_op": {"config": {"candidate_ids": ids}}}}
    outcome = _checked(_launch(None, on_event, job_name="erase_candidates", run_config=config,
                               outputs_of=("erase_candidates_op",)), "The erasure")
    reports = [ErasureReport(**r) for r in outcome.outputs["erase_candidates_op"]]
    rebuild = _launch(None, on_event)
    if not rebuild.success:
        raise UserError(f"The candidates' data is removed, but the rebuild failed: {rebuild.errors[:1]}",
                        f"Run `huntred run` to rebuild and publish (log: {rebuild.log_file}).")
    return reports


# -- in the background ------------------------------------------------------------------------------------------------
#: what a background request may ask for: the functions above, by name
ACTIONS = {"refresh": refresh, "retrain": retrain, "promote": promote, "rescore": rescore}


def start_in_background(name: str, action: str, /, **arguments) -> tuple[BackgroundRun, bool]:
    """Run ``action(**arguments)`` in a detached process, once per name however many ask at the same time.
    Returns (the run, whether one of that name was already going). Positional-only, so that an action may take a
    ``name`` of its own (``promote(name=..., ...)``, the Models page's Promote button)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return start_once(get_settings(), name, {"action": action, "arguments": arguments})


def still_running(run: BackgroundRun) -> bool:
    return is_alive(run)


def _print_event(kind: str, text: str) -> None:
    print(f"{kind}: {text}", flush=True)


def main(argv: list[str]) -> int:
    """``python -m orchestration.launch '{"action": ..., "arguments": {...}}'`` (what start_in_background runs)."""
    request = orjson.loads(argv[0])
    prepare_environment()
    try:
        result = ACTIONS[request["action"]](**request["arguments"], on_event=_print_event)
    except UserError as exc:
        print(f"{exc.problem}\n{exc.fix}", file=sys.stderr)
        return 2
    outcome = result[1] if isinstance(result, tuple) else result
    print(f"run {outcome.run_id}: {'succeeded' if outcome.success else 'failed'} in {outcome.seconds:.1f} s", flush=True)
    return 0 if outcome.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
