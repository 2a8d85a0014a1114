"""The ROI report and the client bundle read right: every PDF and workbook of the sample, checked everywhere.

PDFs are read back from their character boxes and drawn rectangles (pdfplumber): every character of a table or tile
lies inside the rectangle drawn around it, no two words overlap, every header and name is whole in one cell, every
value has its column's format, and every page is numbered. Workbooks are read back cell by cell (openpyxl). What each
column must look like is written out here by header (``LOOKS``), not read from serving/reports/layout.py, so a column
the code formats wrongly, or a new column nobody decided a format for, fails.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pdfplumber
import polars as pl
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from access import policy
from foundation.errors import BadRequest
from foundation.settings import get_settings
from models.enums import BusinessUnit
from models.metrics import METRICS
from serving import analytics as an
from serving.reports.client_export import EMPTY_REASONS, build_client_export, export_zip
from serving.reports.roi import build_roi_report, roi_chart, roi_pdf, roi_xlsx
from serving.snapshot import open_current
from tests.conftest import point_at
from tests.serving.reports.test_client_export import SMALLEST_SHIPPED, every_count_at

MINUS = "\u2212"
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
#: What a cell of each kind reads in a PDF. n/m: not meaningful (nothing to divide by); <5: a hidden small count.
PDF_TEXT = {
    "money": rf"{MINUS}?\$\d{{1,3}}(,\d{{3}})*|n/m",
    "count": r"\d{1,3}(,\d{3})*|<5",
    "rate": rf"{MINUS}?\d{{1,3}}(,\d{{3}})*\.\d%|n/m",
    "multiple": rf"{MINUS}?\d{{1,3}}(,\d{{3}})*\.\dx|n/m",
    "score": r"\d{1,3}\.\d|n/m",
    "change": rf"[+{MINUS}]\d{{1,3}}(,\d{{3}})*\.\d%|0\.0%|n/m",
    "month": rf"({MONTHS}) \d{{4}}",
    "date": rf"\d{{1,2}} ({MONTHS}) \d{{4}}",
    "text": r".+",
}
#: The Excel number format of each kind, and the type its cells hold.
EXCEL_FORMAT = {"money": {'"$"#,##0', "#,##0"}, "count": {"#,##0"}, "rate": {"0.0%"}, "multiple": {'0.0"x"'},
                "score": {"0.0"}, "change": {"+0.0%;-0.0%;0.0%"}, "month": {"mmm yyyy"}, "date": {"yyyy-mm-dd"},
                "text": {"@", "General"}}
#: Every header a report or export may show, and how its column must look (an unlisted header fails: decide it here).
LOOKS = {
    **dict.fromkeys(["Spend", "Attributed revenue", "Cost per application", "Qualified cost per application",
                     "Cost per hire", "Budget", "Gross revenue", "Refunds", "Net revenue", "Invoiced", "Paid",
                     "Refunded", "Paid, net of refunds"], "money"),
    **dict.fromkeys(["Reach", "Clicks", "Applications", "Qualified applications", "Hires", "Applied", "Screened",
                     "Interviewed", "Offered", "Hired", "Successful charges", "Failed charges",
                     "Leads at retargeting start", "Leads recovered"], "count"),
    **dict.fromkeys(["CTR", "Conversion rate", "Applied → screened", "Screened → interviewed", "Interviewed → offered",
                     "Offer acceptance", "Applied → hired", "% stale", "Source quality", "Refund rate",
                     "Charge failure rate", "Retargeting impact"], "rate"),
    "ROI": "multiple", "ROAS": "multiple", "Engagement score": "score", "Change": "change",
    "Month": "month", "Start": "date", "End": "date", "Started": "date", "Hired on": "date", "Invoiced on": "date", "Paid on": "date",
    **dict.fromkeys(["Campaign", "Campaign ID", "Channel", "Channel ID", "Business unit", "Objective", "Metric",
                     "Fewer than 30 cases", "Revenue stream", "Invoice", "Vacancy", "Invoice status", "Guarantee"],
                    "text"),
}
#: In the summary (one row per metric) these columns look like their row's metric.
PER_ROW = {"This period", "Previous period"}
#: The columns a printed table replaces by a name (ids and codes): their header there is the name's.
PRINTED_AS = {"campaign_id": "Campaign", "channel": "Channel"}
#: Internal words a director must never read.
BANNED = re.compile(r"\bNone\b|\bnan\b|\binf\b|\d[eE][+-]?\d|\bseed\b|\bnull\b")
# A run id is hex ("run 4e249238") and may look like 4e2; it is the one place digits and an e may meet.
RUN_ID = re.compile(r"\brun [0-9a-f]{8}\b")


@dataclass
class Document:
    name: str
    pdf: bytes
    xlsx: bytes
    tables: dict[str, pl.DataFrame]  # what the document prints, by heading
    pages: list  # parsed PDF pages (see parse)


# -- reading a PDF back -------------------------------------------------------------------------------------------------
@dataclass
class Cell:
    x0: float
    top: float
    x1: float
    bottom: float
    heading: bool  # a table's header cell (filled)
    text: str = ""


@dataclass
class Page:
    number: int
    text: str
    chars: list[dict]
    words: list[dict]
    cells: list[Cell]


def parse(data: bytes) -> list[Page]:
    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            cells = [Cell(r["x0"], r["top"], r["x1"], r["bottom"], bool(r["fill"]) and tuple(
                round(c, 2) for c in (r["non_stroking_color"] or ())) != (1, 1, 1)) for r in page.rects if r["stroke"]]
            chars = list(page.chars)
            for cell in cells:
                inside = sorted((c for c in chars if _center_in(c, cell)), key=lambda c: (round(c["top"]), c["x0"]))
                lines: dict[int, str] = {}
                for c in inside:
                    lines[round(c["top"])] = lines.get(round(c["top"]), "") + c["text"]
                cell.text = " ".join(" ".join(lines.values()).split())
            out.append(Page(page.page_number, page.extract_text() or "", chars,
                            page.extract_words(x_tolerance=1.5, y_tolerance=1.5), cells))
    return out


def _center_in(char: dict, cell: Cell) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return cell.x0 <= x <= cell.x1 and cell.top <= y <= cell.bottom


def _overlap(a, b, shrink: float = 0.3) -> bool:
    return (min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > shrink
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > shrink)


def runs_outside_its_cell(page: Page, inset: float = 0.3) -> list[str]:
    """Characters not wholly inside the rectangle around them (a clipped or overflowing text), or touching a
    rectangle they are not inside."""
    found = []
    for c in page.chars:
        box = {"x0": c["x0"], "x1": c["x1"], "top": c["top"], "bottom": c["bottom"]}
        around = [cell for cell in page.cells if _center_in(c, cell)]
        if not around:
            if any(_overlap(box, vars(cell)) for cell in page.cells):
                found.append(f"page {page.number}: {c['text']!r} at x={c['x0']:.1f} crosses a cell's edge")
            continue
        cell = min(around, key=lambda k: (k.x1 - k.x0) * (k.bottom - k.top))
        if not (c["x0"] >= cell.x0 + inset and c["x1"] <= cell.x1 - inset
                and c["top"] >= cell.top + inset and c["bottom"] <= cell.bottom - inset):
            found.append(f"page {page.number}: {c['text']!r} of {cell.text[:40]!r} runs outside its cell")
    return found


def overlapping_words(page: Page) -> list[str]:
    words = sorted(page.words, key=lambda w: w["x0"])
    found = []
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if b["x0"] >= a["x1"]:
                break
            if _overlap(a, b):
                found.append(f"page {page.number}: {a['text']!r} overlaps {b['text']!r}")
    return found


def columns_of(pages: list[Page]) -> list[tuple[Page, Cell, Cell, Cell | None]]:
    """Every body cell of every table with its column's header cell and the first cell of its row."""
    out = []
    for page in pages:
        headers = [c for c in page.cells if c.heading]
        for cell in page.cells:
            if cell.heading:
                continue
            above = [h for h in headers if abs(h.x0 - cell.x0) < 0.5 and abs(h.x1 - cell.x1) < 0.5 and h.top < cell.top]
            if not above:
                continue  # a headline tile
            header = max(above, key=lambda h: h.top)
            first = min((c for c in page.cells if not c.heading and abs(c.top - cell.top) < 0.5), key=lambda c: c.x0)
            out.append((page, header, cell, first))
    return out


# -- the documents of the sample ----------------------------------------------------------------------------------------
def roi_periods(snap) -> list[tuple[str | None, date, date]]:
    """All business units over all the data, each BU with data over its own data, and one BU's last month."""
    first, last = an.data_range(snap)
    periods: list[tuple[str | None, date, date]] = [(None, first, last)]
    for bu in BusinessUnit:
        cover = an.campaign_coverage(snap, policy.ALL, an.Filters(business_units=(bu.value,)))
        if cover["first_day"] is not None:
            periods.append((bu.value, cover["first_day"], cover["last_day"]))
    bu, _, end = periods[-1]
    periods.append((bu, end.replace(day=1), end))
    return periods


@pytest.fixture(scope="module")
def documents(built_lakehouse) -> list[Document]:
    point_at(built_lakehouse[0])
    snap = open_current(get_settings())
    docs = []
    for bu, first, last in roi_periods(snap):
        report = build_roi_report(snap, policy.ALL, bu, first, last)
        pdf = roi_pdf(report)
        docs.append(Document(f"ROI {bu or 'all'} {first}..{last}", pdf, roi_xlsx(report), report.tables, parse(pdf)))
    for client in an.solutions_clients(snap, policy.ALL)["client_id"]:
        bundle = zipfile.ZipFile(io.BytesIO(export_zip(build_client_export(snap, policy.Scope(client_id=client), client))))
        pdf = bundle.read("summary.pdf")
        export = build_client_export(snap, policy.Scope(client_id=client), client)
        docs.append(Document(f"client {client}", pdf, bundle.read("export.xlsx"), export.tables, parse(pdf)))
    assert sum(d.name.startswith("client") for d in docs) >= 1 and len(docs) >= 6
    return docs


# -- PDF ------------------------------------------------------------------------------------------------------------------
def test_no_character_of_any_pdf_runs_outside_its_cell_and_no_two_words_overlap(documents):
    problems = [f"{d.name}: {p}" for d in documents for page in d.pages
                for p in runs_outside_its_cell(page) + overlapping_words(page)]
    assert not problems, "\n".join(problems[:20])
    assert all(sum(len(page.cells) for page in d.pages) > 20 for d in documents), "no tables were drawn"


def test_every_table_is_printed_with_whole_headers_and_whole_names(documents):
    """Each table of each document has its heading, each of its columns' header whole in one cell, and each campaign,
    channel and month name whole in one cell (never cut: two campaigns can share a prefix)."""
    for doc in documents:
        text = "\n".join(page.text for page in doc.pages)
        cells = {cell.text for page in doc.pages for cell in page.cells}
        headers = {cell.text for page in doc.pages for cell in page.cells if cell.heading}
        for title, frame in doc.tables.items():
            assert re.search(rf"^{re.escape(title)}( \(\d of \d\))?$", text, re.M), f"{doc.name}: no table {title}"
            if frame.is_empty():
                why = EMPTY_REASONS[title] if doc.name.startswith("client") else "Nothing in this period."
                assert re.search(rf"^{re.escape(title)}\n{re.escape(why)}$", text, re.M), (doc.name, title)
                continue
            for column in frame.columns:  # a metric's header is its label in models/metrics.py, whole
                expected = METRICS[column].label if column in METRICS else PRINTED_AS.get(column)
                if expected is not None:
                    assert expected in headers, f"{doc.name}: {title} has no whole header {expected!r}"
            assert headers <= set(LOOKS) | PER_ROW, f"{doc.name}: headers cut or undecided: {headers - set(LOOKS) - PER_ROW}"
            for column in ("campaign_name", "channel_name"):
                if column in frame.columns:
                    missing = {n for n in frame[column].to_list() if n not in cells}
                    assert not missing, f"{doc.name}: {title}: names not whole in a cell: {missing}"
            for column in ("metric_month", "revenue_month"):
                if column in frame.columns:
                    assert {f"{m:%b %Y}" for m in frame[column].to_list()} <= cells, (doc.name, title, column)


def test_every_header_is_a_display_label_and_every_value_has_its_columns_format(documents):
    for doc in documents:
        for page, header, cell, first in columns_of(doc.pages):
            assert header.text in LOOKS or header.text in PER_ROW, f"{doc.name}: header {header.text!r}: decide it in LOOKS"
            look = LOOKS[first.text] if header.text in PER_ROW else LOOKS[header.text]
            assert re.fullmatch(PDF_TEXT[look], cell.text), (doc.name, page.number, header.text, cell.text)


def test_every_page_is_numbered_and_says_nothing_internal(documents):
    snake = {c for d in documents for frame in d.tables.values() for c in frame.columns if "_" in c}
    for doc in documents:
        for page in doc.pages:
            assert f"page {page.number} of {len(doc.pages)}" in page.text, (doc.name, page.number)
            words = RUN_ID.sub("run <id>", page.text)
            assert not BANNED.findall(words), (doc.name, page.number, BANNED.findall(words))
            assert not {w for w in re.findall(r"[a-z0-9_]+", page.text) if w in snake}, (doc.name, page.number)


def test_the_first_page_has_the_headline_figures_of_the_bu_and_period(documents, on_built):
    snap = open_current(get_settings())
    for doc in (d for d in documents if d.name.startswith("ROI")):
        _, bu, period = doc.name.split(" ")
        first, last = (date.fromisoformat(d) for d in period.split(".."))
        truth = an.campaign_kpis(snap, policy.ALL, an.Filters(business_units=() if bu == "all" else (bu,),
                                                              date_from=first, date_to=last))["current"]
        tiles = [c.text for c in doc.pages[0].cells]
        assert len(tiles) == 6, tiles
        for tile, heading in zip(tiles, ("Spend", "Attributed revenue", "ROI", "Applications", "Hires", "Cost per hire")):
            assert tile.startswith(heading + " "), tile
            assert re.search(r"[.:]", tile[len(heading):]), f"no sentence in {tile!r}"
        assert f"${truth['spend_mxn']:,.0f}" in tiles[0] and f"{first.day} {first:%b %Y}" in tiles[0]
        assert tiles[3].startswith(f"Applications {truth['applications']:,} ")
        assert tiles[4].startswith(f"Hires {truth['hires']:,} ")
        roi = truth["roi"]
        assert ("n/m" if roi is None else f"{abs(roi):,.1f}x") in tiles[2]


def test_page_one_renders_to_a_picture_with_something_on_it(documents, tmp_path):
    from PIL import Image

    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm is not installed: run `make pdftools` (apt-get install poppler-utils).")
    for i, doc in enumerate(documents):
        source = tmp_path / f"{i}.pdf"
        source.write_bytes(doc.pdf)
        subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / f"p{i}")],
                       check=True, timeout=60)
        image = Image.open(next(tmp_path.glob(f"p{i}*.png"))).convert("L")
        dark = sum(1 for v in image.getdata() if v < 128)
        assert dark > 0.003 * image.width * image.height, f"{doc.name}: page 1 is blank"


def test_the_charts_money_axes_read_in_mxn_with_k_and_m_and_no_offset(on_built):
    snap = open_current(get_settings())
    first, last = an.data_range(snap)
    fig = roi_chart(build_roi_report(snap, policy.ALL, None, first, last))
    fig.canvas.draw()
    left, right = fig.axes
    money = rf"{MINUS}?\$\d+(\.\d)?[kMB]?"
    for axis in (left.yaxis, right.xaxis):
        labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
        assert labels and all(re.fullmatch(money, t) for t in labels), labels
    assert max(t.get_text() for t in left.yaxis.get_ticklabels()).endswith(("k", "M")), "the sample spends too little"
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            assert axis.get_offset_text().get_text() == "", axis.get_offset_text().get_text()
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_hidden_counts_read_less_than_five_and_their_ratios_not_meaningful(on_built, monkeypatch):
    """Every count of a client's export set to 4 (so every count is hidden): the PDF prints <5 in every count column,
    never a blank, and n/m in every ratio; export.xlsx holds the same texts."""
    snap = open_current(get_settings())
    client = an.solutions_clients(snap, policy.ALL)["client_id"][0]
    every_count_at(SMALLEST_SHIPPED - 1, monkeypatch)
    bundle = zipfile.ZipFile(io.BytesIO(export_zip(build_client_export(snap, policy.Scope(client_id=client), client))))
    seen = set()
    for _, header, cell, _ in columns_of(parse(bundle.read("summary.pdf"))):
        if LOOKS.get(header.text) == "count":
            assert cell.text == "<5", (header.text, cell.text)
            seen.add(header.text)
        if header.text in ("Conversion rate", "Applied → screened", "Cost per hire"):
            assert cell.text == "n/m", (header.text, cell.text)
    assert {"Applications", "Hires", "Applied", "Successful charges"} <= seen
    book = load_workbook(io.BytesIO(bundle.read("export.xlsx")))
    for sheet in book.worksheets[1:]:
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            for name, cell in zip(header, row):
                if LOOKS.get(name) == "count":
                    assert cell.value == "<5", (sheet.title, name, cell.value)


# -- Excel ------------------------------------------------------------------------------------------------------------
def widths(sheet) -> dict[int, float]:
    out = {}
    for dim in sheet.column_dimensions.values():
        if dim.width and dim.customWidth:
            for i in range(dim.min, dim.max + 1):
                out[i] = dim.width
    return out


def test_every_cell_of_every_sheet_of_every_workbook_has_its_columns_format(documents):
    checked = set()
    for doc in documents:
        book = load_workbook(io.BytesIO(doc.xlsx))
        assert book.sheetnames == ["About", *doc.tables], doc.name
        for sheet in book.worksheets[1:]:
            assert sheet.freeze_panes == "A2", (doc.name, sheet.title)
            header = [c.value for c in sheet[1]]
            width = widths(sheet)
            for i, name in enumerate(header, start=1):
                assert name in LOOKS or name in PER_ROW, f"{doc.name}/{sheet.title}: header {name!r}: decide it in LOOKS"
                assert width.get(i, 0) >= max(8, *(len(w) for w in name.split())), (doc.name, sheet.title, name)
            for row in sheet.iter_rows(min_row=2):
                for name, cell in zip(header, row):
                    look = LOOKS[row[0].value] if name in PER_ROW else LOOKS[name]
                    where = (doc.name, sheet.title, name, cell.coordinate, cell.value, cell.number_format)
                    if isinstance(cell.value, str) and look not in ("text",):
                        assert cell.value in ("n/m", "<5") and (cell.value == "<5") == (look == "count"), where
                        continue
                    assert cell.number_format in EXCEL_FORMAT[look], where
                    if look in ("month", "date"):
                        assert isinstance(cell.value, datetime) and cell.is_date, where
                        assert look == "date" or cell.value.day == 1, where
                    elif look == "count":
                        assert isinstance(cell.value, int), where
                    elif look != "text":
                        assert isinstance(cell.value, (int, float)), where
                    else:
                        assert cell.value is None or isinstance(cell.value, str), where
                        if isinstance(cell.value, str):
                            assert width[header.index(name) + 1] >= min(len(cell.value), 40), where
                    checked.add(look)
    assert checked >= {"money", "count", "rate", "multiple", "score", "month", "date", "text"}, checked


def test_roi_is_a_multiple_and_rates_are_percentages_in_the_workbook(on_built):
    """The cases the issue saw: ROI 42.6 reads 42.6x (not 4262.4%), a CTR 0.03 reads 3.0%, reach has no decimals."""
    snap = open_current(get_settings())
    first, last = an.data_range(snap)
    report = build_roi_report(snap, policy.ALL, None, first, last)
    sheet = load_workbook(io.BytesIO(roi_xlsx(report)))["Summary"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert rows["ROI"][1].number_format == '0.0"x"' and rows["ROI"][1].value == pytest.approx(report.value("roi"))
    assert rows["CTR"][1].number_format == "0.0%"
    assert rows["Reach"][1].number_format == "#,##0" and isinstance(rows["Reach"][1].value, int)


# -- an empty period -------------------------------------------------------------------------------------------------
def test_a_period_without_data_is_refused_in_one_sentence_naming_the_period_with_data(on_built):
    snap = open_current(get_settings())
    with pytest.raises(BadRequest) as refused:
        build_roi_report(snap, policy.ALL, "huntred", date(2030, 1, 1), date(2030, 3, 31))
    cover = an.campaign_coverage(snap, policy.ALL, an.Filters(business_units=("huntred",)))
    assert refused.value.problem == (f"huntRED has no campaign data from 2030-01-01 to 2030-03-31; its data runs from "
                                     f"{cover['first_day']:%Y-%m-%d} to {cover['last_day']:%Y-%m-%d}.")
    first, last = an.data_range(snap)
    with pytest.raises(BadRequest, match=rf"^There is no campaign data .* the data runs from {first} to {last}\."):
        build_roi_report(snap, policy.ALL, None, last + timedelta(days=1), last + timedelta(days=30))
