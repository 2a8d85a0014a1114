"""ML figures for `make bench`: embedding throughput against plain `model.encode`, the cached re-run, model
quality against baselines (from the MLflow runs `huntred ml train all` just logged) and training time."""
from __future__ import annotations

import os
import time
from pathlib import Path

import psutil


def embedding_throughput(warehouse: Path, limit: int = 1000) -> dict:
    """Ours (chunked, length-sorted batches, cache) vs plain `model.encode` on the same CV texts, fresh cache."""
    import duckdb

    from foundation.settings import Settings
    from ml.aura.embeddings import embed, encoder_for
    from ml.aura.encoders import load_encoder

    texts = _generated_cvs(warehouse, limit)
    fp32 = encoder_for("fp32", Settings(warehouse_dir=warehouse))
    model = load_encoder()
    tokens = sum(len(model.tokenizer.tokenize(t)) for t in texts)
    model.encode(texts[:32])  # warm-up: first-call costs are not throughput
    me = psutil.Process()

    def timed(fn):
        cpu0, t0 = sum(me.cpu_times()[:2]), time.monotonic()
        fn()
        wall = time.monotonic() - t0
        return wall, (sum(me.cpu_times()[:2]) - cpu0) / wall / (os.cpu_count() or 1)

    plain_s, plain_cpu = timed(lambda: model.encode(texts, batch_size=32, normalize_embeddings=True))
    cache = duckdb.connect(":memory:")
    ours_s, ours_cpu = timed(lambda: embed(cache, texts, encoder=fp32))
    cached_s, _ = timed(lambda: embed(cache, texts, encoder=fp32))
    return {"texts": len(texts), "word_pieces": tokens,
            "plain_texts_per_s": round(len(texts) / plain_s, 1), "ours_texts_per_s": round(len(texts) / ours_s, 1),
            "plain_cpu_utilisation": round(plain_cpu, 2), "ours_cpu_utilisation": round(ours_cpu, 2),
            "cached_rerun_s": round(cached_s, 3), "cached_texts_per_s": round(len(texts) / cached_s)}


def model_quality(env: dict) -> dict:
    """Primary metric and baseline of the newest version of each family, as logged in MLflow."""
    os.environ["HUNTRED_WAREHOUSE_DIR"] = env["HUNTRED_WAREHOUSE_DIR"]
    from foundation.settings import get_settings

    get_settings.cache_clear()
    from ml import tracking
    from ml.families import FAMILIES

    out = {}
    for name, family in FAMILIES.items():
        versions = tracking.versions(family.model_name)
        if not versions:
            continue
        m = versions[0]["metrics"]
        keep = {k: round(v, 4) for k, v in m.items() if not k.startswith(("champion_", "silhouette_k"))}
        out[name] = {"primary_metric": family.primary_metric, **keep}
    return out


def embedding_backends(warehouse: Path, limit: int = 1000) -> list[dict]:
    """bf16 and int8 against fp32 through ``embed`` (chunks, sorted batches, fresh caches) on the same generated CVs,
    then the same qualification `huntred ml embeddings qualify` runs on the real set's texts."""
    import duckdb

    from foundation.settings import Settings
    from ml.aura import real_set
    from ml.aura.embeddings import ENCODERS, embed, encoder_for, qualify_backends
    from ml.aura.encoders import Qualification

    settings = Settings(warehouse_dir=warehouse)  # the int8 export and the qualification go with the bench's warehouse
    texts = _generated_cvs(warehouse, limit)
    runs = {}
    for backend in ENCODERS:
        encoder = encoder_for(backend, settings)
        embed(duckdb.connect(":memory:"), texts[:32], encoder=encoder)  # warm-up
        started = time.monotonic()
        vectors, _ = embed(duckdb.connect(":memory:"), texts, encoder=encoder)
        runs[backend] = (time.monotonic() - started, vectors)
    fp32_s, reference = runs.pop("fp32")
    real = {q.backend: q for q in qualify_backends(settings, real_set.texts(settings.real_set_dir))}
    out = []
    for backend, (seconds, vectors) in runs.items():
        generated = Qualification.of(backend, reference, vectors, fp32_s, seconds)
        out.append({"backend": backend, "generated_cvs": len(texts), "fp32_cvs_per_s": generated.fp32_inputs_per_s,
                    "cvs_per_s": generated.inputs_per_s, "speedup": generated.speedup,
                    "min_cosine": generated.min_cosine, "mean_cosine": generated.mean_cosine,
                    "meets_bar_on_generated": generated.qualified, "real_set_speedup": real[backend].speedup,
                    "real_set_min_cosine": real[backend].min_cosine, "qualified": real[backend].qualified})
    return out


def _generated_cvs(warehouse: Path, limit: int) -> list[str]:
    import duckdb

    with duckdb.connect(str(warehouse / "lakehouse.duckdb"), read_only=True) as src:
        return [t for (t,) in src.sql(f"SELECT cv_text FROM staging.stg_scraped__cvs ORDER BY candidate_id "
                                      f"LIMIT {limit}").fetchall()]
