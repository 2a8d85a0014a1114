"""The sidebar filters (BU, campaign, channel, phase, period), shared by every page.

They are drawn by the entry point on every run, so their values persist while the
user moves between pages. A BU manager's BU and a client's tenant are fixed by their
scope: the choices offered never go beyond it (and the queries enforce it anyway).
"""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from access import users
from apps import data
from models.enums import BUSINESS_UNIT_NAMES, CHANNEL_NAMES, PHASE_NAMES, BusinessUnit, CampaignPhase, Channel
from serving.analytics import Filters
from serving.snapshot import Snapshot

DEFAULT_DAYS = 90


def sidebar_filters(snap: Snapshot, user: users.User) -> Filters:
    scope = user.scope
    lo, hi = data.data_range(snap.path.name)
    sb = st.sidebar
    sb.header("Filters")
    if scope.business_unit:
        bus = (scope.business_unit,)
        sb.caption(f"Business unit: **{BUSINESS_UNIT_NAMES[BusinessUnit(scope.business_unit)]}** (your scope)")
    elif scope.client_id:
        bus = ()
        sb.caption(f"Client: **{scope.client_id}** (your scope)")
    else:
        bus = tuple(sb.multiselect("Business unit", [b.value for b in BusinessUnit], key="f_bu",
                                   format_func=lambda b: BUSINESS_UNIT_NAMES[BusinessUnit(b)], placeholder="All"))
    campaigns = data.query(snap.path.name, "campaigns", scope, None, bus)
    names = dict(zip(campaigns["campaign_id"].to_list(), campaigns["campaign_name"].to_list()))
    if "f_campaign" in st.session_state:  # a BU filter change can leave campaigns of other BUs selected
        st.session_state["f_campaign"] = [c for c in st.session_state["f_campaign"] if c in names]
    chosen = tuple(sb.multiselect("Campaign", list(names), key="f_campaign", format_func=lambda c: names.get(c, c),
                                  placeholder="All"))
    channels = tuple(sb.multiselect("Channel", [c.value for c in Channel], key="f_channel",
                                    format_func=lambda c: CHANNEL_NAMES[Channel(c)], placeholder="All"))
    phases = tuple(sb.multiselect("Phase", [p.value for p in CampaignPhase], key="f_phase",
                                  format_func=lambda p: PHASE_NAMES[CampaignPhase(p)], placeholder="All"))
    if "f_dates" not in st.session_state:
        # analysts start on the last quarter; a client's export starts on their whole history
        start = lo if scope.client_id else max(lo, hi - timedelta(days=DEFAULT_DAYS - 1))
        st.session_state["f_dates"] = (start, hi)
    period = sb.date_input("Period", key="f_dates", min_value=lo, max_value=hi, format="YYYY-MM-DD")
    # while a range is being picked the widget holds only its first day
    start, end = (period[0], period[-1]) if isinstance(period, (tuple, list)) else (period, period)
    sb.caption(f"Data from {lo:%Y-%m-%d} to {hi:%Y-%m-%d}. Money in MXN.")
    return Filters(business_units=bus, campaigns=chosen, channels=channels, phases=phases, date_from=start, date_to=end)
