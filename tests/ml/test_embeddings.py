"""Embeddings: chunks fit the model, vectors equal the plain model's, and a re-run embeds only what changed."""
from __future__ import annotations

import duckdb
import numpy as np

from ml.aura.embeddings import MAX_WORD_PIECES, chunk_text, embed
from ml.aura.encoders import load_encoder


def test_long_texts_are_cut_into_chunks_the_model_can_read_whole():
    model = load_encoder()
    count = lambda s: len(model.tokenizer.tokenize(s))  # noqa: E731
    text = "\n".join(f"Línea {i}: experiencia en Python, SQL, dbt y Airflow para {i} clientes de logística." for i in range(80))
    text += "\n" + " ".join(["palabra"] * 600)  # one line longer than the model's window
    chunks = chunk_text(text, count)
    assert len(chunks) > 3
    assert all(count(c) <= MAX_WORD_PIECES - 2 for c in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())  # nothing lost, nothing reordered


def test_vectors_are_the_models_own_and_the_cache_embeds_only_new_or_changed_texts(tmp_path):
    con = duckdb.connect(str(tmp_path / "cache.duckdb"))
    texts = ["Científico de datos con Python y SQL", "Contador público con SAP", "Operador de montacargas"]
    first, stats = embed(con, texts)
    assert (stats.embedded, stats.cached) == (3, 0)
    plain = load_encoder().encode(texts, normalize_embeddings=True)
    assert np.allclose(first, plain, atol=1e-5)
    again, stats = embed(con, texts)
    assert (stats.embedded, stats.cached) == (0, 3) and np.array_equal(first, again)
    changed, stats = embed(con, [texts[0], texts[1] + " e IFRS", texts[2], texts[2]])
    assert (stats.embedded, stats.cached) == (1, 2)
    assert np.array_equal(changed[3], changed[2]) and np.array_equal(changed[0], first[0])
    assert con.sql("SELECT count(*) FROM ml.embeddings").fetchall()[0][0] == 4
