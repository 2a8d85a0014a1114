"""Analyzers: what a CV says (cv.py) and what the market says (market.py), recorded per run (runs.py)."""
