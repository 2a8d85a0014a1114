"""ML assets: analyzers and scores in every pipeline run; training (with gated promotion) weekly or on demand.

Training and scoring run inside a run that holds the warehouse, so they read the
same tables dbt just built and write scores back (schema ``ml``) before the
snapshot is published. Scoring always loads the registry's ``@champion``; with no
champion yet it records that and writes nothing.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from foundation.errors import UserError
from ml.analyzers.runs import run_analyzers
from ml.aura.segments import refresh_all
from ml.families import FAMILIES, score_family, train_family
from orchestration.resources import WarehouseResource

TRAINING_GROUP, SCORING_GROUP = "ml_training", "ml_scoring"
ANALYZERS_KEY = AssetKey(["ml", "analyzers"])
#: the dbt models features are read from (candidates' events, CVs, vacancies, Stripe, MRR)
STAGING_INPUTS = [AssetKey(["staging", name]) for name in (
    "stg_scraped__candidates", "stg_scraped__cvs", "stg_ats__vacancies", "stg_ats__events",
    "stg_ats__application_stage_changes", "stg_ats__gamification_events", "stg_ats__notification_events",
    "stg_stripe__events", "stg_stripe__subscriptions", "stg_stripe__customers", "stg_stripe__charges",
    "stg_stripe__invoices", "stg_stripe__refunds")] + [AssetKey(["marts", "mart_mrr_monthly"]),
    AssetKey(["intermediate", "int_candidate_activity"])]  # candidate activity, defined once (churn features, label)


def model_key(name: str) -> AssetKey:
    return AssetKey(["ml", f"{name.replace('-', '_')}_model"])


def scores_key(name: str) -> AssetKey:
    return AssetKey(["ml", f"{name.replace('-', '_')}_scores"])


@asset(key=ANALYZERS_KEY, group_name=SCORING_GROUP, deps=STAGING_INPUTS, kinds={"python", "duckdb"},
       description="CV, skill-market, salary and talent-quality analyzers; writes ml.candidate_profiles and analyzer results.")
def analyzers(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        measured = run_analyzers(con, context.run.run_id, warehouse.settings.landing_dir)
    return MaterializeResult(metadata={name: MetadataValue.json(m) for name, m in measured.items()})


@asset(key=AssetKey(["ml", "segments"]), group_name=SCORING_GROUP, deps=[ANALYZERS_KEY], kinds={"python", "duckdb"},
       description="Rule segments (ml.segments) with their members recomputed over the new candidate profiles.")
def segments(warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        count = refresh_all(con)
        members = con.sql("SELECT count(*) FROM ml.segment_members").fetchall()[0][0]
    return MaterializeResult(metadata={"segments": count, "members": members})


def training_asset(name: str):
    family = FAMILIES[name]

    @asset(key=model_key(name), group_name=TRAINING_GROUP, deps=[ANALYZERS_KEY, *STAGING_INPUTS], kinds={"mlflow", "python"},
           description=f"Train and register: {family.description}")
    def _train(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        try:
            with warehouse.connect() as con:
                outcome = train_family(name, con, warehouse.settings.landing_dir, tags={"dagster_run_id": context.run.run_id})
        except UserError as exc:
            # too little data for this family (e.g. no cancellation yet): the others still train, the champion stays
            context.log.warning(f"{family.model_name} not trained: {exc.problem} {exc.fix}")
            return MaterializeResult(metadata={"model": family.model_name, "trained": False, "reason": exc.problem})
        context.log.info(f"{family.model_name} v{outcome.version}: {outcome.reason}")
        return MaterializeResult(metadata={
            "model": family.model_name, "trained": True, "version": outcome.version, "promoted": outcome.promoted,
            "reason": outcome.reason, "mlflow_run_id": outcome.run_id,
            "metrics": MetadataValue.json({k: round(v, 5) for k, v in outcome.metrics.items()})})

    return _train


def scoring_asset(name: str):
    family = FAMILIES[name]

    key = scores_key(name)

    @asset(key=key, group_name=SCORING_GROUP, deps=[model_key(name), ANALYZERS_KEY, *STAGING_INPUTS],
           kinds={"python", "duckdb"},
           check_specs=[AssetCheckSpec("scored", asset=key, description="The champion scored every candidate it was given.")],
           description=f"Score with {family.model_name}@champion and write the scores to the warehouse.")
    def _score(context: AssetExecutionContext, warehouse: WarehouseResource):
        try:
            with warehouse.connect() as con:
                version, rows = score_family(name, con)
        except Exception as exc:  # noqa: BLE001 - one model failing must not keep the rest of the data from readers
            # the score write is one transaction: the previous scores stay, and the snapshot still publishes
            context.log.error(f"{family.model_name} scoring failed, previous scores kept: {type(exc).__name__}: {exc}")
            yield MaterializeResult(metadata={"scored": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"})
            yield AssetCheckResult(check_name="scored", passed=False, severity=AssetCheckSeverity.WARN,
                                   metadata={"error": f"{type(exc).__name__}: {str(exc)[:300]}"})
            return
        if version is None:
            context.log.warning(f"{family.model_name} has no champion yet: nothing scored (run `huntred ml train {name}`).")
        yield MaterializeResult(metadata={"champion_version": version or "none", "rows": rows})
        yield AssetCheckResult(check_name="scored", passed=True)

    return _score


training_assets = [training_asset(name) for name in FAMILIES]
scoring_assets = [scoring_asset(name) for name in FAMILIES]
ml_assets = [analyzers, segments, *training_assets, *scoring_assets]
#: what the serving snapshot waits for
ML_OUTPUT_KEYS = [ANALYZERS_KEY, AssetKey(["ml", "segments"]), *(scores_key(n) for n in FAMILIES)]
