"""The sample's economics, read as a BU manager and a client would: believable ROI, and a client's money its own.

On the demo's seed at half scale (``realistic_lakehouse``): each business unit's ROI over the year, read through the
same query the Campaigns page and the ROI report use, must land where a recruiting group's marketing does (roughly 1x
to 6x), because the generator's fees, salaries and budgets are plausible - the code has no clamp. A channel that
spent under the floor shows no ROI at all rather than an absurd one. A client's attributed revenue never exceeds what
that client paid, under every attribution model.
"""
from __future__ import annotations

from datetime import date

import pytest

from access import policy
from foundation.settings import get_settings
from models.enums import BusinessUnit, RevenueStream
from models.metrics import ROI_MIN_SPEND_MXN
from serving import analytics as an
from serving.reports.client_export import build_client_export
from serving.snapshot import open_current

#: A recruiting group's marketing return, as the issue that asked for it states it (huntRED's own example is 3.2x).
PLAUSIBLE_BU_ROI = (1.0, 6.0)
#: The year the sample covers, less its last two months: younger hires have not been invoiced and paid yet.
MATURE = an.Filters(date_from=date(2025, 11, 1), date_to=date(2026, 8, 31))


@pytest.fixture
def snap(on_realistic):
    return open_current(get_settings())


def test_every_business_units_roi_is_in_a_plausible_band(snap):
    by_bu = {row["business_unit"]: row for row in
             an.campaign_performance(snap, policy.ALL, MATURE, ["business_unit"]).iter_rows(named=True)}
    assert set(by_bu) == {b.value for b in BusinessUnit}
    low, high = PLAUSIBLE_BU_ROI
    outside = {bu: round(row["roi"], 2) for bu, row in by_bu.items() if not low <= row["roi"] <= high}
    assert not outside, f"ROI outside {low}-{high}x: {outside}"


def test_roi_of_a_selection_that_spent_under_the_floor_is_not_meaningful(snap):
    rows = an.campaign_performance(snap, policy.ALL, MATURE, ["channel"]).iter_rows(named=True)
    by_channel = {r["channel"]: r for r in rows}
    under = {c for c, r in by_channel.items() if r["spend_mxn"] < ROI_MIN_SPEND_MXN}
    assert {"email", "telegram", "web"} <= under, "the sample's messaging and careers-site spend is no longer tiny"
    for channel, row in by_channel.items():
        if channel in under:
            assert row["roi"] is None and row["roas"] is None, (channel, row["roi"])
        else:
            assert row["roi"] == pytest.approx((row["attributed_revenue_mxn"] - row["spend_mxn"]) / row["spend_mxn"])


def test_every_stream_earns_and_campaign_revenue_is_only_paid_placement_fees(snap):
    streams = {r["revenue_stream"]: r["net_revenue_mxn"]
               for r in an.revenue(snap, policy.ALL, an.Filters(), ["revenue_stream"]).iter_rows(named=True)}
    assert set(streams) <= {s.value for s in RevenueStream}
    assert streams["placement_fee"] > 0 and streams["consulting_fee"] > 0
    attributed = an.campaign_performance(snap, policy.ALL, an.Filters(), [])["attributed_revenue_mxn"][0]
    assert 0 < attributed <= streams["placement_fee"] + 0.01


def clients_paid(snap, client_id: str) -> dict[str, float]:
    scope = policy.Scope(client_id=client_id)
    return {r["revenue_stream"]: r["net_revenue_mxn"]
            for r in an.revenue(snap, scope, an.Filters(), ["revenue_stream"]).iter_rows(named=True)}


def test_a_clients_attributed_revenue_never_exceeds_what_that_client_paid(snap):
    """Every client of every BU, every attribution model, and the last-touch revenue of its campaigns and export."""
    clients = snap.cursor().sql("SELECT client_id FROM marts.dim_clients ORDER BY client_id").fetchall()
    credited = {(client, model): revenue for client, model, revenue in snap.cursor().sql("""
        SELECT client_id, attribution_model, sum(credited_revenue_mxn) FROM marts.mart_attribution_by_campaign
        WHERE client_id IS NOT NULL AND conversion_type = 'hire' GROUP BY ALL""").fetchall()}
    with_revenue = 0
    for (client,) in clients:
        paid = clients_paid(snap, client).get("placement_fee", 0.0)
        scope = policy.Scope(client_id=client)
        last_touch = an.campaign_performance(snap, scope, an.Filters(), [])["attributed_revenue_mxn"][0] or 0.0
        assert last_touch <= paid + 0.01, (client, last_touch, paid)
        for model in ("first_touch", "last_touch", "linear", "time_decay", "position_based"):
            assert credited.get((client, model), 0.0) <= paid + 0.01, (client, model, credited.get((client, model)), paid)
        with_revenue += last_touch > 0
    assert with_revenue >= 3, "too few clients' campaigns earned anything: the bound is checked on nothing"


def test_the_demo_client_export_has_every_table_and_only_its_own_money(snap):
    demo = an.solutions_clients(snap, policy.ALL)["client_id"][0]
    export = build_client_export(snap, policy.Scope(client_id=demo), demo)
    assert not export.empty_reasons, export.empty_reasons
    paid = clients_paid(snap, demo)
    billing = export.tables["Billing"]
    assert billing["net_revenue_mxn"].sum() == pytest.approx(sum(paid.values()), abs=0.01)
    assert export.tables["Campaigns"]["attributed_revenue_mxn"].sum() <= paid.get("placement_fee", 0) + 0.01
    assert export.tables["Placement fees"]["net_paid_mxn"].sum() <= paid.get("placement_fee", 0) + 0.01
