"""The lexical baselines, on cases worked out by hand from Okapi BM25's definition."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ml.aura.lexical import bm25_scores, tfidf_scores, tokens


def test_bm25_matches_the_formula_worked_by_hand():
    documents = ["Python SQL", "python Python Java", "Excel"]
    scores = bm25_scores(["python"], documents)[0]
    # N = 3 documents, "python" in 2: idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)); lengths 2, 3, 1 words (mean 2)
    idf = math.log(1 + 1.5 / 2.5)
    first = idf * 1 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / 2))
    second = idf * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 3 / 2))
    assert scores == pytest.approx([first, second, 0.0])


def test_bm25_rewards_rare_words_and_saturates_repetition():
    documents = ["java java java java java java developer", "kotlin developer", "java developer", "java tester"]
    rare, common = bm25_scores(["kotlin", "java"], documents)
    assert rare.argmax() == 1 and rare[[0, 2, 3]].max() == 0
    # six times the word is not six times the score (saturation), and the longer text is normalised down
    assert common[0] < 2 * common[2]


def test_words_are_folded_and_function_words_ignored():
    assert tokens("Gestión de Nómina y C++ / C# en la empresa") == ["gestion", "nomina", "c++", "c#", "empresa"]
    assert bm25_scores(["de la y the and"], ["de la y the and of", "contabilidad"]).max() == 0


def test_nothing_to_search_scores_zero():
    assert bm25_scores(["python"], []).shape == (1, 0)
    assert (bm25_scores(["python"], ["", "de la"]) == 0).all()


def test_tfidf_is_a_cosine_between_query_and_document():
    scores = tfidf_scores(["data analyst sql"], ["data analyst sql", "nurse", "sql"])
    assert scores[0, 0] == pytest.approx(1.0) and scores[0, 1] == 0 and 0 < scores[0, 2] < 1
    assert np.all(scores <= 1 + 1e-9)
