"""A campaign's lifetime metrics read from the precomputed mart are what the per-request sums give, for every campaign
of the sample and every scope that may or may not see it (the fast path must not be a second, drifting answer)."""
from __future__ import annotations

import math
from datetime import timedelta

import pytest

from access.policy import ALL, Scope
from foundation.errors import NotFound
from foundation.settings import get_settings
from serving import analytics as an
from serving.snapshot import open_current


@pytest.fixture
def snap(on_built):
    return open_current(get_settings())


def _computed(snap, scope: Scope, campaign_id: str) -> dict:
    """The answer summed per request, as any period or filter is: a period wider than the sample's whole range."""
    first, last = snap.cursor().sql("SELECT min(metric_date), max(metric_date) FROM marts.fct_campaign_channel_daily").fetchall()[0]
    wide = an.Filters(date_from=first - timedelta(days=400), date_to=last + timedelta(days=400))
    answer = an.campaign_metrics.__wrapped__(snap, scope, campaign_id, wide)
    return {**answer, "date_from": None, "date_to": None}


def _same(a, b, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{where}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in _same(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, float) or isinstance(b, float):
        ok = a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
        return [] if ok else [f"{where}: {a} vs {b}"]
    return [] if a == b and type(a) is type(b) else [f"{where}: {a!r} vs {b!r}"]


def test_every_campaigns_lifetime_metrics_from_the_mart_equal_the_per_request_sums_in_every_scope(snap):
    campaigns = snap.cursor().sql("SELECT campaign_id, business_unit, client_id FROM marts.mart_campaign_summary").fetchall()
    units = sorted({bu for _, bu, _ in campaigns})
    clients = sorted({c for _, _, c in campaigns if c})
    scopes = [ALL, *(Scope(business_unit=bu) for bu in units), *(Scope(client_id=c) for c in clients)]
    assert len(campaigns) > 5 and len(units) > 1 and clients
    differences, compared, hidden = [], 0, 0
    for campaign_id, _, _ in campaigns:
        for scope in scopes:
            try:
                expected = _computed(snap, scope, campaign_id)
            except NotFound:
                with pytest.raises(NotFound):  # what the scope may not see, neither path shows
                    an.campaign_metrics.__wrapped__(snap, scope, campaign_id, an.Filters())
                hidden += 1
                continue
            differences += _same(an.campaign_metrics.__wrapped__(snap, scope, campaign_id, an.Filters()), expected,
                                 f"{campaign_id} as {scope.label}")
            compared += 1
    assert compared > len(campaigns) and hidden > 0
    assert not differences, "\n".join(differences[:20])
