"""The sidebar filters (BU, campaign, channel, phase, period), shared by every page and kept in the URL.

They are drawn by the entry point on every run, so their values persist while the user moves between pages,
and written into the URL's query parameters (``?bu=amigro&channel=linkedin&from=2026-08-01&to=2026-10-31``)
so a view can be bookmarked or shared; a new browser session (a reload, a deep link) starts from them.

What the URL says is only a wish: a BU manager's BU and a client's tenant come from the signed-in user, never
from the URL (a BU manager's link naming another BU shows their own), values outside the vocabularies are
dropped, campaigns outside the user's scope and chosen BUs are dropped, and dates are kept within the data.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import streamlit as st

from access import policy, users
from apps import data
from models.enums import BusinessUnit, CampaignPhase, Channel
from models.labels import BUSINESS_UNIT_LABELS, CHANNEL_LABELS, PHASE_LABELS
from serving.analytics import Filters
from serving.snapshot import Snapshot

DEFAULT_DAYS = 90
#: query parameter -> widget key of the filter it restores
PARAMS = {"bu": "f_bu", "campaign": "f_campaign", "channel": "f_channel", "phase": "f_phase"}
_RESTORED = "_filters_restored"


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def default_period(scope: policy.Scope, lo: date, hi: date) -> tuple[date, date]:
    # analysts start on the last quarter; a client's export starts on their whole history
    return (lo if scope.client_id else max(lo, hi - timedelta(days=DEFAULT_DAYS - 1))), hi


def state_from_url(params: Mapping[str, list[str]], scope: policy.Scope, lo: date, hi: date) -> dict[str, object]:
    """The filter widgets' starting values from the URL's query parameters, as far as this user may have them."""
    allowed = {"bu": [b.value for b in BusinessUnit], "channel": [c.value for c in Channel],
               "phase": [p.value for p in CampaignPhase]}
    state: dict[str, object] = {}
    for param, key in PARAMS.items():
        if param == "bu" and (scope.business_unit or scope.client_id):
            continue  # their scope is their BU (or tenant): the URL cannot change it
        values = list(dict.fromkeys(params.get(param, [])))
        if param in allowed:
            values = [v for v in values if v in allowed[param]]
        if values:  # campaigns are checked against the user's campaigns when the sidebar is drawn
            state[key] = values
    start, end = _day(next(iter(params.get("from", [])), None)), _day(next(iter(params.get("to", [])), None))
    if start or end:
        default_start, default_end = default_period(scope, lo, hi)
        start, end = min(max(start or default_start, lo), hi), max(min(end or default_end, hi), lo)
        if start <= end:
            state["f_dates"] = (start, end)
    return state


def url_from_filters(filters: Filters, scope: policy.Scope) -> dict[str, list[str]]:
    """The query parameters that bring this view back (a fixed scope's BU is not written: it is not a choice)."""
    params = {"bu": [] if scope.business_unit else list(filters.business_units), "campaign": list(filters.campaigns),
              "channel": list(filters.channels), "phase": list(filters.phases),
              "from": [filters.date_from.isoformat()] if filters.date_from else [],
              "to": [filters.date_to.isoformat()] if filters.date_to else []}
    return {k: v for k, v in params.items() if v}


def _query_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def restore_from_url(scope: policy.Scope, lo: date, hi: date) -> None:
    """Once per browser session: start the filters where the URL says (before their widgets are drawn)."""
    if st.session_state.get(_RESTORED):
        return
    st.session_state[_RESTORED] = True
    st.session_state.update(state_from_url(_query_params(), scope, lo, hi))


def keep_in_url(filters: Filters, scope: policy.Scope) -> None:
    wanted = url_from_filters(filters, scope)
    if _query_params() != wanted:
        st.query_params.from_dict(wanted)


def sidebar_filters(snap: Snapshot, user: users.User) -> Filters:
    scope = user.scope
    lo, hi = data.data_range(snap.path.name)
    restore_from_url(scope, lo, hi)
    sb = st.sidebar
    sb.header("Filters")
    if scope.business_unit:
        bus = (scope.business_unit,)
        sb.caption(f"Business unit: **{BUSINESS_UNIT_LABELS[scope.business_unit]}** (your scope)")
    elif scope.client_id:
        bus = ()
        clients = data.query(snap.path.name, "solutions_clients", scope, None)
        names = dict(zip(clients["client_id"].to_list(), clients["client_name"].to_list()))
        sb.caption(f"Client: **{names.get(scope.client_id, scope.client_id)}** (your scope)")
    else:
        bus = tuple(sb.multiselect("Business unit", [b.value for b in BusinessUnit], key="f_bu",
                                   format_func=BUSINESS_UNIT_LABELS.get, placeholder="All"))
    campaigns = data.query(snap.path.name, "campaigns", scope, None, bus)
    names = dict(zip(campaigns["campaign_id"].to_list(), campaigns["campaign_name"].to_list()))
    if "f_campaign" in st.session_state:  # a BU change (or a URL) can name campaigns outside the choice: drop them
        st.session_state["f_campaign"] = [c for c in st.session_state["f_campaign"] if c in names]
    chosen = tuple(sb.multiselect("Campaign", list(names), key="f_campaign", format_func=lambda c: names.get(c, c),
                                  placeholder="All"))
    channels = tuple(sb.multiselect("Channel", [c.value for c in Channel], key="f_channel",
                                    format_func=CHANNEL_LABELS.get, placeholder="All"))
    phases = tuple(sb.multiselect("Phase", [p.value for p in CampaignPhase], key="f_phase",
                                  format_func=PHASE_LABELS.get, placeholder="All"))
    if "f_dates" not in st.session_state:
        st.session_state["f_dates"] = default_period(scope, lo, hi)
    period = sb.date_input("Period", key="f_dates", min_value=lo, max_value=hi, format="YYYY-MM-DD")
    # while a range is being picked the widget holds only its first day
    start, end = (period[0], period[-1]) if isinstance(period, (tuple, list)) else (period, period)
    sb.caption(f"Data from {lo:%Y-%m-%d} to {hi:%Y-%m-%d}. Money in MXN. The address bar keeps this view: "
               "bookmark or share it.")
    filters = Filters(business_units=bus, campaigns=chosen, channels=channels, phases=phases, date_from=start, date_to=end)
    keep_in_url(filters, scope)
    return filters
