"""`huntred ml ...`: train, compare and promote models; rule segments; analyzers."""
from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import datetime
from typing import Optional

import typer
from rich.table import Table

from cli.arguments import one_of
from cli.output import console, print_table, progress_printer
from foundation.errors import UserError
from foundation.settings import get_settings
from ml import tracking
from ml.aura.segments import SegmentRuleError
from ml.families import FAMILIES, family
from models.enums import BusinessUnit
from orchestration import launch
from serving.ml_scores import analyzers as listed
from serving.ml_scores import segments
from serving.snapshot import open_current

ml_app = typer.Typer(no_args_is_help=True, help="Models: train, compare, promote (MLflow), segments and analyzers.")
segment_app = typer.Typer(no_args_is_help=True, help="AURA rule segments.")
ml_app.add_typer(segment_app, name="segment")


@ml_app.command("train")
def train(model: str = typer.Argument("all", help="churn, matching, clusters, propensity-apply, propensity-retargeting-response, or all")) -> None:
    """Retrain through the Dagster job `ml_training`; a model becomes champion only if it beats the current one and
    its baseline on the same held-out data and shows no adverse impact."""
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
        baseline = m.get(f.baseline_metric) if f.baseline_metric else None
        table.add_row(f.model_name, version["version"], f.primary_metric, _fmt(m.get(f.primary_metric)), _fmt(baseline),
                      _fmt(champ), version["promotion"])
    print_table(table, prose=("outcome",))


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
