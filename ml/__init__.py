"""huntRED's models: analyzers (CV, skills, market, talent), AURA (embeddings, matching,
segments, clusters, propensity) and churn, tracked in MLflow.

Logic lives in small pure functions; ``orchestration/defs/ml.py`` and the CLI are shells.
"""
