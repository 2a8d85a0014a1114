"""One asset per source family: landing files -> raw + quarantine, with an accounting check."""

from dagster import (
    AssetCheckResult,
    Config,
    asset,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from foundation.lake import sync_raw
from ingest import stripe_api
from ingest.driver import accounting_gaps, ingest_family
from models.enums import SourceFamily
from models.warehouse import raw_tables_for
from orchestration.resources import WarehouseResource

DESCRIPTIONS = {
    SourceFamily.ATS_EVENTS: "ATS events (JSON Lines) from chatbot, publish, notifications, proposals, assessments, referral, gamification and workflow.",
    SourceFamily.CHANNEL_METRICS: "Daily exports of LinkedIn, Indeed, OCC, Glassdoor, Monster, WhatsApp, Telegram, Email and Web.",
    SourceFamily.STRIPE: "Stripe webhook events (signatures verified with the stripe SDK), and Stripe objects, lists and "
                         "events as files (API, CLI and dashboard exports, and what `pull/stripe` lands).",
    SourceFamily.SCRAPED_CANDIDATES: "SmartRecruiters-shaped scraped candidates and their CVs (PDF/DOCX/TXT text extracted).",
}


#: Assets that pull from a source's API: run by their own job and schedule (`huntred pull stripe`), never by the
#: pipeline, which has no key to call them with.
CONNECTORS_GROUP = "connectors"
STRIPE_PULL_KEY = AssetKey(["pull", "stripe"])


def ingestion_asset(family: SourceFamily):
    key = AssetKey(["raw", family.value])
    # ingestion after the pull, when a run has both: what it landed but did not commit (a killed pull) is taken here
    deps = [STRIPE_PULL_KEY] if family == SourceFamily.STRIPE else []

    @multi_asset(
        name=f"ingest_{family.value}",
        specs=[AssetSpec(key, group_name="ingestion", description=DESCRIPTIONS[family], kinds={"duckdb", "python"},
                         deps=deps,
                         metadata={"raw_tables": MetadataValue.json([t.qualified for t in raw_tables_for(family)])})],
        check_specs=[AssetCheckSpec("records_accounted_for", asset=key,
                                    description="Every record read this run is in raw or in quarantine.")],
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource):
        secret = warehouse.settings.stripe_webhook_secret
        with warehouse.connect() as con:
            summary = ingest_family(
                con, warehouse.settings.landing_dir, family, context.run.run_id,
                webhook_secret=secret.get_secret_value() if secret else None,
                progress=lambda done, total: context.log.debug(f"{family.value}: {done}/{total} files"),
            )
            gaps = accounting_gaps(con, context.run.run_id)
            # what was committed, also as Parquet any engine reads (Spark's dbt sources are these files)
            lake = sync_raw(con, warehouse.settings.lake_dir, raw_tables_for(family))
        context.log.info(f"{family.value}: {summary.files_ingested} new files, {summary.files_skipped} already ingested, "
                         f"{summary.records_loaded} rows loaded, {summary.records_quarantined} quarantined"
                         + (f", {summary.released} held rows released" if summary.released else "")
                         + f"; {lake.rows_written} rows written to the lake")
        for duplicate, original in summary.duplicate_files[:50]:
            context.log.info(f"{duplicate}: the same bytes as {original}, already ingested; skipped")
        yield MaterializeResult(asset_key=key, metadata={
            "files_found": summary.files_found,
            "files_ingested": summary.files_ingested,
            "files_skipped": summary.files_skipped,
            "records_read": summary.records_read,
            "rows_loaded": MetadataValue.json(dict(summary.loaded)),
            "rows_quarantined": MetadataValue.json(dict(summary.quarantined)),
            "rows_released": summary.released,
            "duplicate_files": MetadataValue.json([{"file": d, "same_bytes_as": o} for d, o in summary.duplicate_files[:200]]),
        })
        family_gaps = [g for g in gaps if g[0].startswith(family.value + "/")]
        yield AssetCheckResult(
            asset_key=key, check_name="records_accounted_for", passed=not family_gaps,
            severity=AssetCheckSeverity.ERROR,
            metadata={"records_read": summary.records_read,
                      "rows_in_raw": summary.records_loaded, "rows_in_quarantine": summary.records_quarantined,
                      "files_with_gaps": MetadataValue.json([list(g) for g in family_gaps[:20]])},
        )

    return _ingest


ingestion_assets = [ingestion_asset(family) for family in SourceFamily]


class StripePullConfig(Config):
    #: Read every object list not yet read to its end before the events (the first pull, or one resumed).
    backfill: bool = True


@asset(key=STRIPE_PULL_KEY, group_name=CONNECTORS_GROUP, kinds={"stripe", "duckdb", "python"},
       description="Pulls from the Stripe API with the official SDK: a backfill of the object lists, then the events "
                   "since the cursor in meta.source_cursors; each page landed and committed with its cursor.")
def pull_stripe(context: AssetExecutionContext, warehouse: WarehouseResource, config: StripePullConfig):
    settings = warehouse.settings
    # no key: a UserError, which the launcher gives back to the CLI as its sentence
    sdk = stripe_api.client(settings.require_stripe_api_key(), settings.stripe_api_base,
                            settings.stripe_max_network_retries)
    with warehouse.connect() as con:
        secret = settings.stripe_webhook_secret
        summary = stripe_api.pull(con, sdk, settings.landing_dir, context.run.run_id, backfill=config.backfill,
                                  webhook_secret=secret.get_secret_value() if secret else None)
        sync_raw(con, settings.lake_dir, raw_tables_for(SourceFamily.STRIPE))  # what the pull committed, in the lake
    context.log.info(f"Stripe pull (API version {summary.api_version}): {summary.landed:,} objects in "
                     f"{summary.pages:,} pages, {sum(summary.skipped.values()):,} already in raw and unchanged, "
                     f"{summary.requests_waited} rate limits waited out")
    return MaterializeResult(metadata={
        "api_version": summary.api_version, "pages": summary.pages, "objects": MetadataValue.json(summary.objects),
        "skipped_unchanged": MetadataValue.json(summary.skipped), "rows_loaded": summary.rows_loaded,
        "rows_quarantined": summary.rows_quarantined, "rate_limits_waited": summary.requests_waited,
    })
