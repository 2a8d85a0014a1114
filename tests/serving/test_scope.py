"""Scope is enforced in the SQL of every query: a BU manager never reads another BU, a client another client."""
from __future__ import annotations

import inspect
from datetime import date

import pytest

from access import policy
from foundation.settings import get_settings
from serving import analytics as an
from serving.snapshot import open_current


@pytest.fixture
def snap(on_built):
    return open_current(get_settings())


def a_solutions_client_with_campaigns(snap) -> str:
    rows = snap.cursor().sql("SELECT client_id FROM marts.mart_campaign_summary WHERE client_id IS NOT NULL "
                             "AND applications > 0 ORDER BY 1 LIMIT 1").fetchall()
    assert rows, "the sample has no huntRED Solutions campaign"
    return rows[0][0]


def test_where_puts_the_scope_in_the_sql_before_any_filter():
    w = an.where(policy.Scope(business_unit="amigro"), an.Filters(business_units=("huntred",)))
    assert w.clauses[0] == "business_unit = $scope_bu" and w.params["scope_bu"] == "amigro"
    # asking for another BU than one's own gives the intersection: nothing
    assert "bus" in w.params


def test_a_bu_managers_numbers_are_their_bus_numbers_only(snap):
    scope = policy.Scope(business_unit="amigro")
    everything = an.Filters()
    mine = an.campaign_performance(snap, scope, everything, ["business_unit"])
    assert mine["business_unit"].to_list() == ["amigro"]
    direct = snap.cursor().sql("SELECT sum(applications)::BIGINT FROM marts.fct_campaign_channel_daily "
                               "WHERE business_unit = 'amigro'").fetchall()[0][0]
    assert mine["applications"][0] == direct
    # asking explicitly for another BU returns nothing rather than its numbers
    other = an.campaign_kpis(snap, scope, an.Filters(business_units=("huntred",)))["current"]
    assert other["applications"] == 0 and other["spend_mxn"] == 0


@pytest.mark.parametrize("name, args", [
    ("campaign_performance", (["campaign_id"],)), ("campaign_summary", ()), ("alerts", ()), ("attribution", ()),
    ("funnel", (["campaign_id"],)), ("revenue", (["customer_id"],)), ("phase_timeline", ()),
])
def test_every_campaign_and_money_query_keeps_to_the_bu_scope(snap, name, args):
    rows = getattr(an, name)(snap, policy.Scope(business_unit="huntu"), an.Filters(), *args)
    if "business_unit" in rows.columns:
        assert set(rows["business_unit"].to_list()) <= {"huntu"}
    if "campaign_id" in rows.columns and len(rows):
        bus = snap.cursor().sql("SELECT DISTINCT business_unit FROM marts.mart_campaign_summary "
                                "WHERE campaign_id IN (SELECT unnest($ids))", params={"ids": rows["campaign_id"].to_list()}).fetchall()
        assert {b for (b,) in bus} <= {"huntu"}


def test_a_client_sees_only_their_campaigns_and_billing(snap):
    client = a_solutions_client_with_campaigns(snap)
    scope = policy.Scope(client_id=client)
    campaigns = an.campaign_summary(snap, scope, an.Filters())
    assert len(campaigns) >= 1 and set(campaigns["client_id"]) == {client}
    billed = an.revenue(snap, scope, an.Filters(), ["customer_id"])
    owners = snap.cursor().sql("SELECT DISTINCT client_id FROM staging.stg_stripe__customers "
                               "WHERE customer_id IN (SELECT unnest($ids))", params={"ids": billed["customer_id"].to_list()}).fetchall()
    assert {c for (c,) in owners} <= {client}
    bridge = an.mrr_movements(snap, scope, an.Filters())
    own_mrr = snap.cursor().sql("SELECT coalesce(sum(mrr_mxn), 0) FROM marts.mart_mrr_monthly WHERE client_id = $c",
                                params={"c": client}).fetchall()[0][0]
    assert bridge["ending_mrr_mxn"].sum() == pytest.approx(own_mrr)
    # engagement marts hold candidates, not a client's data: a client gets none of them
    assert an.active_candidates(snap, scope, an.Filters()).is_empty()
    assert an.campaign_summary(snap, policy.Scope(client_id="cli_99999"), an.Filters()).is_empty()


def test_ratios_are_recomputed_from_sums_not_averaged(snap):
    by_channel = an.campaign_performance(snap, policy.ALL, an.Filters(), ["channel"])
    total = an.campaign_kpis(snap, policy.ALL, an.Filters())["current"]
    assert total["conversion_rate"] == pytest.approx(by_channel["applications"].sum() / by_channel["reach"].sum())
    assert total["conversion_rate"] != pytest.approx(by_channel["conversion_rate"].mean())


def test_period_over_period_compares_with_the_same_length_just_before():
    f = an.Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    prev = f.previous_period()
    assert (prev.date_from, prev.date_to) == (date(2026, 1, 29), date(2026, 2, 28))


def test_every_analytics_query_takes_a_scope():
    public = [f for n, f in inspect.getmembers(an, inspect.isfunction)
              if f.__module__ == an.__name__ and not n.startswith("_") and "snap" in inspect.signature(f).parameters]
    assert len(public) > 15
    for f in public:
        params = list(inspect.signature(f).parameters)
        # the bounds of the data (days, no figure) are the same for everyone
        assert params[:2] == ["snap", "scope"] or f.__name__ in ("data_range", "days_covered"), f.__name__
