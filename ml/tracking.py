"""MLflow: one experiment per model family, a registry with `champion` and `challenger` aliases.

A newly trained model is registered and becomes `challenger`; it becomes `champion`
only if it passes the gate (ml.promotion.decide): it beats the current champion on the
*same* held-out data (the champion is re-scored on it in the same run; no champion yet
passes), beats its own baseline on that data, and shows no adverse impact where the
family checks it. The verdict and each condition's reason are tags of the run and the
version. A data scientist may promote a version by hand, with a reason, recorded as
version tags too. Scoring always loads `@champion`. Tracking is a local sqlite store
and artifact folder under the warehouse unless HUNTRED_MLFLOW_TRACKING_URI points at a server.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any, Callable

from foundation.errors import UserError
from foundation.settings import Settings, get_settings
from ml import promotion

CHAMPION, CHALLENGER = "champion", "challenger"


def configure(settings: Settings | None = None):
    """Point MLflow at the configured store (idempotent); returns the mlflow module."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import mlflow

    settings = settings or get_settings()
    if settings.mlflow_tracking_uri is None:
        settings.mlflow_dir.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(settings.tracking_uri)
    mlflow.set_registry_uri(settings.tracking_uri)
    return mlflow


def experiment_id(mlflow, name: str, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    found = mlflow.get_experiment_by_name(name)
    if found:
        return found.experiment_id
    location = None if settings.mlflow_tracking_uri else (settings.mlflow_dir / "artifacts" / name).as_uri()
    return mlflow.create_experiment(name, artifact_location=location)


@dataclass
class TrainedModel:
    """What a family's training returns; `evaluate` scores any model of the family on the same held-out data."""

    model: Any
    metrics: dict[str, float]
    params: dict[str, Any]
    features: list[str]
    data: dict[str, Any]  # snapshot fingerprint: hashes and row counts
    evaluate: Callable[[Any], dict[str, float]]
    figures: dict[str, Any] = field(default_factory=dict)  # file name -> matplotlib figure
    tables: dict[str, Any] = field(default_factory=dict)  # file name -> polars frame (logged as CSV)
    input_example: Any = None
    #: who -> adverse-impact ratio (selection rate over the best group's) on the held-out data; None: no such check
    fairness: dict[str, float] | None = None
    #: "<metric> vs <reference>" -> (value, reference's) on the team's real set; None: the family has no such check,
    #: {} when it has one but the set could not be read (ml.promotion refuses it then)
    real_set: dict[str, tuple[float, float]] | None = None


@dataclass
class RegistrationOutcome:
    model_name: str
    version: str
    run_id: str
    metric: str
    value: float
    champion_version: str | None
    champion_value: float | None
    promoted: bool
    reason: str  # the gate's verdict: 'promoted: …' or 'not promoted: …', every condition in plain words
    metrics: dict[str, float] = field(default_factory=dict)
    checks: dict[str, tuple[bool, str]] = field(default_factory=dict)  # condition -> (passed, why)


def frame_fingerprint(**frames) -> dict[str, Any]:
    """Row counts and a content hash per training frame (polars), so a run names the data it saw."""
    out: dict[str, Any] = {}
    for name, frame in frames.items():
        digest = hashlib.sha256()
        digest.update(",".join(frame.columns).encode())
        if frame.height:
            digest.update(frame.hash_rows(seed=0).sort().to_numpy().tobytes())
        out[f"{name}_rows"] = frame.height
        out[f"{name}_sha256"] = digest.hexdigest()
    return out


def pip_requirements(*packages: str) -> list[str]:

    return [f"{p}=={installed_version(p)}" for p in packages]


def register(family: str, model_name: str, trained: TrainedModel, *, primary_metric: str, higher_is_better: bool = True,
             baseline_metric: str | Callable[[dict], tuple[str, float] | None] | None = None,
             requirements: list[str], tags: dict[str, str] | None = None,
             settings: Settings | None = None) -> RegistrationOutcome:
    """Log the run, register the model as challenger, promote it if it passes the gate (ml.promotion.decide)."""
    mlflow = configure(settings)
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    champion = champion_version(client, model_name)
    with mlflow.start_run(experiment_id=experiment_id(mlflow, f"huntred-{family}", settings),
                          tags={"family": family, **(tags or {})}) as run:
        mlflow.log_params({k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in trained.params.items()})
        mlflow.log_metrics(trained.metrics)
        mlflow.log_dict({"features": trained.features}, "features.json")
        mlflow.log_dict(trained.data, "data_snapshot.json")
        mlflow.log_params({f"data.{k}": v for k, v in trained.data.items() if not k.endswith("_sha256")})
        mlflow.set_tag("data.fingerprint", hashlib.sha256(json.dumps(trained.data, sort_keys=True).encode()).hexdigest()[:16])
        if trained.fairness is not None:
            mlflow.log_dict(trained.fairness, "fairness.json")
        if trained.real_set is not None:
            mlflow.log_dict({what: {"value": v, "reference": ref} for what, (v, ref) in trained.real_set.items()},
                            "real_set.json")
        with tempfile.TemporaryDirectory() as tmp:
            for filename, fig in trained.figures.items():
                mlflow.log_figure(fig, f"plots/{filename}")
            for filename, frame in trained.tables.items():
                path = Path(tmp) / filename
                frame.write_csv(path)
                mlflow.log_artifact(str(path), "tables")
        import matplotlib.pyplot as plt

        for fig in trained.figures.values():
            plt.close(fig)
        champion_value = None
        if champion is not None:
            # the champion, re-scored on this run's held-out data: the only fair comparison
            champion_metrics = trained.evaluate(load_version(model_name, champion))
            champion_value = champion_metrics[primary_metric]
            mlflow.log_metrics({f"champion_{k}": v for k, v in champion_metrics.items()})
        info = _log_model(trained, model_name, requirements)
        version = str(info.registered_model_version)
        value = trained.metrics[primary_metric]
        decision = promotion.decide(
            primary_metric, value, champion=None if champion is None else (champion, champion_value),
            baseline=_baseline_value(baseline_metric, trained.metrics), fairness=trained.fairness,
            real_set=trained.real_set, higher_is_better=higher_is_better)
        verdict = gate_tags(decision)
        mlflow.set_tags(verdict)
        run_id = run.info.run_id
    client.set_registered_model_alias(model_name, CHALLENGER, version)
    for key, tag in {"run_id": run_id, **verdict}.items():
        client.set_model_version_tag(model_name, version, key, tag)
    if decision.promoted:
        _move_champion(client, model_name, version, previous=champion, manual=False,
                       note={"promotion": "automatic", "promoted_by": "the gate"})
    return RegistrationOutcome(model_name, version, run_id, primary_metric, value, champion, champion_value,
                               decision.promoted, decision.summary, dict(trained.metrics), decision.checks)


def _baseline_value(baseline_metric, metrics: dict[str, float]) -> float | None:
    """The baseline the gate compares with: a metric's value, or the strongest a family picks (Family.baseline_of)."""
    if baseline_metric is None:
        return None
    if callable(baseline_metric):
        found = baseline_metric(metrics)
        return found[1] if found else None
    return metrics[baseline_metric]


def gate_tags(decision: promotion.Decision) -> dict[str, str]:
    """The gate's verdict as MLflow tags: the decision, its summary, and each condition's reason on its own."""
    return {"promoted": str(decision.promoted).lower(), "promotion_reason": decision.summary,
            **{f"gate.{condition}": ("passed: " if passed else "failed: ") + why
               for condition, (passed, why) in decision.checks.items()}}


def _move_champion(client, model_name: str, version: str, *, previous: str | None, manual: bool, note: dict[str, str]) -> None:
    """Give `version` the champion alias with how and why (version tags), and tell the one it replaces who took it."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    held = client.get_model_version(model_name, version).tags or {}
    for key in ("replaced_by", "replaced_how", "replaced_at"):  # a former champion promoted again is champion now
        if key in held:
            client.delete_model_version_tag(model_name, version, key)
    for key, value in {**note, "promoted_at": now}.items():
        client.set_model_version_tag(model_name, version, key, value)
    client.set_registered_model_alias(model_name, CHAMPION, version)
    if previous is not None and previous != version:
        how = promotion.replaced_how(manual, note.get("promoted_by"))
        for key, value in {"replaced_by": version, "replaced_how": how, "replaced_at": now}.items():
            client.set_model_version_tag(model_name, previous, key, value)


def _log_model(trained: TrainedModel, model_name: str, requirements: list[str]):
    """Saved with skops (no arbitrary pickle); the types trusted on load are exactly those of the model we trained."""
    import mlflow.sklearn
    import skops.io

    trusted = skops.io.get_untrusted_types(data=skops.io.dumps(trained.model))
    return mlflow.sklearn.log_model(trained.model, name="model", registered_model_name=model_name,
                                    pip_requirements=requirements, input_example=trained.input_example,
                                    skops_trusted_types=trusted)


def champion_version(client, model_name: str) -> str | None:
    from mlflow.exceptions import MlflowException

    try:
        return str(client.get_model_version_by_alias(model_name, CHAMPION).version)
    except MlflowException:
        return None


def load_version(model_name: str, version: str):
    import mlflow.sklearn

    return mlflow.sklearn.load_model(f"models:/{model_name}/{version}")


def load_champion(model_name: str, settings: Settings | None = None):
    """(model, version) of the champion, or (None, None) when none has been promoted yet."""
    configure(settings)
    from mlflow.tracking import MlflowClient

    version = champion_version(MlflowClient(), model_name)
    if version is None:
        return None, None
    return load_version(model_name, version), version


def check_promotion_reason(reason: str | None) -> str:
    """A manual promotion overrules the gate: it must say why, so the tables can say it too."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise UserError("A manual promotion needs a reason.",
                        'Say why this version should be champion, e.g. --reason "the baseline\'s lead is within noise".')
    return reason


def promote(model_name: str, version: str, *, reason: str, by: str, settings: Settings | None = None) -> str | None:
    """Make a version champion by hand, recording who and why (version tags); returns the version it replaces."""
    reason = check_promotion_reason(reason)
    configure(settings)
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    try:
        client.get_model_version(model_name, version)
    except MlflowException:
        raise UserError(f"Model {model_name} has no version {version}.",
                        f"See `huntred ml compare {model_name.removeprefix('huntred-')}` for its versions.") from None
    previous = champion_version(client, model_name)
    if previous == str(version):
        raise UserError(f"{model_name} v{version} is already champion.", "Choose another version to promote.")
    _move_champion(client, model_name, str(version), previous=previous, manual=True,
                   note={"promotion": "manual", "promoted_by": by, "promotion_reason": reason})
    return previous


def versions(model_name: str, settings: Settings | None = None) -> list[dict]:
    """Every registered version with its run's metrics, aliases, tags and promotion status (newest first): `promotion`
    is the sentence every table shows (ml.promotion.status: a manual promotion or a lost alias, not the gate's old
    verdict); `gate` is what the gate said when the version was trained."""
    configure(settings)
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    try:
        model = client.get_registered_model(model_name)
    except MlflowException:
        return []
    aliases: dict[str, list[str]] = {}
    for alias, version in (model.aliases or {}).items():
        aliases.setdefault(str(version), []).append(alias)
    rows = []
    for mv in client.search_model_versions(f"name='{model_name}'"):
        run = client.get_run(mv.run_id) if mv.run_id else None
        run_tags = dict(run.data.tags) if run else {}
        # versions registered before the gate wrote version tags have their verdict on the run only
        tags = {**{k: run_tags[k] for k in ("promoted", "promotion_reason") if k in run_tags}, **(mv.tags or {})}
        mine = sorted(aliases.get(str(mv.version), []))
        rows.append({
            "version": str(mv.version), "aliases": mine, "created": mv.creation_timestamp, "run_id": mv.run_id,
            "metrics": dict(run.data.metrics) if run else {}, "params": dict(run.data.params) if run else {},
            "tags": tags, "promotion": promotion.status(tags, mine), "gate": run_tags.get("promotion_reason", ""),
        })
    return sorted(rows, key=lambda r: int(r["version"]), reverse=True)


def run_artifacts(run_id: str, folders: tuple[str, ...] = ("plots", "tables"), settings: Settings | None = None) -> dict[str, bytes]:
    """The files a run logged under these folders (plots as PNG, tables as CSV), by artifact path."""
    configure(settings)
    from mlflow.tracking import MlflowClient

    client, out = MlflowClient(), {}
    with tempfile.TemporaryDirectory() as tmp:
        for folder in folders:
            if not client.list_artifacts(run_id, folder):
                continue
            local = Path(client.download_artifacts(run_id, folder, tmp))
            for file in sorted(local.iterdir()):
                out[f"{folder}/{file.name}"] = file.read_bytes()
    return out


def ui_command(host: str, port: int, settings: Settings | None = None) -> list[str]:
    """The command serving MLflow's UI (and REST API) on this project's tracking store: the sqlite file and artifact
    folder under the warehouse, read by the MLflow installed beside this interpreter."""
    settings = settings or get_settings()
    if settings.mlflow_tracking_uri:
        raise UserError(f"The models are tracked by the MLflow server at {settings.mlflow_tracking_uri}.",
                        "Open it there; this command serves only the local store under the warehouse.")
    settings.mlflow_dir.mkdir(parents=True, exist_ok=True)
    return [str(Path(sys.executable).with_name("mlflow")), "server", "--backend-store-uri", settings.tracking_uri,
            "--default-artifact-root", (settings.mlflow_dir / "artifacts").as_uri(), "--host", host, "--port", str(port),
            "--workers", "1"]
