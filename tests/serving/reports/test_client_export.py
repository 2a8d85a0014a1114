"""No count from 1 to 4 leaves in a client export, in any column of any table or file of the zip.

The expectations here are not read from the export's own list of count columns: a column is a count when its values
are whole numbers (its dtype in the marts) or when the export's contract says so, and what a client must get is
worked out from the marts' unsuppressed numbers. So a count column dropped from the contract, a boundary moved by
one, or a ratio left beside the small count it was computed from, fails here.
"""
from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import polars as pl
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from access import policy
from foundation.settings import get_settings
from models.metrics import CLIENT_MIN_COUNT, METRICS
from serving import analytics as an
from serving.reports import client_export
from serving.reports.client_export import COUNT, EXPORT_COLUMNS, EXPORT_TABLES, METRIC, build_client_export, export_zip
from serving.reliability import with_small_sample_flags
from serving.reports.layout import label
from serving.snapshot import open_current

#: The policy, written out: counts from 1 to 4 point at people and never reach a client (docs: "Counts from 1 to 4").
SMALLEST_SHIPPED = 5
#: Where each table's numbers come from, and the columns that name a row.
SOURCES = {
    "Campaigns": (lambda snap, scope: with_small_sample_flags(an.campaign_summary(snap, scope, an.Filters())),
                  ("campaign_id",)),
    "By month and channel": (lambda snap, scope: an.campaign_performance(snap, scope, an.Filters(),
                                                                         ["metric_month", "channel"]),
                             ("metric_month", "channel")),
    "Funnel": (lambda snap, scope: with_small_sample_flags(an.funnel(snap, scope, an.Filters(), ["campaign_id"])),
               ("campaign_id",)),
    "Placement fees": (lambda snap, scope: an.placements(snap, scope, an.Filters()), ("invoice_number",)),
    "Billing": (lambda snap, scope: an.revenue(snap, scope, an.Filters(), ["revenue_month", "revenue_stream"]),
                ("revenue_month", "revenue_stream")),
}


@pytest.fixture
def snap(on_built):
    return open_current(get_settings())


def whole(dtype: pl.DataType) -> bool:
    return dtype.is_integer() or (isinstance(dtype, pl.Decimal) and dtype.scale == 0)


def small(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and 1 <= value < SMALLEST_SHIPPED


def counted(frame: pl.DataFrame) -> list[str]:
    """The columns of a frame that hold counts: whole-number values, or declared counts."""
    return [c for c in frame.columns if whole(frame.schema[c]) or EXPORT_COLUMNS.get(c) == COUNT]


def reads(metric: str, columns) -> set[str]:
    """The columns a metric's formula reads (models/metrics.py), among ``columns``."""
    return set(re.findall(r"[a-z_][a-z0-9_]*", METRICS[metric].sql)) & set(columns)


def leaks(tables: dict[str, pl.DataFrame]) -> set[tuple[str, str]]:
    return {(name, c) for name, frame in tables.items() for c in counted(frame) if any(map(small, frame[c].to_list()))}


def clients(snap) -> list[str]:
    found = an.solutions_clients(snap, policy.ALL)["client_id"].to_list()
    assert found, "the sample has no huntRED Solutions client"
    return found


def unsuppressed(monkeypatch) -> None:
    monkeypatch.setattr(client_export, "suppress_small_counts", lambda frame, count_columns: frame)


def test_the_threshold_is_the_documented_one():
    assert CLIENT_MIN_COUNT == SMALLEST_SHIPPED


def test_the_contract_declares_every_column_and_every_count_a_shipped_metric_reads():
    """Static: a column (or a metric reading a column) cannot be exported until the contract says what it is."""
    shipped = {c for columns in EXPORT_TABLES.values() for c in columns}
    assert shipped <= set(EXPORT_COLUMNS), f"undeclared: {sorted(shipped - set(EXPORT_COLUMNS))}"
    for column in shipped:
        assert (EXPORT_COLUMNS[column] == METRIC) == (column in METRICS), column
    additive = {*an.CAMPAIGN_ADDITIVE, *an.FUNNEL_ADDITIVE, "leads_at_retargeting_start", "leads_recovered",
                "succeeded_charges", "failed_charges", "gross_revenue_mxn", "refunds_mxn"}
    for metric in shipped & set(METRICS):
        for column in reads(metric, additive):
            assert column in EXPORT_COLUMNS, f"{metric} reads {column}, which the contract does not declare"
            assert EXPORT_COLUMNS[column] == COUNT or column.endswith("_mxn"), (metric, column)


def against_the_marts(snap, client: str) -> set[tuple[str, str]]:
    """Build the client's export and check every cell against the marts read directly: a count from 1 to 4 is blank,
    every other count is the marts' (zero included), a ratio is blank exactly when a count it reads is small (shipped
    or not), and everything else is shipped as it is. Returns the (table, column) pairs that had a value blanked."""
    blanked = set()
    export = build_client_export(snap, policy.Scope(client_id=client), client)
    assert set(export.tables) == set(SOURCES)
    for name, shipped in export.tables.items():
        undeclared = set(shipped.columns) - set(EXPORT_COLUMNS)
        assert not undeclared, f"{name} ships {undeclared}, which the export's contract does not declare"
        read, keys = SOURCES[name]
        truth = read(snap, policy.Scope(client_id=client))
        counts = set(counted(truth)) | set(counted(shipped))
        by_key = {tuple(row[k] for k in keys): row for row in truth.iter_rows(named=True)}
        assert shipped.height == len(by_key) == truth.height, name  # one row per key, none lost or added
        for row in shipped.iter_rows(named=True):
            real = by_key[tuple(row[k] for k in keys)]
            for column, value in row.items():
                if column in counts:
                    assert not small(value), f"{name}.{column} ships {value} for {client}"
                    expected = None if small(real[column]) else real[column]
                elif column in METRICS:
                    from_small = [c for c in reads(column, truth.columns) if c in counts and small(real[c])]
                    expected = None if from_small else real[column]
                else:
                    expected = real[column]
                assert value == expected, (client, name, column, value, real[column])
                if expected is None and real[column] is not None:
                    blanked.add((name, column))
    return blanked


def test_every_cell_of_a_client_export_is_the_marts_value_or_blank_because_of_a_small_count(snap):
    """Every Solutions client of the sample: see against_the_marts. The sample has a small screened count."""
    blanked = set().union(*(against_the_marts(snap, client) for client in clients(snap)))
    assert ("Funnel", "screened") in blanked, "the sample no longer has a small screened count: the check is vacuous"
    assert any(column in METRICS for _, column in blanked), "no ratio was blanked in the sample: the check is vacuous"


def test_without_suppression_the_sample_would_ship_small_counts(snap, monkeypatch):
    """The check above is not vacuous: turned off, the sample's exports hold small screened and other counts."""
    unsuppressed(monkeypatch)
    found = set().union(*(leaks(build_client_export(snap, policy.Scope(client_id=c), c).tables) for c in clients(snap)))
    assert ("Funnel", "screened") in found and len(found) > 1, found


def every_count_at(value: int, monkeypatch) -> None:
    """Make every whole-number column of what the export reads equal ``value`` (ratios keep their real values)."""
    for function in ("campaign_summary", "campaign_performance", "funnel", "revenue"):
        real = getattr(an, function)

        def patched(*args, _real=real, **kwargs):
            frame = _real(*args, **kwargs)
            return frame.with_columns(pl.lit(value).cast(frame.schema[c]).alias(c) for c in counted(frame))

        monkeypatch.setattr(an, function, patched)


@pytest.mark.parametrize("value", [0, 1, SMALLEST_SHIPPED - 1, SMALLEST_SHIPPED])
def test_every_count_column_is_blanked_at_every_small_value_and_only_there(snap, monkeypatch, value):
    """Every count the export reads set to one value, through the real export (the sample has no small interviewed or
    offered count): at 1 and 4 every count column of every table and every ratio computed from one is blank; at 0
    and 5 nothing is."""
    every_count_at(value, monkeypatch)
    blanked = against_the_marts(snap, clients(snap)[0])
    if small(value):
        assert {("Funnel", c) for c in ("applied", "screened", "interviewed", "offered", "hired")} <= blanked
        assert {("Campaigns", c) for c in ("reach", "clicks", "applications", "qualified_applications", "hires",
                                            "leads_at_retargeting_start", "leads_recovered")} <= blanked
        assert {("Billing", "succeeded_charges"), ("Billing", "failed_charges")} <= blanked
        assert {("Funnel", "screen_rate"), ("Campaigns", "conversion_rate"), ("Campaigns", "retargeting_impact")} <= blanked
    else:
        assert blanked == set()


def zip_leaks(data: bytes) -> set[tuple[str, str]]:
    """Small counts in any member of an export zip: (member, where)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    found, count_columns = set(), {}
    for member in archive.namelist():
        if member.endswith(".parquet"):
            frame = pl.read_parquet(io.BytesIO(archive.read(member)))
            assert set(frame.columns) <= set(EXPORT_COLUMNS), f"{member}: undeclared columns"
            count_columns[member] = counted(frame)
            found |= {(member, c) for c in counted(frame) if any(map(small, frame[c].to_list()))}
    book = load_workbook(io.BytesIO(archive.read("export.xlsx")), read_only=True)
    for name in EXPORT_TABLES:
        header, *rows = book[name].iter_rows(values_only=True)
        parquet = f"parquet/{name.lower().replace(' ', '_')}.parquet"
        columns = pl.read_parquet(io.BytesIO(archive.read(parquet))).columns
        assert list(header) == [label(c) for c in columns], name  # the sheet shows the parquet's columns, labelled
        for i, column in enumerate(columns):
            if column in count_columns[parquet] and any(small(row[i]) for row in rows):
                found.add(("export.xlsx", f"{name}.{column}"))
    cells: list[str] = []
    for page in PdfReader(io.BytesIO(archive.read("summary.pdf"))).pages:
        page.extract_text(visitor_text=lambda text, *_: cells.append(text.strip()))
    # a count is printed bare ("3"); money has "$", ratios "%" or "x", scores a decimal point, months a dash
    found |= {("summary.pdf", cell) for cell in cells if re.fullmatch(r"\d+", cell) and small(int(cell))}
    return found


def test_no_member_of_the_zip_ships_a_small_count(snap, monkeypatch):
    """export.xlsx, every parquet file and summary.pdf's tables, for each client, and for a client whose every count is
    4; turned off, suppression would let small counts into each kind of member (the check can fail)."""
    for client in clients(snap):
        assert zip_leaks(export_zip(build_client_export(snap, policy.Scope(client_id=client), client))) == set()
    client = clients(snap)[0]
    every_count_at(SMALLEST_SHIPPED - 1, monkeypatch)
    assert zip_leaks(export_zip(build_client_export(snap, policy.Scope(client_id=client), client))) == set()
    unsuppressed(monkeypatch)
    found = zip_leaks(export_zip(build_client_export(snap, policy.Scope(client_id=client), client)))
    assert {member for member, _ in found} >= {"export.xlsx", "summary.pdf", "parquet/funnel.parquet"}, found
    assert {("parquet/funnel.parquet", c) for c in ("screened", "interviewed", "offered")} <= found
