"""Pseudonyms for emails, phones and names.

A pseudonym is ``<kind>_`` plus the first 16 hex digits of SHA-256(key || value): the
same person gets the same pseudonym in every response and export (so rows still
join and count), and without ``HUNTRED_PSEUDONYM_KEY`` it cannot be reversed by
hashing guesses. It is computed in the query itself (``pseudonym_sql``), so the
clear value never leaves the database for a role that may not see it.
"""
from __future__ import annotations

import hashlib
import re

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


# -- free text: quarantined records ---------------------------------------------------------------
# A quarantined record is kept as it arrived (JSON of any source, a CSV row, a truncated line), so it
# cannot be pseudonymized column by column in SQL like the marts: it is redacted here, in Python, as
# text. Three passes: values of known PII fields (at any JSON escaping depth, so event_json and Stripe
# bodies nested as strings are covered, and up to the end of a truncated record); then free-text
# message fields, withheld whole (a chatbot greets a candidate by first name, and no pattern finds a
# name in prose); then email and phone patterns anywhere, for CSV rows and text without field names.
# Every value found in a field is also replaced wherever else it occurs in the record's texts (the
# reason quotes the bad value: "email = 'ana at mail.mx' is not valid").

#: JSON field -> kind of pseudonym (matched case-insensitively)
PII_FIELDS = {
    "firstname": "name", "first_name": "name", "lastname": "name", "last_name": "name", "name": "name",
    "full_name": "name", "fullname": "name", "customer_name": "name", "email": "email", "customer_email": "email",
    "receipt_email": "email", "phone": "phone", "phone_number": "phone", "mobile": "phone",
}
#: Fields of free text written by people or bots about people: withheld whole.
FREE_TEXT_FIELDS = ("content", "message", "text", "comment", "notes")
WITHHELD = "[free text withheld]"

# `\\*"` is a quote at any escaping depth; the value ends at the same depth (a quote not escaped once
# more) or at the end of the text (a truncated record).
_FIELD = re.compile(
    r'(?P<q>\\*")(?P<field>' + "|".join(sorted(PII_FIELDS, key=len, reverse=True) + list(FREE_TEXT_FIELDS))
    + r')(?P=q)\s*:\s*(?P=q)(?P<value>.*?)(?:(?<!\\)(?P=q)|\Z)', re.IGNORECASE | re.DOTALL)
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# Phones with a country code (+52...) or written in groups: "+52 81 1691 3682", "(55) 1234-5678",
# "81.1691.3682". Ten bare digits are left alone: unix times and amounts look the same.
_PHONE = re.compile(r"(?<![\w.+])(?:\+\d[\d\s.()-]{8,16}\d|(?:\(\d{2,3}\)\s?|\d{2,3}[\s.-])\d{3,4}[\s.-]\d{4})(?![\w])")


def redact_text(*texts: str | None, key: str) -> list[str | None]:
    """The texts of one record with emails, phones and names replaced by their pseudonyms (``pseudonymize``)."""
    found: dict[str, str] = {}  # clear value -> pseudonym

    def field(m: re.Match) -> str:
        name, value = m.group("field").lower(), m.group("value")
        if name in FREE_TEXT_FIELDS:
            replacement = WITHHELD if value else value
        else:
            clear = value.replace("\\", "")
            replacement = pseudonymize(clear, PII_FIELDS[name], key) if clear.strip() else value
            if clear.strip():
                found[clear] = replacement
        whole, start = m.group(0), m.start()
        return whole[: m.start("value") - start] + replacement + whole[m.end("value") - start:]

    out = [None if t is None else _FIELD.sub(field, t) for t in texts]
    for clear, pseudonym in sorted(found.items(), key=lambda kv: -len(kv[0])):
        if len(clear) >= 2:
            pattern = re.compile(rf"(?<!\w){re.escape(clear)}(?!\w)", re.IGNORECASE)
            out = [None if t is None else pattern.sub(pseudonym, t) for t in out]
    out = [None if t is None else _EMAIL.sub(lambda m: pseudonymize(m.group(0), "email", key), t) for t in out]
    return [None if t is None else _PHONE.sub(lambda m: pseudonymize(m.group(0), "phone", key), t) for t in out]
