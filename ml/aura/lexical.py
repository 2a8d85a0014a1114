"""The lexical baselines a matcher must beat: BM25 and TF-IDF cosine over the raw texts.

Both compare words as written (folded: lower case, no accents), so an English CV and a Spanish
vacancy share few of them; that is the point of a baseline, and why the matcher's own signals are
language-neutral (see ml.aura.matching). ``scores`` arrays are (queries x documents).
"""
from __future__ import annotations

import re

import numpy as np
from scipy import sparse

from ml.analyzers.taxonomy import fold

# Okapi BM25's usual constants (Robertson & Zaragoza 2009): term-frequency saturation and length normalisation
BM25_K1 = 1.2
BM25_B = 0.75

#: the commonest function words of both languages: they carry no meaning for a match and only add length
STOPWORDS = frozenset("""
a al and an are as at be by de del el en es for from has have in is it la las lo los o of on or para por que se
su sus the this to un una uno with y you your our we will con como mas sin sobre entre""".split())

_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*")


def tokens(text: str) -> list[str]:
    """Folded words of two characters or more, stopwords left out ("C++" and "C#" stay words)."""
    return [w for w in _WORD.findall(fold(text)) if len(w) > 1 and w not in STOPWORDS]


def _term_matrix(texts: list[str], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    rows, cols, data = [], [], []
    for i, text in enumerate(texts):
        counts: dict[int, int] = {}
        for word in tokens(text):
            j = vocabulary.get(word)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        rows += [i] * len(counts)
        cols += list(counts)
        data += list(counts.values())
    return sparse.csr_matrix((np.asarray(data, np.float64), (rows, cols)), shape=(len(texts), len(vocabulary)))


def bm25_scores(queries: list[str], documents: list[str], k1: float = BM25_K1, b: float = BM25_B) -> np.ndarray:
    """Okapi BM25 of every document for every query, with IDF over the documents (the collection searched).

    idf = ln(1 + (N - n + 0.5) / (n + 0.5)), always positive; each query word counts once per occurrence.
    """
    vocabulary: dict[str, int] = {}
    for text in documents:
        for word in tokens(text):
            vocabulary.setdefault(word, len(vocabulary))
    if not vocabulary or not documents:
        return np.zeros((len(queries), len(documents)))
    tf = _term_matrix(documents, vocabulary)
    n_docs = tf.shape[0]
    present = np.asarray((tf > 0).sum(axis=0)).ravel()
    idf = np.log1p((n_docs - present + 0.5) / (present + 0.5))
    length = np.asarray(tf.sum(axis=1)).ravel()
    norm = k1 * (1 - b + b * length / max(length.mean(), 1e-9))
    tf = tf.tocoo()
    weight = tf.data * (k1 + 1) / (tf.data + norm[tf.row]) * idf[tf.col]
    doc_term = sparse.csr_matrix((weight, (tf.row, tf.col)), shape=tf.shape)
    query_terms = _term_matrix(queries, vocabulary)
    return np.asarray((query_terms @ doc_term.T).todense())


def tfidf_scores(queries: list[str], documents: list[str]) -> np.ndarray:
    """TF-IDF cosine (1-2 grams, sublinear tf, accents stripped), fitted on both sides' texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(strip_accents="unicode", lowercase=True, sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    matrix = vectorizer.fit_transform(documents + queries)
    docs, qs = matrix[:len(documents)], matrix[len(documents):]
    return (qs @ docs.T).toarray()
