"""Streamlit entry point: `streamlit run apps/dashboard.py`. Sign in, then one page per user task.

The pages a user sees depend on their role (access.users.PAGE_ROLES); the sidebar
filters are drawn here so they persist across pages.
"""
import streamlit as st

from apps import data
from apps.filters import sidebar_filters
from apps.session import current_user, sign_in_form, sign_out

st.set_page_config(page_title="huntRED analytics", page_icon="📊", layout="wide")

PAGES = [  # (id, file, title, icon)
    ("campaigns", "pages/campaigns.py", "Campaigns", ":material/campaign:"),
    ("attribution", "pages/attribution.py", "Attribution", ":material/share:"),
    ("pipeline", "pages/pipeline.py", "Pipeline", ":material/filter_alt:"),
    ("engagement", "pages/engagement.py", "Engagement", ":material/forum:"),
    ("revenue", "pages/revenue.py", "Revenue", ":material/payments:"),
    ("roi_reports", "pages/roi_reports.py", "ROI reports", ":material/description:"),
    ("consulting_exports", "pages/consulting_exports.py", "Consulting exports", ":material/inventory_2:"),
    ("overview", "pages/overview.py", "Data overview", ":material/database:"),
    ("models", "pages/models.py", "Models", ":material/model_training:"),
]

user = current_user()
if user is None:
    sign_in_form()
    st.stop()

allowed = [st.Page(file, title=title, icon=icon, url_path=page_id) for page_id, file, title, icon in PAGES
           if user.may_open(page_id)]
navigation = st.navigation(allowed)
with st.sidebar:
    st.caption(f"Signed in as **{user.username}** · {user.role.replace('_', ' ')} · {user.scope.label}")
    if st.button("Sign out", key="sign_out"):
        sign_out()
        st.rerun()

snap = data.current_snapshot()
if snap is not None:
    st.session_state["filters"] = sidebar_filters(snap, user)
navigation.run()
