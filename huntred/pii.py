"""Pseudonyms for emails, phones and names.

A pseudonym is ``<kind>_`` plus the first 16 hex digits of SHA-256(key || value): the
same person gets the same pseudonym in every response and export (so rows still
join and count), and without ``HUNTRED_PSEUDONYM_KEY`` it cannot be reversed by
hashing guesses. It is computed in the query itself (``pseudonym_sql``), so the
clear value never leaves the database for a role that may not see it.
"""
from __future__ import annotations

import hashlib

KINDS = ("email", "phone", "name")


def pseudonymize(value: str | None, kind: str, key: str) -> str | None:
    if value is None:
        return None
    return f"{kind}_" + hashlib.sha256((key + value).encode()).hexdigest()[:16]


def pseudonym_sql(column: str, kind: str, alias: str) -> str:
    """A SELECT item: the column in clear when ``$reveal_pii``, else its pseudonym (``$pii_key`` keys it)."""
    assert kind in KINDS
    return (f"CASE WHEN $reveal_pii OR {column} IS NULL THEN {column} "
            f"ELSE '{kind}_' || left(sha256($pii_key || {column}), 16) END AS {alias}")
