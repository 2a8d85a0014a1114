"""Models: MLflow runs side by side, champion vs challenger, plots and importance; retrain and promote.

Retrain and promote start the same launches as the CLI (`huntred ml train`, `huntred ml
promote`) in the background: retraining is the Dagster job `ml_training`, so the run
also shows in Dagster, and a model only becomes champion by itself if it passes the gate
(beats the champion and its baseline on the same held-out data, no adverse impact). A
promotion by hand needs a reason, recorded in MLflow with the signed-in user's name.
"""
import io
from datetime import datetime

import polars as pl
import streamlit as st

from apps import data, ui
from foundation.errors import UserError
from ml.families import FAMILIES
from models.labels import MISSING, ml_metric_label
from orchestration import launch


def four_places(value: float | None) -> str:
    return MISSING if value is None else f"{value:.4f}"


snap, user, _ = ui.page_context("models", "Models", "MLflow registry: champion and challenger of each model family")

family_name = st.selectbox("Model", list(FAMILIES), format_func=lambda n: f"{n} — {FAMILIES[n].description}", key="model_family")
family = FAMILIES[family_name]
versions = data.model_versions(family.model_name)


def start(action: str, what: str, **arguments) -> None:
    """Start the write in the background (``orchestration.launch``, the same Dagster jobs as the CLI)."""
    try:
        run, already = launch.start_in_background(f"models-page-{action}-{family.name}", action, **arguments)
    except UserError as exc:  # another run is writing
        st.error(f"{exc.problem} {exc.fix}")
        return
    if not already:
        st.session_state.setdefault("model_jobs", []).append({"what": what, "run": run})
    st.toast(f"{what}: {'already running' if already else 'started'}; log: {run.log_file}")


actions = st.columns([1, 1, 3])
if actions[0].button("Retrain", key="retrain", type="primary", help="Runs the Dagster job ml_training for this model"):
    start("retrain", f"Retraining {family.model_name} (Dagster job ml_training)", names=[family.name])
candidates = [v["version"] for v in versions if "champion" not in v["aliases"]]
with actions[1].popover("Promote…", disabled=not candidates):
    chosen = st.selectbox("Version", candidates, key="promote_version")
    reason = st.text_input("Why (recorded with your name)", key="promote_reason",
                           placeholder="e.g. the baseline's lead is within noise on this sample").strip()
    # a promotion by hand overrules the gate: it must say why, so every table can say it too
    clicked = st.button("Make champion", key="promote", disabled=not reason, help=None if reason else "Write why first.")
    if clicked and chosen and reason:
        start("promote", f"Promoting v{chosen} and re-scoring", name=family.name, version=str(chosen), reason=reason,
              by=user.username)
for job in st.session_state.get("model_jobs", []):
    status = "running" if launch.still_running(job["run"]) else "finished"
    actions[2].caption(f"{job['what']}: {status} · log `{job['run'].log_file}`")

if not versions:
    st.info(f"{family.model_name} has not been trained yet. Press Retrain (or run `huntred ml train {family.name}`).")
    st.stop()

metric = family.primary_metric
metric_label = ml_metric_label(metric)
champion = next((v for v in versions if "champion" in v["aliases"]), None)
challenger = next((v for v in versions if "challenger" in v["aliases"]), None)
tiles = st.columns(4)
tiles[0].metric(f"Champion {metric_label}", four_places(champion["metrics"].get(metric)) if champion else MISSING,
                help=f"v{champion['version']}" if champion else None)
if challenger:
    same_data = challenger["metrics"].get(f"champion_{metric}")
    tiles[1].metric(f"Challenger {metric_label}", four_places(challenger["metrics"].get(metric)),
                    delta=f"{challenger['metrics'][metric] - same_data:+.4f} vs champion on the same data" if same_data is not None else None,
                    help=f"v{challenger['version']}: {challenger['promotion']}")
baseline_key = (family.baseline_of(champion["metrics"]) or (None,))[0] if champion else None
if baseline_key:
    tiles[2].metric(f"Baseline {metric_label}", four_places(champion["metrics"][baseline_key]),
                    help=ml_metric_label(baseline_key))
tiles[3].metric("Versions", len(versions))

st.subheader("Versions")
table = pl.DataFrame([{
    "version": int(v["version"]), "aliases": ", ".join(v["aliases"]) or MISSING,
    "trained": datetime.fromtimestamp(v["created"] / 1000), metric_label: v["metrics"].get(metric),
    "baseline": v["metrics"].get(baseline_key) if baseline_key else None,
    "champion on the same data": v["metrics"].get(f"champion_{metric}"), "promotion": v["promotion"],
} for v in versions])
ui.table(table, key="versions_table", decimals=4)

st.subheader("Runs side by side")
picked = st.multiselect("Versions", [v["version"] for v in versions],
                        default=[v["version"] for v in (champion, challenger) if v][:2] or [versions[0]["version"]], key="compare_versions")
by_version = {v["version"]: v for v in versions}
chosen_runs = [by_version[p] for p in picked]
if chosen_runs:
    names = sorted({k for v in chosen_runs for k in v["metrics"] if not k.startswith("silhouette_k")}, key=lambda k: (k != metric, k))
    side = pl.DataFrame({"model metric": [ml_metric_label(k) for k in names],
                         **{f"v{v['version']}": [v["metrics"].get(k) for k in names] for v in chosen_runs}},
                        schema_overrides={f"v{v['version']}": pl.Float64 for v in chosen_runs})
    ui.table(side, key="side_by_side", decimals=4)
    for v in chosen_runs:
        artifacts = data.run_artifacts(v["run_id"])
        plots = {k: b for k, b in artifacts.items() if k.endswith(".png")}
        tables = {k: b for k, b in artifacts.items() if k.endswith(".csv")}
        with st.expander(f"v{v['version']}: plots and tables", expanded=v is chosen_runs[0]):
            if plots:
                cols = st.columns(min(3, len(plots)))
                for col, (name, image) in zip(cols * 3, plots.items()):
                    col.image(image, caption=name.split("/")[-1])
            for name, raw in tables.items():
                st.caption(name.split("/")[-1].replace("_", " ").removesuffix(".csv"))
                ui.table(pl.read_csv(io.BytesIO(raw)))

st.subheader("Scores in the warehouse")
scores = data.ml_read(snap.path.name, "score_summary", family.name)
if scores.is_empty():
    st.info("No scores in this snapshot yet: they are written after a champion exists, by the next run.")
else:
    ui.table(scores, key="scores_table")

with st.expander("Segments and analyzers"):
    segments = data.ml_read(snap.path.name, "segments")
    ui.table(segments.rename({"bu": "business_unit"}, strict=False), key="segments_table")
    ui.table(data.ml_read(snap.path.name, "analyzers"), key="analyzers_table")
