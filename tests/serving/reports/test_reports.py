"""ROI reports and client exports: the numbers in the files are the marts' numbers, scopes hold, small counts are hidden."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import polars as pl
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from access import policy
from foundation.errors import UserError
from foundation.settings import get_settings
from serving.reports.client_export import build_client_export, export_zip
from serving.reports.roi import build_roi_report, roi_pdf, roi_xlsx
from serving.reports.suppression import suppress_small_counts
from serving.snapshot import open_current
from tests.serving.test_scope import a_solutions_client_with_campaigns

PERIOD = (date(2025, 11, 1), date(2026, 10, 31))


@pytest.fixture
def snap(on_built):
    return open_current(get_settings())


def mart_totals(snap, bu: str) -> dict:
    return snap.cursor().sql(
        "SELECT sum(spend_mxn) AS spend, sum(applications)::BIGINT AS applications, sum(hires)::BIGINT AS hires, "
        "sum(attributed_revenue_mxn) AS revenue FROM marts.fct_campaign_channel_daily "
        "WHERE business_unit = $bu AND metric_date BETWEEN $a AND $b", params={"bu": bu, "a": PERIOD[0], "b": PERIOD[1]}
    ).pl().row(0, named=True)


def test_roi_excel_has_one_formatted_sheet_per_table_with_the_marts_numbers(snap):
    report = build_roi_report(snap, policy.ALL, "huntred", *PERIOD)
    book = load_workbook(io.BytesIO(roi_xlsx(report)))
    assert book.sheetnames == ["About", *report.tables]
    sheet = book["Summary"]
    assert [c.value for c in sheet[1]] == ["Metric", "This period", "Previous period", "Change"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    truth = mart_totals(snap, "huntred")
    assert rows["Spend"][1] == pytest.approx(truth["spend"])
    assert rows["Applications"][1] == truth["applications"]
    assert rows["Hires"][1] == truth["hires"]
    assert sheet["B2"].number_format == '"$"#,##0'
    by_channel = book["By channel"]
    header = [c.value for c in by_channel[1]]
    spend_col = header.index("Spend")
    assert sum(r[spend_col] or 0 for r in by_channel.iter_rows(min_row=2, values_only=True)) == pytest.approx(truth["spend"])


def test_roi_pdf_shows_the_same_totals_and_a_chart(snap):
    report = build_roi_report(snap, policy.ALL, "huntred", *PERIOD)
    reader = PdfReader(io.BytesIO(roi_pdf(report)))
    text = " ".join(page.extract_text() for page in reader.pages)
    truth = mart_totals(snap, "huntred")
    assert f"${truth['spend']:,.0f}" in text
    assert f"{truth['applications']:,}" in text
    assert "huntRED" in text and "Cost per application" in text
    assert any(page.images for page in reader.pages), "the PDF has no chart"


def test_a_bu_manager_cannot_report_on_another_bu(snap):
    with pytest.raises(UserError, match="your own business unit"):
        build_roi_report(snap, policy.Scope(business_unit="amigro"), "huntred", *PERIOD)
    own = build_roi_report(snap, policy.Scope(business_unit="amigro"), None, *PERIOD)
    assert own.value("applications") == mart_totals(snap, "amigro")["applications"]


def test_suppression_blanks_small_counts_and_the_ratios_built_from_them():
    frame = pl.DataFrame({"applications": [3, 40, 0], "hires": [1, 6, 0], "spend_mxn": [100.0, 800.0, 0.0],
                          "cost_per_hire_mxn": [100.0, 133.3, None], "cost_per_application_mxn": [33.3, 20.0, None]})
    out = suppress_small_counts(frame, ["applications", "hires"])
    assert out["applications"].to_list() == [None, 40, 0]
    assert out["hires"].to_list() == [None, 6, 0]
    assert out["cost_per_hire_mxn"].to_list() == [None, 133.3, None]
    assert out["cost_per_application_mxn"].to_list() == [None, 20.0, None]
    assert out["spend_mxn"].to_list() == [100.0, 800.0, 0.0]


def test_a_client_export_bundle_holds_only_that_client_and_no_small_counts(snap):
    client = a_solutions_client_with_campaigns(snap)
    export = build_client_export(snap, policy.Scope(client_id=client), client)
    archive = zipfile.ZipFile(io.BytesIO(export_zip(export)))
    names = set(archive.namelist())
    assert {"README.md", "export.xlsx", "summary.pdf", "parquet/campaigns.parquet"} <= names
    campaigns = pl.read_parquet(io.BytesIO(archive.read("parquet/campaigns.parquet")))
    theirs = {c for (c,) in snap.cursor().sql("SELECT campaign_id FROM marts.mart_campaign_summary WHERE client_id = $c",
                                               params={"c": client}).fetchall()}
    assert set(campaigns["campaign_id"]) == theirs
    for name in names:
        if name.endswith(".parquet"):
            frame = pl.read_parquet(io.BytesIO(archive.read(name)))
            for column in ("applications", "hires", "applied", "hired", "clicks", "reach"):
                if column in frame.columns:
                    assert not frame[column].is_between(1, 4).any(), f"{name}.{column} leaks a count under 5"
    assert "Counts from 1 to 4" in archive.read("README.md").decode()
    with pytest.raises(UserError, match="your own organisation"):
        build_client_export(snap, policy.Scope(client_id=client), "cli_00001")
