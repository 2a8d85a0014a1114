"""Streamlit entry point: `streamlit run apps/dashboard.py`. One page per user task."""
import streamlit as st

st.set_page_config(page_title="huntRED lakehouse", page_icon="📊", layout="wide")
navigation = st.navigation([
    st.Page("pages/overview.py", title="Data overview", icon="🗂️", default=True),
])
navigation.run()
