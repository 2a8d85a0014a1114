"""Quarantined records are shown with emails, phones and names pseudonymized unless the role is admin.

A quarantined record is whatever arrived, in the shape it arrived (ATS event JSON, a channel CSV
row, a Stripe webhook, a SmartRecruiters candidate, a truncated line), so the check runs over
every record of every source family and reason in the built sample, against every person the
sample generator made up (ATS candidates, scraped candidates, Stripe customers).
"""
from __future__ import annotations

import json
import re

import polars as pl
import pytest

from access.pii import redact_text
from access.users import User
from foundation.settings import get_settings
from sample_data import DEFAULT_END
from sample_data.world import build_world
from serving.snapshot import open_current
from tests.apps.test_overview_page import signed_in
from tests.conftest import SMALL_SCALE


def sample_people(landing) -> list[dict]:
    """Every made-up person of the `generated` sample (seed 7): name parts, email and phone."""
    world = build_world(7, SMALL_SCALE, DEFAULT_END)
    people = [{"names": (c.first_name, c.last_name), "email": c.email, "phone": c.phone} for c in world.candidates]
    for batch in sorted((landing / "scraped_candidates").glob("*/candidates.json")):
        for c in json.loads(batch.read_text(encoding="utf-8"))["content"]:
            people.append({"names": (c.get("firstName"), c.get("lastName")), "email": c.get("email"), "phone": c.get("phone")})
    people += [{"names": (), "email": f"facturacion@{c.id.replace('_', '')}.com.mx", "phone": None} for c in world.clients]
    return people


def clear_pii_in(text: str, people: list[dict]) -> list[str]:
    """The emails, phones and names (whole words) of sample people that appear in clear in text."""
    found = []
    for p in people:
        for value in (p["email"], p["phone"]):
            if value and value.lower() in text.lower():
                found.append(value)
        for name in p["names"]:
            if name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
                found.append(name)
    return found


def shown_records(user: User) -> pl.DataFrame:
    at = signed_in(user, "overview")
    assert not at.exception, at.exception
    frames = [d.value for d in at.dataframe if "record" in d.value.columns]
    assert len(frames) == 1, "the page shows one table of quarantined records"
    return pl.from_pandas(frames[0])


@pytest.fixture(scope="module")
def people(generated):
    return sample_people(generated[0])


@pytest.mark.parametrize("role", ["analyst", "data_scientist"])
def test_quarantined_records_show_no_clear_email_phone_or_name_to_non_admins(on_built, people, role):
    cur = open_current(get_settings()).cursor()
    total, = cur.sql("SELECT count(*) FROM quarantine.records").fetchall()[0]
    families = {source for source, in cur.sql("SELECT DISTINCT source FROM quarantine.records").fetchall()}
    assert families == {"ats_events", "channel_metrics", "stripe", "scraped_candidates"}, "the sample must quarantine every family"
    records = shown_records(User("someone", role))
    assert len(records) == total, "the page must show every quarantined record of the sample for this check"
    leaks = {}
    for row in records.iter_rows(named=True):
        text = " ".join(str(v) for v in row.values() if v is not None)
        if found := clear_pii_in(text, people):
            leaks[f"{row['source_file']}:{row['record_number']}"] = sorted(set(found))
    assert not leaks, f"clear PII shown to {role}: {leaks}"
    assert records["record"].str.contains(r"email_[0-9a-f]{16}").any(), "emails are pseudonymized, not dropped"


def test_an_admin_still_sees_quarantined_records_in_clear(on_built, people):
    records = shown_records(User("boss", "admin"))
    text = " ".join(str(v) for row in records.iter_rows() for v in row if v is not None)
    scraped = [p for p in people if p["phone"] and p["phone"].startswith("+52") and p["email"] in text]
    assert scraped, "the admin must see the scraped candidates' emails in clear"
    assert all(p["phone"] in text and p["names"][0] in text for p in scraped)


@pytest.mark.parametrize("record, clear", [
    # a SmartRecruiters candidate, cut off in the middle of the phone (records are truncated for display)
    ('{"id":"","firstName":"Sofía","lastName":"Medina","email":"sofia.medina11@outlook.com","phone":"+52 55 87',
     ["Sofía", "Medina", "sofia.medina11@outlook.com", "+52 55 87"]),
    # an ATS chatbot message: a bot greets the candidate by name in free text, inside an escaped JSON string
    ('{"event_id":"e1","event_json":"{\\"payload\\":{\\"sender\\":\\"bot\\",\\"content\\":\\"Con gusto te ayudo, Alejandro.\\"}}"}',
     ["Alejandro"]),
    # a Stripe customer event inside a webhook body (escaped twice)
    ('{"body":"{\\"data\\":{\\"object\\":{\\"name\\":\\"Grupo Tortuga\\",\\"email\\":\\"pagos@tortuga.mx\\"}}}"}',
     ["Grupo Tortuga", "pagos@tortuga.mx"]),
    # a CSV row of a candidate list: no field names, so the patterns must find the email and phone
    ("2026-01-03,Juan Pérez,juan.perez@example.com,(55) 1234-5678,cmp_00007", ["juan.perez@example.com", "(55) 1234-5678"]),
    ("plain text: call +525512345678 or 81.1691.3682", ["+525512345678", "81.1691.3682"]),
])
def test_redaction_finds_pii_whatever_the_shape_of_the_record(record, clear):
    redacted, = redact_text(record, key="k")
    assert not [c for c in clear if c in redacted], redacted


def test_redaction_keeps_what_explains_the_quarantine():
    """Dates, ids, amounts and unix times are not phones; a value quoted in the reason is redacted there too."""
    record = ('{"event_id":"evt_000019690","occurred_at":"2026-09-08T08:31:44","received_at":1762546306,'
              '"amount":9000000,"row":"2026-02-31,cmp_00001,78,71,23,1,7,0.07","email":"ana at mail.mx"}')
    reason = "email = 'ana at mail.mx': value is not a valid email address"
    redacted, redacted_reason = redact_text(record, reason, key="k")
    for kept in ("evt_000019690", "2026-09-08T08:31:44", "1762546306", "9000000", "2026-02-31,cmp_00001,78,71,23,1,7,0.07"):
        assert kept in redacted
    assert "ana at mail.mx" not in redacted and "ana at mail.mx" not in redacted_reason
    assert redact_text(None, key="k") == [None]
