"""Consulting exports for huntRED Solutions clients: a client sees only their data and downloads the bundle."""
import streamlit as st

from access.policy import Scope
from apps import ui
from apps.data import query
from apps.session import private_download
from foundation.errors import UserError
from foundation.settings import get_settings
from serving.analytics import Filters
from serving.reports.client_export import build_client_export, export_zip
from serving.reports.suppression import SUPPRESSED_NOTE
from serving.snapshot import open_current

snap, user, filters = ui.page_context("consulting_exports", "Consulting exports", "huntRED Solutions clients")
scope = user.scope

clients = query(snap.path.name, "solutions_clients", scope, None)
if clients.is_empty():
    st.info("No huntRED Solutions client is in the current data.")
    st.stop()
names = dict(zip(clients["client_id"].to_list(), clients["client_name"].to_list()))
if scope.client_id:
    client_id = scope.client_id
    st.subheader(names.get(client_id, client_id))
else:
    twins = {n for n in names.values() if list(names.values()).count(n) > 1}  # the id only tells namesakes apart
    client_id = st.selectbox("Client", list(names), key="export_client",
                             format_func=lambda c: f"{names[c]} ({c})" if names[c] in twins else names[c])
period = Filters(date_from=filters.date_from, date_to=filters.date_to)
st.caption(f"Period: the sidebar's ({filters.date_from} to {filters.date_to}). {SUPPRESSED_NOTE}")


@st.cache_data(show_spinner="Preparing the export…", max_entries=32)
def build(snapshot_name: str, scope: Scope, client_id: str, period: Filters):
    return build_client_export(open_current(get_settings()), scope, client_id, period)


try:
    export = build(snap.path.name, scope, client_id, period)
except UserError as exc:
    st.error(f"{exc.problem} {exc.fix}")
    st.stop()

# The zip is made on click (never left on Streamlit's media endpoint ahead of it): see private_download.
private_download(st, "Download export bundle (zip)", lambda: export_zip(export), file_name=export.file_name,
                 mime="application/zip", resource="dashboard/consulting_exports", key="download_export", type="primary",
                 icon=":material/download:")
st.caption("The zip holds export.xlsx (one sheet per table), parquet/ (the same tables), summary.pdf and README.md "
           "(definitions of every metric).")
for table_name, frame in export.tables.items():
    st.subheader(table_name)
    if frame.is_empty():
        st.info(export.empty_reasons[table_name])
    else:
        ui.table(frame, key=f"export_{table_name}")
