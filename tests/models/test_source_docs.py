"""docs/sources.md says what the code takes: every reason, every channel's headers, every Stripe type and metadata key."""
from __future__ import annotations

import re
from datetime import date

from models.channels import CHANNEL_EXPORTS
from models.enums import QuarantineReason
from tests.conftest import REPO
from tests.ingest.test_stripe_shapes import TYPES

DOC = (REPO / "docs" / "sources.md").read_text()


def test_every_quarantine_reason_is_explained():
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", DOC, re.M))
    assert {r.value for r in QuarantineReason} <= rows


def test_the_channel_table_is_the_contract_of_each_export():
    rows = {m[0]: (m[1], m[2]) for m in re.findall(r"^\| `([a-z]+)` \| (\S+) \| (.+) \|$", DOC, re.M)}
    for channel, export in CHANNEL_EXPORTS.items():
        shown_date, headers = rows[channel.value]
        assert shown_date == date(2026, 11, 30).strftime(export.date_format), channel
        assert headers.split(", ") == export.headers, channel


def test_every_stripe_type_and_every_metadata_key_staging_reads_is_documented():
    for kind in TYPES:
        assert kind in DOC, kind
    staging = REPO / "transforms" / "models" / "staging" / "stripe"
    keys = {k for f in staging.glob("*.sql") for k in re.findall(r"metadata\.([a-z_]+)", f.read_text())}
    assert keys and all(f"`{k}" in DOC for k in keys), keys - {k for k in keys if f"`{k}" in DOC}
