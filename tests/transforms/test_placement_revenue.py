"""The closed loop, checked against Stripe's own objects: a hire's revenue is the placement fee its client paid.

The expectation is worked out here from the files in the landing zone, in Python, without dbt: the latest version of
every Stripe object from the signed webhook bodies and the API list pages, the placement invoices by the application
their metadata names, their succeeded charges and refunds. The marts must agree to the cent for every hire, and no
paid fee of a hire may be left out or counted twice. On the realistic sample (about 700 hires).
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from foundation.settings import get_settings
from serving.snapshot import open_current


def latest_stripe_objects(landing: Path) -> dict[str, dict[str, dict]]:
    """object type -> id -> newest version, from webhook bodies (deduplicated by event id) and API pages."""
    seen: dict[str, tuple[int, dict]] = {}
    events: set[str] = set()
    for file in sorted((landing / "stripe" / "webhooks").glob("*.jsonl")):
        for line in file.read_bytes().splitlines():
            try:
                event = orjson.loads(orjson.loads(line)["body"])
            except (orjson.JSONDecodeError, KeyError, TypeError):
                continue  # a torn delivery: quarantined by the product, nothing to read here
            if event.get("livemode") or event["id"] in events:
                continue  # a tampered copy (its body was changed to livemode) or a redelivery
            events.add(event["id"])
            obj = event["data"]["object"]
            if obj["id"] not in seen or seen[obj["id"]][0] <= event["created"]:
                seen[obj["id"]] = (event["created"], obj)
    for page in sorted((landing / "stripe" / "api").rglob("page_*.json")):
        for obj in orjson.loads(page.read_bytes())["data"]:
            seen.setdefault(obj["id"], (0, obj))  # an export only fills in what no event showed
    by_type: dict[str, dict[str, dict]] = defaultdict(dict)
    for _, obj in seen.values():
        by_type[obj["object"]][obj["id"]] = obj
    return by_type


def net_paid_fee_by_application(objects: dict[str, dict[str, dict]]) -> dict[str, tuple[str, float]]:
    """application id -> (currency, succeeded charges of its placement invoices minus their succeeded refunds)."""
    refunded = defaultdict(int)
    for refund in objects["refund"].values():
        if refund["status"] == "succeeded":
            refunded[refund["charge"]] += refund["amount"]
    paid = defaultdict(int)
    for charge in objects["charge"].values():
        if charge["status"] == "succeeded" and charge.get("invoice"):
            paid[charge["invoice"]] += charge["amount"] - refunded[charge["id"]]
    out: dict[str, tuple[str, float]] = {}
    for invoice in objects["invoice"].values():
        if invoice.get("metadata", {}).get("kind") == "placement_fee":
            app = invoice["metadata"]["application_id"]
            currency, before = out.get(app, (invoice["currency"].upper(), 0.0))
            out[app] = (currency, before + paid[invoice["id"]] / 100)
    return out


@pytest.fixture(scope="module")
def hires_and_fees(realistic_lakehouse):
    from tests.conftest import point_at

    point_at(realistic_lakehouse)
    snap = open_current(get_settings())
    hires = snap.cursor().sql("""
        SELECT a.application_id, a.campaign_id, a.hire_revenue_mxn, p.currency, p.client_id, v.client_id AS vacancy_client
        FROM marts.fct_applications a
        LEFT JOIN marts.fct_placements p USING (application_id)
        LEFT JOIN marts.dim_vacancies v ON v.vacancy_id = a.vacancy_id
        WHERE a.hired_at IS NOT NULL""").fetchall()
    fees = net_paid_fee_by_application(latest_stripe_objects(realistic_lakehouse / "landing"))
    return hires, fees


def test_every_hire_earns_exactly_the_fee_its_client_paid_in_stripe(hires_and_fees):
    hires, fees = hires_and_fees
    paid_hires = [h for h in hires if fees.get(h[0], ("", 0))[1] > 0]
    assert len(paid_hires) >= 300, "the sample has too few paid placements for this check to mean anything"
    for application_id, _, revenue, currency, _, _ in hires:
        expected_currency, expected = fees.get(application_id, ("MXN", 0.0))
        if expected_currency == "MXN":
            assert revenue == pytest.approx(expected, abs=0.01), application_id
        else:  # a USD fee converted at that day's rate: within the rates the seed holds
            assert 15 * expected <= revenue <= 25 * expected, (application_id, revenue, expected)


def test_no_hire_earns_money_no_one_paid_and_no_paid_fee_is_left_out(hires_and_fees):
    hires, fees = hires_and_fees
    for application_id, _, revenue, *_ in hires:
        if revenue > 0:
            assert fees.get(application_id, ("", 0))[1] > 0, f"{application_id} earns {revenue} that no charge paid"
    hired = {h[0] for h in hires}
    paid_mxn = {app: amount for app, (currency, amount) in fees.items() if currency == "MXN" and amount > 0}
    assert sum(amount for app, amount in paid_mxn.items() if app in hired) == pytest.approx(
        sum(h[2] for h in hires if h[0] in paid_mxn), abs=0.05)


def test_a_fee_is_paid_by_the_company_the_vacancy_was_filled_for(hires_and_fees):
    hires, _ = hires_and_fees
    invoiced = [h for h in hires if h[4] is not None]
    assert invoiced, "no hire was invoiced in the sample"
    assert all(client == vacancy_client for *_, client, vacancy_client in invoiced)
