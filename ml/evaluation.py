"""Metrics and plots shared by every model family (pure functions over numpy arrays)."""
from __future__ import annotations

import math

import numpy as np


# -- classification -------------------------------------------------------------------------
def lift_at_top(y: np.ndarray, p: np.ndarray, fraction: float = 0.1) -> float:
    """Positive rate in the top `fraction` by score over the overall positive rate (1 = no better than chance)."""
    y, p = np.asarray(y), np.asarray(p)
    if y.size == 0 or y.mean() == 0:
        return float("nan")
    k = max(1, int(math.ceil(fraction * y.size)))
    top = np.argsort(-p, kind="stable")[:k]
    return float(y[top].mean() / y.mean())


def classification_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.asarray(y).astype(int)
    return {
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "lift_top_decile": lift_at_top(y, p, 0.1),
        "base_rate": float(y.mean()),
    }


# -- ranking --------------------------------------------------------------------------------
def dcg(gains: np.ndarray) -> float:
    gains = np.asarray(gains, dtype=float)
    return float(((2 ** gains - 1) / np.log2(np.arange(2, gains.size + 2))).sum())


def ndcg_at_k(ranked_grades: np.ndarray, all_grades: np.ndarray, k: int = 10) -> float:
    """NDCG@k with graded gains 2^g - 1; the ideal ranking sorts every candidate's grade."""
    ideal = dcg(np.sort(np.asarray(all_grades))[::-1][:k])
    return dcg(np.asarray(ranked_grades)[:k]) / ideal if ideal > 0 else 0.0


def mrr_at_k(ranked_relevant: np.ndarray, k: int = 10) -> float:
    hits = np.flatnonzero(np.asarray(ranked_relevant)[:k])
    return 1.0 / (hits[0] + 1) if hits.size else 0.0


def recall_at_k(ranked_relevant: np.ndarray, total_relevant: int, k: int = 50) -> float:
    return float(np.asarray(ranked_relevant)[:k].sum() / total_relevant) if total_relevant else 0.0


def ranking_metrics(scores: np.ndarray, grades: np.ndarray, relevant_grade: int) -> dict[str, float]:
    """Means over queries of NDCG@10, NDCG@50, MRR@10, recall@50 and ROC-AUC: scores and grades are (queries x items).

    ROC-AUC is the chance that a relevant item (grade >= relevant_grade) outranks an irrelevant one within the same
    query (ties count half); a query with no relevant or no irrelevant item has none and is left out of that mean.
    """
    ndcg, ndcg50, mrr, recall, auc = [], [], [], [], []
    for s, g in zip(scores, grades):
        relevant = g >= relevant_grade
        if not relevant.any():
            continue  # a query with nothing relevant says nothing about the ranking
        order = np.argsort(-s, kind="stable")
        ndcg.append(ndcg_at_k(g[order], g, 10))
        ndcg50.append(ndcg_at_k(g[order], g, 50))
        mrr.append(mrr_at_k(relevant[order], 10))
        recall.append(recall_at_k(relevant[order], int(relevant.sum()), 50))
        if not relevant.all():
            auc.append(pairwise_auc(s[relevant], s[~relevant]))
    mean = lambda values: float(np.mean(values)) if values else 0.0  # noqa: E731
    return {"ndcg_at_10": mean(ndcg), "ndcg_at_50": mean(ndcg50), "mrr_at_10": mean(mrr), "recall_at_50": mean(recall),
            "roc_auc": mean(auc) if auc else float("nan"), "queries": float(len(ndcg))}


def pairwise_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """P(a positive's score > a negative's), ties half: the Mann-Whitney form of ROC-AUC."""
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([positive, negative]))
    n_pos, n_neg = positive.size, negative.size
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def adverse_impact(selected: np.ndarray, groups: np.ndarray) -> list[dict]:
    """Selection rate per group and its ratio to the highest group's rate (the four-fifths rule flags < 0.8)."""
    selected, groups = np.asarray(selected, dtype=bool), np.asarray(groups)
    rates = {}
    for g in sorted(set(groups.tolist())):
        mask = groups == g
        rates[g] = (int(mask.sum()), float(selected[mask].mean()) if mask.any() else 0.0)
    best = max((r for _, r in rates.values()), default=0.0)
    return [{"group": g, "pool": n, "selection_rate": round(r, 4),
             "impact_ratio": round(r / best, 4) if best else float("nan"),
             "flag_four_fifths": bool(best and r / best < 0.8)} for g, (n, r) in rates.items()]


# -- plots ----------------------------------------------------------------------------------
def _figure(title: str):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4.2), dpi=110)
    ax.set_title(title)
    return fig, ax


def roc_figure(curves: dict[str, tuple[np.ndarray, np.ndarray]]):
    from sklearn.metrics import roc_auc_score, roc_curve

    fig, ax = _figure("ROC on the test period")
    for name, (y, p) in curves.items():
        fpr, tpr, _ = roc_curve(y, p)
        ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, p):.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def calibration_figure(curves: dict[str, tuple[np.ndarray, np.ndarray]], bins: int = 10):
    from sklearn.calibration import calibration_curve

    fig, ax = _figure("Calibration on the test period")
    for name, (y, p) in curves.items():
        frac, mean = calibration_curve(y, p, n_bins=bins, strategy="quantile")
        ax.plot(mean, frac, marker="o", label=name)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed rate")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def importance_figure(importance: dict[str, float], title: str = "Feature importance (gain)"):
    fig, ax = _figure(title)
    items = sorted(importance.items(), key=lambda kv: kv[1])[-15:]
    ax.barh([k for k, _ in items], [v for _, v in items], color="#b3001b")
    fig.tight_layout()
    return fig
