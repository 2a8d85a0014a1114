"""Dagster definitions of the huntRED lakehouse (``definitions.py`` gathers them)."""
