"""`huntred ml ...`: train, compare and promote models; rule segments; analyzers."""
from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from cli.arguments import one_of
from cli.output import console, print_table, progress_printer
from foundation.errors import UserError
from foundation.settings import get_settings
from ml import tracking
from ml.aura.segments import SegmentRuleError
from ml.churn.table import TableRun, family_name, prepare, train_prepared
from ml.families import FAMILIES, family
from models.enums import BusinessUnit
from orchestration import launch
from serving.ml_scores import analyzers as listed
from serving.ml_scores import segments
from serving.snapshot import open_current

ml_app = typer.Typer(no_args_is_help=True, help="Models: train, compare, promote (MLflow), segments and analyzers.")
segment_app = typer.Typer(no_args_is_help=True, help="AURA rule segments.")
ml_app.add_typer(segment_app, name="segment")
embeddings_app = typer.Typer(no_args_is_help=True, help="The embedding backends (fp32 as packaged, bf16, int8 ONNX).")
ml_app.add_typer(embeddings_app, name="embeddings")


@ml_app.command("train")
def train(
    model: str = typer.Argument("all", help="churn, matching, clusters, propensity-apply, propensity-retargeting-response, or all"),
    table_file: Optional[Path] = typer.Option(None, "--table", help="Train churn on your own CSV or Parquet file (one row per "
                                                               "customer) instead of the lakehouse; no Dagster run."),
    label: Optional[str] = typer.Option(None, "--label", help="With --table: the column that says who churned "
                                                              "(true/false, 1/0 or two words such as Yes/No)."),
    id_column: Optional[str] = typer.Option(None, "--id", help="With --table: the customer id column, kept in the scores."),
    time_column: Optional[str] = typer.Option(None, "--time-column", help="With --table: split by this time column "
                                                                          "(earliest rows train, latest test)."),
    positive: Optional[str] = typer.Option(None, "--positive", help="With --table: the label value that means churned, "
                                                                    "when its words do not say so."),
    scores_out: Optional[Path] = typer.Option(None, "--scores-out", help="With --table: where to write the scores "
                                                                         "(Parquet; default: <table>.scores.parquet beside it)."),
) -> None:
    """Retrain through the Dagster job `ml_training`; a model becomes champion only if it beats the current one and
    its baseline on the same held-out data and shows no adverse impact. With --table, train the churn model's
    machinery on your own table instead, in an MLflow experiment of that table's own."""
    if table_file is not None:
        _train_on_table(model, table_file, label, id_column, time_column, positive, scores_out)
        return
    table_options = {"--label": label, "--id": id_column, "--time-column": time_column, "--positive": positive,
                     "--scores-out": scores_out}
    given = [option for option, value in table_options.items() if value is not None]
    if given:
        raise UserError(f"{', '.join(given)} only work{'s' if len(given) == 1 else ''} with --table.",
                        f"Add --table PATH.csv|parquet, or leave {'it' if len(given) == 1 else 'them'} out to retrain "
                        "from the lakehouse.")
    names = list(FAMILIES) if model == "all" else [family(model).name]
    outcome = launch.retrain(names, on_event=progress_printer())
    steps = launch.training_outcomes(outcome.run_id, names)
    table = Table(title=f"Trained in {outcome.seconds:.0f} s (Dagster run {outcome.run_id[:8]})")
    for col in ("model", "version", "metric", "this version", "baseline", "champion", "outcome"):
        table.add_column(col)
    for name in names:
        f, step = FAMILIES[name], steps[name]
        if not step.get("trained"):
            table.add_row(f.model_name, "", f.primary_metric, "", "", "", f"not trained: {step.get('reason', '')}")
            continue
        version = next(v for v in tracking.versions(f.model_name) if v["version"] == str(step["version"]))
        m = version["metrics"]
        champ = m.get(f"champion_{f.primary_metric}")
        baseline = (f.baseline_of(m) or (None, None))[1]
        table.add_row(f.model_name, version["version"], f.primary_metric, _fmt(m.get(f.primary_metric)), _fmt(baseline),
                      _fmt(champ), version["promotion"])
    print_table(table, prose=("outcome",))


def _train_on_table(model: str, path: Path, label: str | None, id_column: str | None, time_column: str | None,
                    positive: str | None, scores_out: Path | None) -> None:
    """`ml train churn --table`: checks what was typed, then the table (every refusal before any output), trains,
    prints the summary. Not a Dagster run, unlike every other write: it reads a file from outside the lakehouse and
    writes only MLflow and the scores file, never a warehouse table, so Dagster stays the warehouse's only writer."""
    if model != "churn":
        raise UserError(f"--table trains a churn model, not '{model}'.",
                        f"Write `huntred ml train churn --table {path} --label COLUMN`.")
    if label is None:
        raise UserError("--table needs --label, the column that says who churned.",
                        "Add e.g. --label Churn (see `huntred ml train --help`).")
    if scores_out is not None:
        if scores_out.is_dir():
            raise UserError(f"--scores-out {scores_out} is a folder.", "Give the path of a .parquet file to write.")
        if not scores_out.absolute().parent.is_dir():
            raise UserError(f"The folder {scores_out.absolute().parent} does not exist (--scores-out {scores_out}).",
                            "Create it first, or give --scores-out a path in an existing folder.")
        if scores_out.absolute() == path.absolute():
            raise UserError(f"--scores-out {scores_out} is the table itself.", "Give another file for the scores.")
    prepared = prepare(path, label, id_column=id_column, time_column=time_column, positive=positive)
    console.print(f"Training churn on {prepared.part_rows['train']:,} rows of {path.name}: calibrated LightGBM vs "
                  "logistic regression…", highlight=False, soft_wrap=True)
    with _libraries_to_log() as log_file:
        run = train_prepared(prepared, scores_out=scores_out)
    _print_table_run(run, log_file)


@contextlib.contextmanager
def _libraries_to_log():
    """MLflow's, scikit-learn's and LightGBM's own messages and warnings go to a log file under the warehouse (as a
    Dagster run's do), unless --verbose; yields that file (None when verbose)."""
    settings = get_settings()
    if settings.verbose:
        yield None
        return
    folder = settings.warehouse_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"train-table-{datetime.now().strftime('%Y%m%d-%H%M%S')}.log"
    with open(path, "w", encoding="utf-8") as log, contextlib.redirect_stderr(log):
        yield path


def _print_table_run(run: TableRun, log_file: Path | None) -> None:
    p, o = run.prepared, run.outcome
    positives, labelled = int(p.y.sum()), p.y.size
    summary = Table(title=f"{p.path.name}: churn trained on your table", show_header=False)
    summary.add_column("")
    summary.add_column("")
    summary.add_row("rows", f"{p.table.height:,} read; {labelled:,} trained and judged on"
                    + (f"; {p.unlabelled:,} without a label (scored, not trained on)" if p.unlabelled else "")
                    + (f"; {p.untimed:,} without a time (scored, not trained on)" if p.untimed else ""))
    summary.add_row("label", f"'{p.label.column}': '{p.label.positive}' is churn ({p.label.how}), "
                    f"'{p.label.negative}' is not; {positives:,} churned ({positives / labelled:.1%})")
    kinds = f"{len(p.plan.numeric)} numeric, {len(p.plan.categorical)} categorical"
    summary.add_row("features used", f"{len(p.plan.names)} ({kinds}): {', '.join(p.plan.names)}")
    for f in p.plan.numeric:
        if f.note:
            summary.add_row("", f"{f.name}: {f.note}")
    if p.plan.dropped:
        summary.add_row("dropped", "; ".join(f"{c} ({why})" for c, why in p.plan.dropped.items()))
    rows = p.part_rows
    summary.add_row("split", f"{p.split.how}: {rows['train']:,} train, {rows['validation']:,} calibrate, "
                    f"{rows['test']:,} test")
    summary.add_row("model", f"{o.model_name} v{o.version} (MLflow experiment huntred-{family_name(p.path)}, "
                    f"run {o.run_id[:8]})")
    summary.add_row("outcome", o.reason)
    summary.add_row("scores", f"{run.scores_path} ({run.scores.height:,} rows)")
    if log_file is not None:
        summary.add_row("libraries' log", str(log_file))
    print_table(summary, prose=("",))
    metrics = Table(title="On the test rows (never trained nor calibrated on)")
    metrics.add_column("metric")
    for col in ("LightGBM (calibrated)", "logistic regression"):
        metrics.add_column(col, justify="right")
    for key, shown in (("roc_auc", "ROC-AUC"), ("pr_auc", "PR-AUC"), ("brier", "Brier (lower is better)")):
        metrics.add_row(shown, _fmt(o.metrics[key]), _fmt(o.metrics[f"baseline_{key}"]))
    if o.champion_value is not None:
        metrics.add_row(f"champion v{o.champion_version} ROC-AUC", _fmt(o.champion_value), "")
    print_table(metrics)


@ml_app.command("compare")
def compare(model: str = typer.Argument(..., help="A model family, e.g. churn")) -> None:
    """Every version side by side: metrics on held-out data, baselines, and which is champion / challenger."""

    f = family(model)
    rows = tracking.versions(f.model_name)
    if not rows:
        raise UserError(f"{f.model_name} has no versions yet.", f"Train it: `huntred ml train {f.name}`.")
    rows = rows[:6]  # the newest six side by side; the Models page shows them all
    metrics = sorted({k for r in rows for k in r["metrics"] if not k.startswith(("champion_", "silhouette_k"))},
                     key=lambda k: (k != f.primary_metric, k))
    table = Table(title=f"{f.model_name}: promotion on {f.primary_metric}, past the gate (champion re-scored on each run's "
                        "held-out data, baseline, adverse impact) or by hand")
    table.add_column("")
    for r in rows:
        table.add_column(f"v{r['version']}" + (f" ({', '.join(r['aliases'])})" if r["aliases"] else ""), justify="right")
    table.add_row("trained", *(datetime.fromtimestamp(r["created"] / 1000).strftime("%Y-%m-%d %H:%M") for r in rows))
    for k in metrics:
        table.add_row(k, *(_fmt(r["metrics"].get(k)) for r in rows))
    table.add_row("promotion", *(r["promotion"] for r in rows))
    print_table(table)


@ml_app.command("promote")
def promote(model: str, version: str,
            reason: str = typer.Option(..., help="Why this version should be champion (recorded in MLflow with your "
                                                 "user name, and shown by `huntred ml compare`).")) -> None:
    """Make VERSION the champion by hand, overruling the gate, then re-score with it and publish."""
    f = family(model)
    previous, outcome = launch.promote(f.name, version, reason, _os_user(), on_event=progress_printer())
    console.print(f"[green]{f.model_name} v{version} is champion[/] (was {('v' + previous) if previous else 'none'}); "
                  f"scores rewritten in {outcome.seconds:.0f} s.")


@segment_app.command("create")
def segment_create(
    name: str,
    rules: str = typer.Option(..., help='JSON rules, e.g. \'{"skills": ["Python", "ML"], "experiencia": ">5"}\''),
    bu: Optional[str] = typer.Option(None, "--bu", callback=one_of("business unit", BusinessUnit),
                                     help="Business unit the segment belongs to."),
) -> None:
    """Create (or replace) a rule segment and count its members."""
    try:
        parsed = json.loads(rules)
    except json.JSONDecodeError as exc:
        raise UserError(f"--rules is not valid JSON ({exc.msg} at character {exc.pos}).",
                        'Quote it for the shell, e.g. --rules \'{"skills": ["Python"]}\'.') from None
    try:
        row = launch.save_segment(name, parsed, bu)
    except SegmentRuleError as exc:
        raise UserError(str(exc) + ".", "Fix that rule and run again (see README: Segments).") from None
    console.print(f"[green]{row['name']}[/] ({row['segment_id']}): {row['members']} candidates — {row['description']}")


@segment_app.command("list")
def segment_list() -> None:
    """Stored segments and their member counts (from the current snapshot)."""

    table = Table(title="Segments")
    for col in ("id", "name", "BU", "members", "rules"):
        table.add_column(col)
    for s in segments(open_current(get_settings())):
        table.add_row(s["id"], s["name"], s["bu"] or "", str(s["members"]), json.dumps(s["rules"], ensure_ascii=False))
    print_table(table, prose=("name", "rules"))


@ml_app.command("analyzers")
def analyzers() -> None:
    """The analyzers, their versions, last runs and what those runs measured."""

    table = Table(title="Analyzers")
    for col in ("id", "name", "version", "last run", "measured"):
        table.add_column(col)
    for a in listed(open_current(get_settings())):
        table.add_row(str(a["id"]), a["name"], a["version"], str(a["last_run"] or "never"), json.dumps(a["last_metrics"] or {}))
    print_table(table, prose=("measured",))


@embeddings_app.command("qualify")
def embeddings_qualify() -> None:
    """Time the faster embedding backends (bf16; int8 ONNX, exported on this machine) against fp32 on the real set's
    CVs and postings. HUNTRED_EMBEDDING_BACKEND=auto (the default) then uses the fastest that is ≥ 2x as fast as fp32
    with every vector at cosine ≥ 0.99 to fp32, and fp32 if none is."""
    # lazy: loads the model and its runtimes, only this command needs them
    from ml.aura import embeddings, real_set
    from ml.aura.encoders import MIN_COSINE, MIN_SPEEDUP, fastest_qualified

    settings = get_settings()
    if not real_set.available(settings.real_set_dir):
        raise UserError(f"No real set in {settings.real_set_dir}.",
                        "Set HUNTRED_REAL_SET_DIR to a directory with resumes/, jobs/ and relevance/ (see evaluation/README.md).")
    results = embeddings.qualify_backends(settings, real_set.texts(settings.real_set_dir))
    table = Table(title=f"Embedding backends against fp32 ({results[0].fp32_inputs_per_s:,} inputs/s) on "
                        f"{results[0].inputs:,} model inputs (texts, or chunks of long ones)")
    for col in ("backend", "inputs/s", f"speedup (≥ {MIN_SPEEDUP:g}x)", f"lowest cosine (≥ {MIN_COSINE:g})",
                "mean cosine", "qualified"):
        table.add_column(col)
    for r in results:
        table.add_row(r.backend, f"{r.inputs_per_s:,}", f"{r.speedup:.2f}x", f"{r.min_cosine:.4f}", f"{r.mean_cosine:.4f}",
                      "yes" if r.qualified else "no")
    print_table(table)
    chosen = fastest_qualified(results) or "fp32"
    setting = ("" if settings.embedding_backend == "auto" else
               f" (HUNTRED_EMBEDDING_BACKEND={settings.embedding_backend} is set here and wins over auto)")
    console.print(f"HUNTRED_EMBEDDING_BACKEND=auto embeds with {chosen} on this machine{setting}; recorded in "
                  f"{embeddings.qualification_path(settings)}", soft_wrap=True)


def _os_user() -> str:
    """Who promotes from a terminal: the OS user (the CLI has no sign-in)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment nor in the password database (some containers)
        return f"uid {os.getuid()}"


def _fmt(value) -> str:
    return "" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)


@ml_app.command("ui")
def ui(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(5000)) -> None:
    """Serve the MLflow UI on the models' tracking store (experiments, runs, registered versions) until Ctrl-C."""
    command = tracking.ui_command(host, port)
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    console.print(f"MLflow UI: http://{host}:{port}   (tracking store: {get_settings().tracking_uri}; Ctrl-C to stop)",
                  soft_wrap=True)
    sys.stdout.flush()
    os.execv(command[0], command)  # this process becomes the server: Ctrl-C and kill reach it directly
