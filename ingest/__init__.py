"""Ingestion: landing files -> validated ``raw`` rows, ``quarantine`` rows and a file ledger.

Parsers (one module per source family) are pure: bytes in, good rows and
quarantined records out. ``driver.ingest_family`` does the I/O: it finds files not
seen before, drops duplicates, and commits each file with its ledger row in one
transaction.
"""
