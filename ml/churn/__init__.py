"""Churn: which candidates go inactive in the next 30 days (features.py, model.py)."""
