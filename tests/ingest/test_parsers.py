"""Each kind of bad record gets its reason code and a sentence a person understands."""
from __future__ import annotations

import orjson
import pytest
import stripe

from ingest.ats import parse_ats_file
from ingest.channels import parse_channel_files
from ingest.scraped import parse_candidates_file, parse_cv_file
from ingest.stripe import parse_webhook_file, verify_delivery
from models.channels import CHANNEL_EXPORTS
from models.enums import Channel
from models.stripe import WEBHOOK_TOLERANCE_SECONDS as TOLERANCE
from sample_data.scraped import render_docx, render_pdf
from sample_data.stripe_data import sign

GOOD = {"event_id": "evt_1", "event_type": "workflow.stage_changed", "occurred_at": "2026-03-02T10:00:00-06:00",
        "business_unit": "huntu", "candidate_id": "cand_1", "campaign_id": "cmp_1",
        "payload": {"application_id": "app_1", "vacancy_id": "vac_1", "from_stage": None, "to_stage": "applied",
                    "source_channel": "occ"}}


def one(line: bytes):
    parsed = parse_ats_file(line + b"\n")
    assert parsed.records_read == 1
    return parsed


def test_a_valid_event_lands_with_its_envelope_and_the_line_kept_whole():
    parsed = one(orjson.dumps(GOOD))
    frame = parsed.good["ats_events"]
    assert not parsed.rejected and len(frame) == 1
    row = frame.row(0, named=True)
    assert (row["event_id"], row["module"], row["business_unit"], row["_record_number"]) == ("evt_1", "workflow", "huntu", 1)
    assert orjson.loads(row["event_json"]) == GOOD


@pytest.mark.parametrize("line, code, words", [
    (orjson.dumps(GOOD)[:40], "malformed", "not valid JSON"),
    (orjson.dumps({**GOOD, "business_unit": "huntRED Tech"}), "unknown_value", "business_unit is 'huntRED Tech'"),
    (orjson.dumps({**GOOD, "event_type": "workflow.teleported"}), "unknown_value", "'workflow.teleported' is not a known event type"),
    (orjson.dumps({**GOOD, "payload": {**GOOD["payload"], "to_stage": "ghosted"}}), "unknown_value", "payload.to_stage is 'ghosted'"),
    (orjson.dumps({k: v for k, v in GOOD.items() if k != "event_id"}), "missing_field", "Required field 'event_id' is missing"),
    (orjson.dumps({**GOOD, "event_id": ""}), "missing_field", "event_id is empty"),
    (orjson.dumps({**GOOD, "candidate_id": None}), "missing_field", "must name the candidate"),
    (orjson.dumps({**GOOD, "occurred_at": "2026-03-02T10:00:00"}), "invalid_value", "has no time zone"),
])
def test_bad_events_are_quarantined_with_a_reason(line, code, words):
    parsed = one(line)
    assert len(parsed.good["ats_events"]) == 0
    (rejected,) = parsed.rejected
    assert rejected.reason_code == code
    assert words in rejected.reason
    assert rejected.record == line.decode("utf-8", "replace")  # kept as delivered


def test_channel_rows_are_checked_column_by_column():
    export = CHANNEL_EXPORTS[Channel.LINKEDIN]
    header = ",".join(f'"{h}"' if " " in h else h for h in export.headers)
    rows = [
        "03/01/2026,cmp_1,Name,1000,700,30,2,45.10,USD",   # good
        "03/01/2026,,Name,1000,700,30,2,45.10,USD",        # no campaign id
        "31/31/2026,cmp_2,Name,1000,700,30,2,45.10,USD",   # not a US date
        "03/01/2026,cmp_3,Name,-5,700,30,2,45.10,USD",     # negative count
        "03/01/2026,cmp_4,Name,1000,700,30,2,45.10,EUR",   # currency outside the contract
    ]
    parsed = parse_channel_files([(header + "\n" + "\n".join(rows) + "\n").encode()], export)[0]
    assert parsed.records_read == 5
    good = parsed.good[export.raw_table]
    assert good["Campaign ID"].to_list() == ["cmp_1"] and str(good["Start Date (in UTC)"][0]) == "2026-03-01"
    reasons = {(r.record_number, r.reason_code) for r in parsed.rejected}
    assert reasons == {(3, "missing_field"), (4, "invalid_value"), (5, "invalid_value"), (6, "unknown_value")}
    assert any("not a date in the %m/%d/%Y format" in r.reason for r in parsed.rejected)


def test_a_channel_file_missing_a_column_is_quarantined_whole_with_the_column_named():
    export = CHANNEL_EXPORTS[Channel.OCC]
    parsed = parse_channel_files(["Fecha,Clics\n01/03/2026,4\n02/03/2026,5\n".encode()], export)[0]
    assert parsed.records_read == 2 and len(parsed.rejected) == 2
    assert "has no 'Clave de campaña'" in parsed.rejected[0].reason


def _delivery(body: str, secret: str, *, arrival: int = 1_760_000_000, signed_at: int | None = None) -> bytes:
    return orjson.dumps({"received_at": arrival, "stripe_signature": sign(body, secret, signed_at or arrival), "body": body})


def test_our_signatures_are_what_the_stripe_sdk_computes(webhook_secret):
    body = '{"id": "evt_1", "object": "event"}'
    header = sign(body, webhook_secret, 1_760_000_000)
    expected = stripe.WebhookSignature._compute_signature(f"1760000000.{body}", webhook_secret)
    assert header == f"t=1760000000,v1={expected}"


def test_webhook_signatures_are_verified_with_the_stripe_sdk(webhook_secret):
    event = {"id": "evt_ok", "object": "event", "type": "charge.succeeded", "created": 1_760_000_000, "api_version": None,
             "data": {"object": {"id": "ch_1", "object": "charge", "amount": 100, "currency": "mxn", "created": 1_760_000_000,
                                 "status": "succeeded", "paid": True}}}
    body = orjson.dumps(event).decode()
    tampered = orjson.loads(_delivery(body, webhook_secret))
    tampered["body"] = body.replace('"amount":100', '"amount":999')
    lines = [
        _delivery(body, webhook_secret),
        orjson.dumps(tampered),
        _delivery(body, "whsec_not_ours"),
        _delivery(body, webhook_secret, arrival=1_760_010_000, signed_at=1_760_000_000),  # replayed hours later
    ]
    parsed = parse_webhook_file(b"\n".join(lines) + b"\n", webhook_secret)
    assert parsed.good["stripe_events"]["event_id"].to_list() == ["evt_ok"]
    assert [r.reason_code for r in parsed.rejected] == ["bad_signature"] * 3
    assert "does not match the body" in parsed.rejected[0].reason
    assert "replayed request" in parsed.rejected[2].reason
    assert verify_delivery(body, orjson.loads(lines[0])["stripe_signature"], webhook_secret, 1_760_000_000) is None


@pytest.mark.parametrize("offset", [-3600, -TOLERANCE - 1, TOLERANCE + 1, 3600])
def test_a_signature_made_beyond_the_tolerance_either_side_of_arrival_is_refused(webhook_secret, offset):
    body, arrival = '{"id": "evt_1", "object": "event"}', 1_760_000_000
    problem = verify_delivery(body, sign(body, webhook_secret, arrival + offset), webhook_secret, arrival)
    assert problem is not None and "replayed request is not trusted" in problem  # in the future as well as the past


@pytest.mark.parametrize("offset", [-301, 301, -600, 600])
def test_the_replay_window_is_the_documented_five_minutes(webhook_secret, offset):
    # written as numbers, not from the constant: the tests above move with it, this one holds the documented window
    body, arrival = '{"id": "evt_1", "object": "event"}', 1_760_000_000
    assert verify_delivery(body, sign(body, webhook_secret, arrival + offset), webhook_secret, arrival) is not None


@pytest.mark.parametrize("offset", [-TOLERANCE, -TOLERANCE + 1, 0, TOLERANCE - 1, TOLERANCE])
def test_a_signature_made_within_the_tolerance_either_side_of_arrival_is_accepted_only_if_it_matches(webhook_secret, offset):
    body, arrival = '{"id": "evt_1", "object": "event"}', 1_760_000_000
    assert verify_delivery(body, sign(body, webhook_secret, arrival + offset), webhook_secret, arrival) is None
    forged = verify_delivery(body, sign(body, "whsec_not_ours", arrival + offset), webhook_secret, arrival)
    assert forged is not None and "does not match the body" in forged  # a fresh time is no substitute for the HMAC


def test_cv_text_is_extracted_from_real_pdf_and_docx_files():
    lines = [("h1", "Ximena Domínguez Álvarez"), ("p", "Python, SQL, Estadística")]
    pdf = parse_cv_file(render_pdf(lines), "scraped_candidates/b/cvs/abc.pdf")
    docx = parse_cv_file(render_docx(lines), "scraped_candidates/b/cvs/def.docx")
    for parsed, fmt in ((pdf, "pdf"), (docx, "docx")):
        row = parsed.good["scraped_cvs"].row(0, named=True)
        assert row["file_format"] == fmt and "Domínguez" in row["cv_text"] and "Estadística" in row["cv_text"]
    broken = parse_cv_file(b"%PDF-1.4\n\x00\x01garbage", "scraped_candidates/b/cvs/xyz.pdf")
    assert broken.rejected[0].reason_code == "malformed" and "could not be read as PDF" in broken.rejected[0].reason
    odd = parse_cv_file(b"...", "scraped_candidates/b/cvs/xyz.odt")
    assert odd.rejected[0].reason_code == "unknown_value"


def test_scraped_candidates_are_validated_against_the_smartrecruiters_shape():
    person = {"id": "c-1", "firstName": "Ana", "lastName": "Ruiz", "email": "ana.ruiz@gmail.com",
              "createdOn": "2026-01-02T03:04:05-06:00", "primaryAssignment": {"job": {"id": "j1", "title": "Data"}, "status": "NEW"}}
    page = {"totalFound": 3, "offset": 0, "limit": 3, "content": [
        person, {**person, "id": "c-2", "email": "ana at gmail"}, {**person, "id": "c-3", "primaryAssignment": {"job": {"id": "j", "title": "t"}, "status": "LOST"}}]}
    parsed = parse_candidates_file(orjson.dumps(page))
    assert parsed.good["scraped_candidates"]["candidate_id"].to_list() == ["c-1"]
    assert [r.reason_code for r in parsed.rejected] == ["invalid_value", "unknown_value"]
    assert "email" in parsed.rejected[0].reason
