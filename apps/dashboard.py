"""Streamlit entry point: `streamlit run apps/dashboard.py`. Sign in, then one page per user task.

The pages a user sees depend on their role (access.policy.PAGE_ROLES); the sidebar
filters are drawn here so they persist across pages.
"""
import streamlit as st

from apps import data
from apps.filters import sidebar_filters
from apps.session import current_user, remember_session, sign_in_form, sign_out

st.set_page_config(page_title="huntRED analytics", page_icon="📊", layout="wide")

PAGES = [  # (id, file, title, icon)
    ("campaigns", "views/campaigns.py", "Campaigns", ":material/campaign:"),
    ("attribution", "views/attribution.py", "Attribution", ":material/share:"),
    ("pipeline", "views/pipeline.py", "Pipeline", ":material/filter_alt:"),
    ("engagement", "views/engagement.py", "Engagement", ":material/forum:"),
    ("revenue", "views/revenue.py", "Revenue", ":material/payments:"),
    ("roi_reports", "views/roi_reports.py", "ROI reports", ":material/description:"),
    ("consulting_exports", "views/consulting_exports.py", "Consulting exports", ":material/inventory_2:"),
    ("overview", "views/overview.py", "Data overview", ":material/database:"),
    ("models", "views/models.py", "Models", ":material/model_training:"),
]

user = current_user()
if user is None:
    # Every page's address opens the sign-in form: a deep link (or a reload once a session has ended) signs in and
    # then shows the page it named, with the filters of its URL. The pages live in apps/views/, not apps/pages/:
    # beside a folder named pages/, Streamlit starts a server in its old multipage mode and runs a deep-linked
    # page's script itself, without this entry point (no sign-in, no navigation), until some run calls st.navigation.
    st.navigation([st.Page(sign_in_form, title=title, icon=icon, url_path=page_id) for page_id, _, title, icon in PAGES],
                  position="hidden").run()
    st.stop()

allowed = [st.Page(file, title=title, icon=icon, url_path=page_id) for page_id, file, title, icon in PAGES
           if user.may_open(page_id)]
navigation = st.navigation(allowed)
remember_session()
with st.sidebar:
    st.caption(f"Signed in as **{user.username}** · {user.role.replace('_', ' ')} · {user.scope.label}")
    if st.button("Sign out", key="sign_out"):
        sign_out()
        st.rerun()

snap = data.current_snapshot()
if snap is not None:
    st.session_state["filters"] = sidebar_filters(snap, user)
navigation.run()
