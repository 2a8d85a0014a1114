"""`huntred`: generate sample data, run the pipeline, land your own files, see what landed.

Every write is a Dagster run started through ``orchestration.launch`` (which loads Dagster only when a run
starts, so `huntred --help` and `status` stay quick).

Errors are one sentence of what went wrong plus one of what to do; set
HUNTRED_DEBUG=1 to see the traceback too.
"""
from __future__ import annotations

import getpass
import hashlib
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from access import api_keys, audit, users
from access.erasure import validate_id
from access.policy import ALL
from cli.arguments import choices, iso_date, one_of, out_file, out_folder, parse_date, usage_sentence
from cli.ml import ml_app
from cli.output import console, err, print_table, progress_printer
from foundation.errors import Busy, UserError
from foundation.landing import land_copy
from foundation.runtime import prepare_environment
from foundation.settings import REPO_ROOT, get_settings
from ingest.driver import discover
from ingest.stripe import looks_like_webhook_deliveries
from ingest.validate import validate_files
from models.enums import BusinessUnit, Channel, QuarantineReason, SourceFamily
from orchestration import launch
from sample_data import generate as run_generator
from serving.analytics import Filters, solutions_clients
from serving.analytics import alerts as campaign_alerts
from serving.reports.client_export import build_client_export, export_zip
from serving.reports.roi import build_roi_report, roi_pdf, roi_xlsx
from serving.snapshot import open_current
from serving.status import (
    FileOutcome,
    file_outcomes,
    ingested_paths,
    quarantine_records,
    quarantine_summary,
    source_status,
)

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@app.callback()
def options(verbose: bool = typer.Option(
        False, "--verbose", "-v",
        help="During runs, show the libraries' own warnings and progress bars (by default they go to the run's log).")
) -> None:
    if verbose:
        os.environ["HUNTRED_VERBOSE"] = "1"  # settings read it; so does anything this command starts
        get_settings.cache_clear()


#: Secrets `huntred init` generates into .env (samples for the demo; production sets its own in the environment).
GENERATED_SECRETS = {
    "HUNTRED_STRIPE_WEBHOOK_SECRET": lambda: f"whsec_{secrets.token_hex(24)}",
    "HUNTRED_PSEUDONYM_KEY": lambda: secrets.token_hex(32),
    "HUNTRED_SESSION_KEY": lambda: secrets.token_hex(32),
}


@app.command()
def init(force: bool = typer.Option(False, help="Replace existing sample secrets.")) -> None:
    """Create .env with freshly generated sample secrets (Stripe webhook secret, pseudonym and session keys); never committed."""
    env = REPO_ROOT / ".env"
    lines = env.read_text(encoding="utf-8").splitlines() if env.exists() else []
    written = []
    for name, make in GENERATED_SECRETS.items():
        if any(l.startswith(f"{name}=") for l in lines) and not force:
            continue
        lines = [l for l in lines if not l.startswith(f"{name}=")]
        lines.append(f"{name}={make()}")
        written.append(name)
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env.chmod(0o600)
    get_settings.cache_clear()
    console.print(f"Wrote {', '.join(written)} to {env}." if written else f"{env} already has every sample secret; keeping them.")


@app.command()
def generate(
    scale: float = typer.Option(1.0, min=0.001, help="1 = ~20k candidates, ~1M ATS events; 10 = ten times that."),
    seed: int = typer.Option(42, help="Same seed, same bytes."),
    out: Optional[Path] = typer.Option(None, callback=out_folder,
                                       help="Landing directory to write (default: the warehouse's landing zone)."),
) -> None:
    """Write realistic sample data for the four sources (deterministic)."""

    settings = get_settings()
    target = out or settings.landing_dir
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("world", total=1.0)
        manifest = run_generator(target, scale=scale, seed=seed, webhook_secret=settings.require_webhook_secret(),
                                 progress=lambda label, f: progress.update(task, description=label, completed=f))
    table = Table(title=f"Generated into {target} (scale {scale}, seed {seed})")
    table.add_column("raw table")
    table.add_column("rows", justify="right")
    table.add_column("to quarantine", justify="right")
    for name, rows in sorted(manifest.raw_rows.items()):
        bad = sum(n for k, n in manifest.quarantined.items() if k.startswith(name + "/"))
        table.add_row(name, f"{rows:,}", f"{bad:,}")
    print_table(table)


@app.command()
def run(
    select: Optional[list[str]] = typer.Option(None, "--select", "-s", help="Asset keys (globs) or group:<name>; default: all."),
    downstream: bool = typer.Option(False, help="Also run what depends on the selection."),
) -> None:
    """Materialize every asset (ingest, dbt build, publish the serving snapshot), or a selection."""
    what = "everything" if not select else ", ".join(select)
    console.print(f"Running the pipeline on {what} (warehouse: {get_settings().warehouse_dir})")
    outcome = launch.refresh(select, downstream=downstream, on_event=progress_printer())
    if not outcome.success:
        detail = outcome.errors[0] if outcome.errors else "a step failed"
        raise UserError(f"The run failed: {detail}",
                        f"Fix the cause and run again (completed files are kept); the log is {outcome.log_file}.")
    console.print(f"[green]Done[/] in {outcome.seconds:.1f} s: {outcome.materialized} assets materialized, "
                  f"{len(outcome.checks_failed)} checks failed. Log: {outcome.log_file}")
    _report_quarantine(outcome)


def _report_quarantine(outcome) -> None:
    summary = launch.describe_quarantined(outcome.quarantined)
    if summary:
        console.print(f"[yellow]{summary}[/]. The rest was published; see `huntred quarantine --source SOURCE` for each "
                      "record, its file, line and reason.")


@app.command("run-daily")
def run_daily(
    date_from: Optional[str] = typer.Option(None, "--from", callback=iso_date, help="First day (YYYY-MM-DD); default: yesterday."),
    date_to: Optional[str] = typer.Option(None, "--to", callback=iso_date, help="Last day (YYYY-MM-DD); default: the first day."),
    full_refresh: bool = typer.Option(False, help="Rebuild the incremental models whole instead of their window."),
) -> None:
    """Build the event-sized incremental models for a day or a range of days (one run), then publish."""
    first = parse_date(date_from, "--from") if date_from else date.today() - timedelta(days=1)
    last = parse_date(date_to, "--to") if date_to else first
    if last < first:
        raise UserError(f"The range starts ({first}) after it ends ({last}).", "Swap --from and --to.")
    keys = launch.daily_partition_keys()
    if first.isoformat() not in keys or last.isoformat() not in keys:
        raise UserError(f"Daily partitions run from {keys[0]} to {keys[-1]}.", "Choose days in that range.")
    console.print(f"Building {first}..{last}{' (full refresh)' if full_refresh else ''}")
    outcome = launch.refresh_days(first.isoformat(), last.isoformat(), full_refresh=full_refresh,
                                  on_event=progress_printer())
    if not outcome.success:
        raise UserError(f"The run failed: {outcome.errors[0] if outcome.errors else 'a step failed'}",
                        f"Fix the cause and run again; the log is {outcome.log_file}.")
    console.print(f"[green]Done[/] in {outcome.seconds:.1f} s. Log: {outcome.log_file}")


_SUBFOLDER_HINT = {
    SourceFamily.ATS_EVENTS: "*.jsonl files of events",
    SourceFamily.CHANNEL_METRICS: "CSV exports (give --channel)",
    SourceFamily.STRIPE: "Stripe objects, arrays, list pages or events (*.json, *.jsonl), or signed webhook deliveries (*.jsonl)",
    SourceFamily.SCRAPED_CANDIDATES: "a batch folder with candidates.json and cvs/",
}


def landing_destination(source: SourceFamily, file: Path, given: Path, channel: Channel | None, stamp: str,
                        today: str) -> Path:
    """Where a user's file goes under the landing zone so its source's parser recognises it.

    A folder keeps its structure (a scraped batch needs candidates.json beside cvs/).
    """
    inside = file.relative_to(given.parent) if given.is_dir() else Path(file.name)
    if source == SourceFamily.CHANNEL_METRICS:
        return Path(source.value, channel.value, stamp, inside)
    if source == SourceFamily.STRIPE:
        # signed deliveries are verified as such; anything else is objects or events, observed on the day it lands
        with open(file, "rb") as fh:
            deliveries = file.suffix == ".jsonl" and looks_like_webhook_deliveries(fh.read(1 << 20))
        kind = "webhooks" if deliveries else f"api/{today}"
        return Path(source.value, kind, stamp, inside)
    return Path(source.value, stamp, inside)


def files_to_land(source: SourceFamily, paths: list[Path], channel: Channel | None) -> list[tuple[Path, Path, Path]]:
    """(path given, file, where under the landing zone it goes) for every file of the paths given."""
    if source == SourceFamily.CHANNEL_METRICS and channel is None:
        raise UserError("Channel exports need their channel.", f"Add --channel, one of: {', '.join(c.value for c in Channel)}.")
    now = datetime.now(timezone.utc)
    stamp, today = now.strftime("upload-%Y%m%dT%H%M%S"), now.date().isoformat()
    for given in paths:
        if not given.exists():
            raise UserError(f"{given} does not exist.", "Check the path and try again.")
    found = [(given, file, landing_destination(source, file, given, channel, stamp, today))
             for given in paths
             for file in ([p for p in sorted(given.rglob("*")) if p.is_file()] if given.is_dir() else [given])]
    if not found:
        raise UserError("No files were found to land.", f"Give {_SUBFOLDER_HINT[source]}.")
    return found


def land_files(source: SourceFamily, paths: list[Path], channel: Channel | None,
               landing_dir: Path) -> list[tuple[Path, Path]]:
    """Copy a user's files into the landing zone with the API's durable writer (aside, fsync, rename: no half files,
    and what was acknowledged survives a crash); returns (path given, file landed) for each file."""
    landed = []
    for given, file, relative in files_to_land(source, paths, channel):
        land_copy(landing_dir / relative, file)
        landed.append((given, landing_dir / relative))
    return landed


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def describe_outcomes(outcomes: list[FileOutcome]) -> str:
    """One line for what was given (a file, or a folder of files): loaded, quarantined by reason, already ingested."""
    ingested = [o for o in outcomes if o.ingested]
    repeated = [o for o in outcomes if not o.ingested and o.same_bytes_as]
    parts = []
    if ingested:
        quarantined = sum((o.quarantined for o in ingested), Counter())
        files = f"{len(ingested):,} files, " if len(outcomes) > 1 else ""
        text = f"landed: {files}{sum(o.records_read for o in ingested):,} records, {sum(o.records_loaded for o in ingested):,} loaded"
        if quarantined:
            text += (f", {sum(quarantined.values()):,} quarantined ("
                     + ", ".join(f"{reason} {n:,}" for reason, n in sorted(quarantined.items())) + ")")
        parts.append(text)
    if repeated:
        where = f" as {repeated[0].same_bytes_as}" if len(repeated) == 1 else ""
        parts.append(f"{'duplicate' if len(outcomes) == 1 else f'{len(repeated):,} duplicate files'}: "
                     f"already ingested{where}, skipped")
    if len(ingested) + len(repeated) < len(outcomes):
        parts.append(f"{len(outcomes) - len(ingested) - len(repeated):,} not ingested yet")
    return "; ".join(parts)


@app.command()
def ingest(
    source: SourceFamily = typer.Argument(..., help="Which source family the files belong to."),
    paths: list[Path] = typer.Argument(..., help="Files or folders to land."),
    channel: Optional[Channel] = typer.Option(None, help="For channel_metrics: the platform that exported the CSV."),
) -> None:
    """Land your own files in the landing zone and ingest them (then rebuild and publish)."""
    settings = get_settings()
    landed = land_files(source, paths, channel, settings.landing_dir)
    console.print(f"Landed {len(landed)} file(s) under {landed[-1][1].parent}")
    outcome = launch.refresh([f"raw/{source.value}"], downstream=True, on_event=progress_printer())
    if not outcome.success:
        raise UserError(f"Ingestion ran but the run failed: {outcome.errors[0] if outcome.errors else 'a step failed'}",
                        "The files stay in the landing zone; fix the cause and run `huntred run`.")
    relative = {dest: dest.relative_to(settings.landing_dir).as_posix() for _, dest in landed}
    outcomes = {o.path: o for o in file_outcomes(open_current(settings), {
        relative[dest]: _sha256(dest) for _, dest in landed})}
    for given in dict.fromkeys(g for g, _ in landed):
        line = describe_outcomes([outcomes[relative[dest]] for g, dest in landed if g == given])
        console.print(f"  {escape(str(given))}: {line}", highlight=False, soft_wrap=True)
    _report_quarantine(outcome)
    status(source=source.value)


pull_app = typer.Typer(help="Pull from a source's API into the lakehouse (then rebuild and publish).",
                       no_args_is_help=True)
app.add_typer(pull_app, name="pull")


@pull_app.command("stripe")
def pull_stripe(backfill: bool = typer.Option(True, "--backfill/--no-backfill",
                                              help="Read the object lists not yet read to the end before the events.")) -> None:
    """Pull from the Stripe API with HUNTRED_STRIPE_API_KEY: the lists (once), then the events since the cursor."""
    get_settings().require_stripe_api_key()  # the sentence before a run is started for nothing
    outcome = launch.pull_stripe(backfill=backfill, on_event=progress_printer())
    pulled = launch.materialization_metadata(outcome.run_id, ["pull", "stripe"]) or {}
    objects = pulled.get("objects") or {}
    console.print(f"Stripe (API version {pulled.get('api_version', '?')}): {sum(objects.values()):,} objects in "
                  f"{pulled.get('pages', 0):,} pages, {sum((pulled.get('skipped_unchanged') or {}).values()):,} "
                  f"already in the lakehouse and unchanged, {pulled.get('rate_limits_waited', 0)} rate limits waited out")
    for resource, n in sorted(objects.items()):
        console.print(f"  {resource}: {n:,}")
    _report_quarantine(outcome)


@app.command()
def validate(
    source: SourceFamily = typer.Argument(..., help="Which source family the files belong to."),
    paths: list[Path] = typer.Argument(..., help="Files or folders to check."),
    channel: Optional[Channel] = typer.Option(None, help="For channel_metrics: the platform that exported the CSV."),
) -> None:
    """Say what ingesting these files would do, per file, without writing anything (exit 1 if any record would be
    quarantined)."""
    found = files_to_land(source, paths, channel)
    files = []
    for given, file, relative in found:
        with open(file, "rb") as fh:
            files.append((str(file if given.is_dir() else given), relative.as_posix(), fh.read()))
    settings = get_settings()
    secret = settings.stripe_webhook_secret.get_secret_value() if settings.stripe_webhook_secret else None
    verdicts = validate_files(source, files, webhook_secret=secret or None)
    for v in verdicts:
        if v.same_bytes_as:
            line = f"[yellow]the same bytes as {escape(v.same_bytes_as)}[/]: would be skipped"
        else:
            load = ", ".join(f"{n:,} into raw.{t}" for t, n in sorted(v.would_load.items()) if n) or "nothing to raw"
            held = ", ".join(f"{r} {n:,}" for r, n in sorted(v.would_quarantine.items()))
            line = f"{v.records_read:,} records: {load}" + (f"; [yellow]quarantine: {held}[/]" if held else "")
        console.print(f"{escape(v.given)} → {escape(v.landing_path)}: {line}", highlight=False, soft_wrap=True)
        for number, code, reason in v.examples:
            console.print(f"    record {number} [yellow]{code}[/]: {escape(reason)}", highlight=False, soft_wrap=True)
    bad = [v for v in verdicts if v.would_quarantine]
    console.print(f"{len(verdicts):,} file(s) checked, nothing written. Rows naming an id the warehouse does not know "
                  "yet (a campaign, a customer) and keys already ingested before are only found by `huntred ingest`, "
                  "which holds such rows in quarantine instead of losing them.", style="dim")
    if bad:
        raise typer.Exit(1)


@app.command()
def status(source: Optional[str] = typer.Option(None, callback=one_of("source", SourceFamily), metavar="SOURCE",
                                                help=f"Only this source family: {choices(SourceFamily)}.")) -> None:
    """What landed, when, how many rows, how many quarantined."""

    settings = get_settings()
    snap = open_current(settings)
    done = ingested_paths(snap)
    table = Table(title=f"Lakehouse status (snapshot of run {snap.run_id[:8]}, published {snap.published_at:%Y-%m-%d %H:%M:%S %Z})")
    for col in ("source", "files landed", "not yet ingested", "rows in raw", "quarantined", "last ingested", "newest record"):
        table.add_column(col, justify="left" if col in ("source",) else "right")
    for row in source_status(snap).iter_rows(named=True):
        if source and row["source"] != source:
            continue
        landed = discover(settings.landing_dir, SourceFamily(row["source"]))
        pending = sum(1 for f in landed if f.relative not in done)
        table.add_row(row["source"], f"{len(landed):,}", f"{pending:,}", f"{row['rows_loaded']:,}", f"{row['rows_quarantined']:,}",
                      f"{row['last_ingested_at']:%Y-%m-%d %H:%M}" if row["last_ingested_at"] else "never",
                      f"{row['newest_record']:%Y-%m-%d}" if row["newest_record"] else "-")
    print_table(table)
    q = quarantine_summary(snap)
    if source:
        q = q.filter(q["source"] == source)
    if len(q):
        qt = Table(title="Quarantine by reason (see `huntred quarantine` for the records)")
        for col in ("source", "table", "reason", "records"):
            qt.add_column(col)
        for r in q.iter_rows(named=True):
            qt.add_row(r["source"], r["target_table"], r["reason_code"], f"{r['records']:,}")
        print_table(qt)
    console.print("Files already ingested under another name are counted as landed but never re-ingested.", style="dim")


@app.command()
def quarantine(
    source: Optional[str] = typer.Option(None, callback=one_of("source", SourceFamily), metavar="SOURCE",
                                         help=f"Only this source family: {choices(SourceFamily)}."),
    reason: Optional[str] = typer.Option(None, callback=one_of("quarantine reason", QuarantineReason),
                                         metavar="REASON", help=f"Only this reason: {choices(QuarantineReason)}."),
    limit: int = typer.Option(20, min=1, max=10_000),
    show_pii: bool = typer.Option(False, "--show-pii", help="Show emails, phones and names in clear (audited)."),
) -> None:
    """List quarantined records with the reason they were kept out (emails, phones and names pseudonymized)."""
    # The CLI runs on the machine, by someone who can read the warehouse files anyway; still, what it prints
    # ends up in terminals, tickets and chat, so it is pseudonymized like the dashboard unless the operator
    # asks for clear values, and that request is audited like an admin's read.

    settings = get_settings()
    key = None if show_pii else settings.require_pseudonym_key()
    rows = quarantine_records(open_current(settings), source=source, reason=reason, limit=limit, reveal_pii=show_pii,
                              pii_key=key)
    if show_pii:

        audit.record(settings.audit_dir, actor=f"cli:{getpass.getuser()}", role="operator", scope="all",
                     action="read_pii", resource="cli/quarantine", params={"source": source, "reason": reason},
                     rows=len(rows), durable=True)
    if rows.is_empty():
        console.print("Nothing in quarantine matches.")

    for r in rows.iter_rows(named=True):  # escaped: a reason quotes what arrived, which may look like markup
        console.print(f"[bold]{escape(r['source_file'])}[/]:{r['record_number']} [yellow]{r['reason_code']}[/] "
                      f"{escape(r['reason'])}", highlight=False)


@app.command()
def serve(
    api_port: int = typer.Option(8000), dashboard_port: int = typer.Option(8501),
    host: str = typer.Option("127.0.0.1"),
) -> None:
    """Serve the dashboard (Streamlit) and the API (FastAPI) until Ctrl-C."""


    prepare_environment()
    bin_dir = Path(sys.executable).parent
    procs = [
        subprocess.Popen([str(bin_dir / "uvicorn"), "api.main:app", "--host", host, "--port", str(api_port)], cwd=REPO_ROOT),
        subprocess.Popen([str(bin_dir / "streamlit"), "run", str(REPO_ROOT / "apps" / "dashboard.py"),
                          "--server.address", host, "--server.port", str(dashboard_port), "--server.headless", "true",
                          "--browser.gatherUsageStats", "false"], cwd=REPO_ROOT),
    ]
    console.print(f"Dashboard: http://{host}:{dashboard_port}   API: http://{host}:{api_port}/docs   (Ctrl-C to stop)")
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        failed = [p.args[0] for p in procs if p.poll() not in (None, 0)]
        if failed:
            raise UserError(f"{Path(failed[0]).name} stopped unexpectedly.", "See its output above; is the port already in use?")
    except KeyboardInterrupt:
        console.print("Stopping…")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=10)


# -- reports, exports, alerts ------------------------------------------------------------------------------------------
report_app = typer.Typer(no_args_is_help=True, help="Reports from the current snapshot (same numbers as the dashboard).")
export_app = typer.Typer(no_args_is_help=True, help="Exports for huntRED Solutions clients.")
users_app = typer.Typer(no_args_is_help=True, help="Dashboard users (passwords are stored only as scrypt hashes).")
erase_app = typer.Typer(no_args_is_help=True, help="Right to be forgotten: remove a person's data everywhere.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys (only SHA-256 hashes of their secrets are stored).")
app.add_typer(report_app, name="report")
app.add_typer(export_app, name="export")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.add_typer(erase_app, name="erase")

app.add_typer(ml_app, name="ml")


@report_app.command("roi")
def report_roi(
    bu: Optional[str] = typer.Option(None, "--bu", callback=one_of("business unit", BusinessUnit),
                                     help="Business unit code (e.g. huntred, amigro); default: all."),
    date_from: str = typer.Option(..., "--from", callback=iso_date, help="First day, YYYY-MM-DD."),
    date_to: str = typer.Option(..., "--to", callback=iso_date, help="Last day, YYYY-MM-DD."),
    fmt: str = typer.Option("pdf", "--format", help="pdf or xlsx."),
    out: Optional[Path] = typer.Option(None, callback=out_file, help="File to write (default: ./<report name>.<format>)."),
) -> None:
    """The ROI report of a business unit for a period, as PDF (with charts) or Excel."""

    if fmt not in ("pdf", "xlsx"):
        raise UserError(f"'{fmt}' is not a report format.", "Use --format pdf or --format xlsx.")
    report = build_roi_report(open_current(get_settings()), ALL, bu, parse_date(date_from, "--from"), parse_date(date_to, "--to"))
    target = out or Path(f"{report.file_stem}.{fmt}")
    target.write_bytes(roi_pdf(report) if fmt == "pdf" else roi_xlsx(report))
    console.print(f"Wrote {target} ({report.title}).")


@export_app.command("client")
def export_client(
    client_id: str = typer.Argument(..., help="huntRED Solutions client id, e.g. cli_00004."),
    date_from: Optional[str] = typer.Option(None, "--from", callback=iso_date, help="First day, YYYY-MM-DD (default: the data's first)."),
    date_to: Optional[str] = typer.Option(None, "--to", callback=iso_date, help="Last day, YYYY-MM-DD (default: the data's last)."),
    out: Optional[Path] = typer.Option(None, callback=out_file,
                                       help="Zip file to write (default: ./huntred_export_<client>_<date>.zip)."),
) -> None:
    """The consulting export bundle of a client for a period: Excel, Parquet, a PDF summary and a README (small counts
    suppressed)."""

    period = Filters(date_from=parse_date(date_from, "--from") if date_from else None,
                     date_to=parse_date(date_to, "--to") if date_to else None)
    export = build_client_export(open_current(get_settings()), ALL, client_id, period)
    target = out or Path(export.file_name)
    target.write_bytes(export_zip(export))
    console.print(f"Wrote {target} for {export.client_name}, {export.period}.")


@app.command()
def alerts(bu: Optional[str] = typer.Option(None, "--bu", callback=one_of("business unit", BusinessUnit),
                                           help="Only this business unit.")) -> None:
    """Campaigns whose conversion, engagement or costs cross their thresholds (transforms/seeds/alert_thresholds.csv)."""

    rows = campaign_alerts(open_current(get_settings()), ALL, Filters(business_units=(bu,) if bu else ()))
    if rows.is_empty():
        console.print("No campaign crosses an alert threshold.")
        return
    table = Table(title=f"{len(rows)} alert(s)")
    for col in ("severity", "business unit", "campaign", "metric", "value", "threshold", "meaning"):
        table.add_column(col)
    for r in rows.iter_rows(named=True):
        value = f"{r['metric_value']:.4g}"
        table.add_row(r["severity"], r["business_unit"], f"{r['campaign_id']} {r['campaign_name'][:40]}", r["metric"], value,
                      f"{r['direction']} {r['threshold']:g}", r["meaning"])
    print_table(table, prose=("campaign", "meaning"), optional=("business unit",))


@users_app.command("init")
def users_init(force: bool = typer.Option(False, help="Replace the existing users file.")) -> None:
    """Create the demo users with random passwords, printed once here (only their hashes are stored)."""

    path = get_settings().users_path
    if path.exists() and not force:
        console.print(f"{path} already exists; keeping it (use --force to replace it).")
        return
    path.unlink(missing_ok=True)
    try:
        clients = solutions_clients(open_current(get_settings()), ALL)["client_id"].to_list()
    except UserError:
        clients = []
    demo = [("analyst", "analyst", None, None), ("admin", "admin", None, None), ("datascientist", "data_scientist", None, None),
            ("manager.huntred", "bu_manager", "huntred", None), ("manager.amigro", "bu_manager", "amigro", None)]
    if clients:
        demo.append((f"client.{clients[0].replace('_', '')}", "client", None, clients[0]))
    table = Table(title=f"Demo users (written to {path}; passwords are shown only now)")
    for col in ("username", "role", "scope", "password"):
        table.add_column(col)
    for username, role, bu, client in demo:
        password = users.new_password()
        user = users.add_user(path, username, role, password, business_unit=bu, client_id=client)
        table.add_row(username, role, user.scope.label, password)
    print_table(table)


@users_app.command("add")
def users_add(
    username: str, role: str = typer.Option(..., help="analyst, bu_manager, data_scientist, client or admin."),
    bu: Optional[str] = typer.Option(None, "--bu"), client: Optional[str] = typer.Option(None, "--client"),
) -> None:
    """Add a user; the password is asked twice and never echoed."""

    users.validate(username, role, bu, client)
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = users.add_user(get_settings().users_path, username, role, password, business_unit=bu, client_id=client)
    console.print(f"Added {user.username} ({user.role}, {user.scope.label}).")


@users_app.command("list")
def users_list() -> None:
    """The users who may sign in to the dashboard."""

    for u in users.list_users(get_settings().users_path):
        console.print(f"{u.username:20} {u.role:15} {u.scope.label}")


@users_app.command("remove")
def users_remove(username: str) -> None:

    users.remove_user(get_settings().users_path, username)
    console.print(f"Removed {username}.")


@erase_app.command("candidate")
def erase_candidate(
    candidate_ids: list[str] = typer.Argument(..., help="The candidates' ids (ATS cand_… or SmartRecruiters UUID)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Remove candidates from landing, raw, marts, embeddings and scores, rebuild once, and record each erasure."""
    ids = [validate_id(i) for i in candidate_ids]
    if not yes:
        typer.confirm(f"Erase every record of {', '.join(ids)}? This cannot be undone", abort=True)
    for report in launch.erase(ids, on_event=progress_printer()):
        console.print(f"Erased {report.candidate_id}: {len(report.landing_rewritten)} landing file(s) rewritten, "
                      f"{len(report.landing_deleted)} deleted, rows removed from {len(report.rows_deleted)} table(s); "
                      f"recorded in meta.erasures as {report.subject[:16]}….")
    console.print("Marts rebuilt and republished; older snapshots deleted.")


@keys_app.command("create")
def keys_create(
    role: str = typer.Option(..., help="analyst, bu_manager, data_scientist, client, admin or service."),
    bu: Optional[str] = typer.Option(None, "--bu", help="A BU manager's business unit."),
    client: Optional[str] = typer.Option(None, "--client", help="A client's huntRED Solutions client id."),
    label: str = typer.Option("", help="Who or what uses the key (shown in the audit log's key list)."),
    rate: int = typer.Option(600, help="Requests a minute this key may make."),
    quiet: bool = typer.Option(False, help="Print only the key (for scripts)."),
) -> None:
    """Create an API key; it is printed once, here."""

    token, key = api_keys.create_key(get_settings().api_keys_path, role, business_unit=bu, client_id=client, label=label,
                                     rate_per_minute=rate)
    if quiet:
        print(token)
        return
    console.print(f"API key {key.key_id} ({key.role}, {key.scope.label}, {key.rate_per_minute}/min). "
                  "Send it as the X-API-Key header; it is shown only now:")
    print(token)


@keys_app.command("init")
def keys_init() -> None:
    """Create demo API keys (admin, analyst, service) unless keys exist; printed once, here."""

    path = get_settings().api_keys_path
    if api_keys.list_keys(path):
        console.print(f"{path} already has keys; keeping them (`huntred keys list`).")
        return
    table = Table(title=f"Demo API keys (written to {path} as hashes; the keys are shown only now). Send as X-API-Key.")
    for col in ("role", "key"):
        table.add_column(col)
    for role in ("admin", "analyst", "service"):
        token, _ = api_keys.create_key(path, role, label=f"demo {role}")
        table.add_row(role, token)
    print_table(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str = typer.Argument(..., help="The key id (`huntred keys list`), not the key itself.")) -> None:
    """Revoke an API key: the API refuses it from its next request on."""

    key = api_keys.revoke_key(get_settings().api_keys_path, key_id)
    console.print(f"Revoked {key.key_id} ({key.label}) at {key.revoked_at}.")


@keys_app.command("list")
def keys_list() -> None:
    """The API keys, their roles and scopes (never their secrets)."""

    table = Table()
    for col in ("key id", "label", "role", "scope", "rate/min", "created", "revoked"):
        table.add_column(col)
    for k in api_keys.list_keys(get_settings().api_keys_path):
        table.add_row(k.key_id, k.label, k.role, k.scope.label, str(k.rate_per_minute), k.created_at, k.revoked_at or "")
    print_table(table, prose=("label",))


def _say_error(problem: str, fix: str, label: str = "Error") -> None:
    # escaped: a message may quote what was typed (or Typer's [a|b] choices), which rich would read as markup;
    # not wrapped, so it stays one line per sentence at any terminal width
    err.print(f"[red]{label}:[/] {escape(problem)}\n{escape(fix)}", soft_wrap=True, highlight=False)


def main() -> None:
    try:
        code = app(standalone_mode=False)  # outside standalone mode, click returns a typer.Exit's code
        if isinstance(code, int) and code:
            sys.exit(code)
    except Busy as exc:  # one line, as the API's 409: "busy: run <id> is writing the warehouse. Try again ..."
        err.print(f"[yellow]{escape(exc.problem)}[/] {escape(exc.fix)}", soft_wrap=True, highlight=False)
        sys.exit(2)
    except UserError as exc:
        _say_error(exc.problem, exc.fix)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err.print("Interrupted.")
        sys.exit(130)
    except typer.TyperException as exc:  # a usage mistake: missing option or argument, unknown command, bad value
        message = exc.format_message()
        if not message:  # `huntred report` alone: Typer has printed that command's help
            sys.exit(2)
        ctx = getattr(exc, "ctx", None)
        _say_error(usage_sentence(message), f"See `{ctx.command_path if ctx else 'huntred'} --help`.")
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the one place that turns surprises into a sentence
        if os.environ.get("HUNTRED_DEBUG"):
            raise
        _say_error(f"{type(exc).__name__}: {exc}",
                   "Run again with HUNTRED_DEBUG=1 to see the traceback, and report it if it persists.", "Unexpected error")
        sys.exit(1)


if __name__ == "__main__":
    main()
