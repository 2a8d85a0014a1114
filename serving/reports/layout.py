"""How the numbers of a report look, decided once for the PDF and the Excel workbook of every report.

Each column has one *kind*, derived from the metric definitions (``models/metrics.py``: a ratio is a %, ROI and ROAS
are multiples, money is MXN) and from the column itself (``*_mxn`` is money, ``*_month`` a month, a summed count an
integer). From the kind follow the column's text in a PDF (``display``), its Excel number format (``EXCEL_FORMATS``),
its alignment; from ``label`` its header. The PDF helpers wrap every header and name inside its cell (fpdf2's
``table()``, row heights from the wrapped text) and number every page; ``frames_to_xlsx`` writes real dates and
numbers with their formats, frozen headers and widths from the content.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterable, Sequence

import polars as pl

from models import labels
from models.metrics import ADDITIVE_COLUMNS, CLIENT_MIN_COUNT, METRICS

# -- kinds ------------------------------------------------------------------------------------------------------------
TEXT, DATE, MONTH, MONEY, COUNT, PERCENT, MULTIPLE, SCORE, DECIMAL, CHANGE = (
    "text", "date", "month", "money", "count", "percent", "multiple", "score", "decimal", "change")
NUMERIC_KINDS = {MONEY, COUNT, PERCENT, MULTIPLE, SCORE, DECIMAL, CHANGE}

#: A metric's unit (models/metrics.py) is its kind.
_UNIT_KINDS = {"ratio": PERCENT, "multiple": MULTIPLE, "currency": MONEY, "score": SCORE, "days": DECIMAL,
               "count": DECIMAL}
#: Counts the reports ship besides the marts' additive columns.
_COUNTS = {*ADDITIVE_COLUMNS["campaign"], *ADDITIVE_COLUMNS["funnel"], "leads_at_retargeting_start",
           "leads_recovered", "succeeded_charges", "failed_charges"}

#: In a table with one row per metric (the ROI summary), these columns take the kind of their row's metric.
METRIC_KEY = "metric"
PER_METRIC_COLUMNS = ("value", "previous_period")

NOT_MEANINGFUL = "n/m"
SUPPRESSED = f"<{CLIENT_MIN_COUNT}"
MISSING = "–"
MINUS = "\u2212"
NOT_MEANINGFUL_NOTE = f"{NOT_MEANINGFUL}: not meaningful (nothing to divide by, e.g. a cost per hire without hires)."
SUPPRESSED_LEGEND = (f"{SUPPRESSED}: a count from 1 to {CLIENT_MIN_COUNT - 1}, not shown to protect the people it could "
                     f"point at; a ratio computed from such a count is {NOT_MEANINGFUL} too.")


def column_kind(column: str, dtype: pl.DataType | None = None) -> str:
    if column in METRICS:
        return _UNIT_KINDS[METRICS[column].unit]
    if column == "change":
        return CHANGE
    if column.endswith("_mxn"):
        return MONEY
    if column.endswith("_month"):
        return MONTH
    if column.endswith("_date"):
        return DATE
    if column in _COUNTS:
        return COUNT
    if dtype is not None:
        if dtype.is_temporal():
            return DATE
        if dtype.is_integer() or (isinstance(dtype, pl.Decimal) and dtype.scale == 0):
            return COUNT
        if dtype.is_numeric():
            return DECIMAL
    return TEXT


def shown_columns(frame: pl.DataFrame) -> list[str]:
    """The columns a person reads: a per-metric table's metric key only decides its rows' formats."""
    return [c for c in frame.columns if not (c == METRIC_KEY and "label" in frame.columns)]


def cell_kinds(frame: pl.DataFrame, columns: Sequence[str]) -> list[list[str]]:
    """The kind of every cell of ``columns``, row by row."""
    base = [column_kind(c, frame.schema[c]) for c in columns]
    if METRIC_KEY not in frame.columns:
        return [base] * frame.height
    return [[column_kind(metric) if c in PER_METRIC_COLUMNS else kind for c, kind in zip(columns, base)]
            for metric in frame[METRIC_KEY].to_list()]


# -- labels -----------------------------------------------------------------------------------------------------------
#: A printed cell shows its currency ("$"), so headers drop the " (MXN)" of the dashboard's vocabulary
#: (models/labels.py, the one place labels live); these few columns are the report's own.
REPORT_COLUMN_LABELS = {"channel": "Channel ID", "value": "This period", "previous_period": "Previous period",
                        "change": "Change", "label": "Metric", METRIC_KEY: "Metric ID"}


def label(column: str) -> str:
    """A column's header: the report's own, else the dashboard's vocabulary without the currency (never snake_case)."""
    if column in REPORT_COLUMN_LABELS:
        return REPORT_COLUMN_LABELS[column]
    return labels.column_label(column).removesuffix(" (MXN)")


# -- text -------------------------------------------------------------------------------------------------------------
def _signed(value: float, text: str) -> str:
    return (MINUS + text) if value < 0 and text.strip("0.,%$x") else text


def display(value, kind: str) -> str:
    """A cell's text. A count is never missing in the marts (sums are coalesced to 0), so a blank count is one that
    suppression.py hid: it reads as <5. A blank ratio or cost has nothing to divide by: n/m."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return {COUNT: SUPPRESSED, TEXT: MISSING, DATE: MISSING, MONTH: MISSING}.get(kind, NOT_MEANINGFUL)
    if kind == MONTH:
        return f"{value:%b %Y}"
    if kind == DATE:
        return f"{value.day} {value:%b %Y}" if isinstance(value, date) else str(value)
    if kind == TEXT or isinstance(value, str):
        return str(value)
    v = float(value)  # int, float or Decimal
    if kind == MONEY:
        return _signed(v, f"${abs(v):,.0f}")
    if kind == COUNT:
        return _signed(v, f"{abs(v):,.0f}")
    if kind == PERCENT:
        return _signed(v, f"{abs(v) * 100:,.1f}%")
    if kind == MULTIPLE:
        return _signed(v, f"{abs(v):,.1f}x")
    if kind == CHANGE:
        text = f"{abs(v) * 100:,.1f}%"
        return text if text == "0.0%" else ("+" if v > 0 else MINUS) + text
    return _signed(v, f"{abs(v):,.1f}")  # SCORE, DECIMAL


def compact_money(value: float) -> str:
    """Money for chart axes and headline tiles: $1.2M, $350k, $2.5k, $900."""
    v = abs(float(value))
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= limit:
            short = v / limit
            text = f"{short:.0f}" if short >= 10 else f"{short:.1f}".removesuffix(".0")
            return _signed(value, f"${text}{suffix}")
    return _signed(value, f"${v:,.0f}")


def readable_date(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def readable(frame: pl.DataFrame) -> pl.DataFrame:
    """What a printed table shows for codes: names (an id column goes when its name column is there; a channel,
    business unit, stream or status code becomes its label, models/labels.py)."""
    out = frame
    for column in frame.columns:
        if column.endswith("_id") and column.removesuffix("_id") + "_name" in frame.columns:
            out = out.drop(column)
    if "channel" in out.columns and "channel_name" in out.columns:
        out = out.drop("channel")
    for column in out.columns:
        vocabulary = labels.value_labels(column)
        if vocabulary and column != METRIC_KEY and out.schema[column] == pl.String:
            out = out.with_columns(pl.col(column).replace_strict(vocabulary, default=pl.col(column)))
    if "channel" in out.columns:
        out = out.rename({"channel": "channel_name"})
    if "objective" in out.columns:  # a code such as candidate_attraction, in words
        words = pl.col("objective").str.replace_all("_", " ")
        out = out.with_columns(words.str.slice(0, 1).str.to_uppercase() + words.str.slice(1))
    return out


# -- PDF --------------------------------------------------------------------------------------------------------------
FONT = "DejaVu"
HEADER_FILL = (236, 236, 236)
PAD_X, PAD_Y = 1.0, 0.7  # mm inside every table cell
FONT_SIZES = (7.0, 6.5, 6.0, 5.5)  # tried in turn until a table's columns fit the page
LINE = 1.35  # line height as a multiple of the font size (in mm per pt: size * 0.3528 * LINE)


def new_pdf(title: str, footer: str = "Grupo huntRED"):
    """A landscape A4 document with DejaVu Sans (the Unicode font inside matplotlib: no download) whose every page
    ends with ``footer`` and "page N of M"."""
    import matplotlib
    from fpdf import FPDF

    class ReportPdf(FPDF):
        def footer(self) -> None:
            self.set_y(-9)
            self.set_font(FONT, "", 7)
            self.set_text_color(110, 110, 110)
            width = (self.w - self.l_margin - self.r_margin) / 2
            self.cell(width, 4, footer)
            self.cell(width, 4, f"page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(0, 0, 0)

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = ReportPdf(orientation="L", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(12, 11, 12)
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.alias_nb_pages()
    pdf.set_title(title)
    pdf.set_author("Grupo huntRED")
    return pdf


def page_width(pdf) -> float:
    return pdf.w - pdf.l_margin - pdf.r_margin


def space_left(pdf) -> float:
    return pdf.page_break_trigger - pdf.get_y()


def heading(pdf, text: str, size: float = 11, keep_with: float = 22) -> None:
    """A heading that never ends a page alone: it moves on with the ``keep_with`` mm that follow it."""
    if space_left(pdf) < size * 0.6 + keep_with:
        pdf.add_page()
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def paragraph(pdf, text: str, size: float = 7.5) -> None:
    pdf.set_font(FONT, "", size)
    pdf.multi_cell(0, size * 0.3528 * 1.45, text, align="L", new_x="LMARGIN", new_y="NEXT")


@dataclass(frozen=True)
class Tile:
    """A headline figure: what it is, its value, and one plain sentence about it."""

    label: str
    value: str
    sentence: str


def tiles(pdf, items: Sequence[Tile], per_row: int = 3, gap: float = 5) -> None:
    """Headline figures in boxes, ``per_row`` to a row; each box as tall as its wrapped sentence needs."""
    width = (page_width(pdf) - gap * (per_row - 1)) / per_row
    inner = width - 2 * 3
    for start in range(0, len(items), per_row):
        row = items[start:start + per_row]

        def lines(text: str, size: float, style: str = "") -> int:
            pdf.set_font(FONT, style, size)
            return len(pdf.multi_cell(inner, 1, text, align="L", dry_run=True, output="LINES"))

        height = 3 + 4.5 + 9 + max(lines(t.sentence, 8) for t in row) * 4 + 3
        height = max(height, 3 + max(lines(t.label, 8, "B") for t in row) * 4.5 + 9 + 4 + 3)
        if space_left(pdf) < height:
            pdf.add_page()
        top = pdf.get_y()
        for i, tile in enumerate(row):
            x = pdf.l_margin + i * (width + gap)
            pdf.set_draw_color(190, 190, 190)
            pdf.rect(x, top, width, height)
            pdf.set_xy(x + 3, top + 3)
            pdf.set_font(FONT, "B", 8)
            pdf.set_text_color(110, 110, 110)
            pdf.multi_cell(inner, 4.5, tile.label, new_x="LEFT", new_y="NEXT")
            pdf.set_text_color(178, 34, 34)
            pdf.set_font(FONT, "B", 17)
            pdf.multi_cell(inner, 9, tile.value, new_x="LEFT", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
            pdf.set_font(FONT, "", 8)
            pdf.multi_cell(inner, 4, tile.sentence, align="L", new_x="LEFT", new_y="NEXT")
        pdf.set_draw_color(0, 0, 0)
        pdf.set_xy(pdf.l_margin, top + height + gap)


def _text_width(pdf, text: str, size: float, bold: bool = False) -> float:
    pdf.set_font(FONT, "B" if bold else "", size)
    return pdf.get_string_width(text)


def _longest_word(pdf, text: str, size: float, bold: bool = False) -> float:
    return max((_text_width(pdf, w, size, bold) for w in text.split()), default=0)


def _column_widths(pdf, headers: list[str], cells: list[list[str]], kinds: list[str], size: float,
                   available: float) -> list[float] | None:
    """Widths (mm) giving every column its longest word (a number or date whole) and then its full text as far as
    the page allows; None when even the longest words do not fit."""
    need, want = [], []
    slack = 2 * PAD_X + 0.8  # padding, and a margin against fpdf's own rounding when it wraps
    for i, header in enumerate(headers):
        values = [row[i] for row in cells] or [""]
        whole = kinds[i] in NUMERIC_KINDS or kinds[i] in (DATE, MONTH)
        value_need = max((_text_width(pdf, v, size) if whole else _longest_word(pdf, v, size)) for v in values)
        value_want = max(_text_width(pdf, v, size) for v in values)
        need.append(max(_longest_word(pdf, header, size, True), value_need) + slack)
        # a number's header may wrap to two lines rather than widen its column beyond its numbers
        want.append(max(_text_width(pdf, header, size, True) * (0.55 if whole else 1), value_want) + slack)
    want = [max(n, w) for n, w in zip(need, want)]
    if sum(need) > available:
        return None
    if sum(want) <= available:
        return want
    extra = available - sum(need)
    room = sum(w - n for w, n in zip(want, need))
    return [n + extra * (w - n) / room for n, w in zip(need, want)]


def table(pdf, frame: pl.DataFrame, title: str | None = None, columns: Sequence[str] | None = None,
          empty: str = "Nothing in this period.") -> None:
    """A table with wrapped headers and names. Its columns are the frame's (``readable``), its formats from the
    column kinds; when they do not fit the page even at the smallest font, it is printed in parts, each repeating
    the columns that name a row (the leading text and date columns)."""
    columns = list(columns or shown_columns(frame))
    kinds = cell_kinds(frame, columns)
    column_kinds = kinds[0] if kinds else [column_kind(c, frame.schema[c]) for c in columns]
    leading = next((i for i, k in enumerate(column_kinds) if k in NUMERIC_KINDS), len(columns))
    headers = [label(c) for c in columns]
    cells = [[display(v, k) for v, k in zip(row, row_kinds)]
             for row, row_kinds in zip(frame.select(columns).iter_rows(), kinds)]
    if not cells:
        if title:
            heading(pdf, title, keep_with=8)
        paragraph(pdf, empty)
        pdf.ln(3)
        return
    # a part repeats the fewest leading text columns that tell its rows apart (a campaign's name; month and channel)
    keys = next((n for n in range(1, leading + 1) if len({tuple(row[:n]) for row in cells}) == len(cells)),
                max(leading, 1))
    available = page_width(pdf)
    parts = _fit(pdf, headers, cells, column_kinds, available, keys)
    for n, (indexes, size, widths) in enumerate(parts):
        if title:
            heading(pdf, title if len(parts) == 1 else f"{title} ({n + 1} of {len(parts)})")
        _draw(pdf, [headers[i] for i in indexes], [[row[i] for i in indexes] for row in cells],
              [column_kinds[i] for i in indexes], widths, size)
        pdf.ln(4)


def _fit(pdf, headers, cells, kinds, available, keys) -> list[tuple[list[int], float, list[float]]]:
    """The parts a table is printed in: (column indexes, font size, widths). One part at the largest font that fits;
    else as few parts as fit at the smallest font, the columns shared out evenly among them."""
    every = list(range(len(headers)))

    def widths(chosen: list[int], size: float) -> list[float] | None:
        return _column_widths(pdf, [headers[i] for i in chosen], [[r[i] for i in chosen] for r in cells],
                              [kinds[i] for i in chosen], size, available)

    for size in FONT_SIZES:
        if (fitted := widths(every, size)) is not None:
            return [(every, size, fitted)]
    size, rest = FONT_SIZES[-1], every[keys:]
    for count in range(2, len(rest) + 1):
        share = -(-len(rest) // count)
        parts = [every[:keys] + rest[i:i + share] for i in range(0, len(rest), share)]
        fitted = [widths(part, size) for part in parts]
        if all(f is not None for f in fitted):
            return [(part, size, f) for part, f in zip(parts, fitted)]
    raise ValueError(f"a column of {headers} is wider than the page")


def _draw(pdf, headers: list[str], cells: list[list[str]], kinds: list[str], widths: list[float], size: float) -> None:
    from fpdf.fonts import FontFace

    line = size * 0.3528 * LINE
    if space_left(pdf) < 3 * line + 4 * PAD_Y:
        pdf.add_page()
    pdf.set_font(FONT, "", size)
    pdf.set_draw_color(170, 170, 170)
    aligns = tuple("RIGHT" if k in NUMERIC_KINDS else "LEFT" for k in kinds)
    # widths that fill the page exactly can add up to a hair over it in floating point, which fpdf2 refuses
    widths = [w * min(1.0, page_width(pdf) / sum(widths)) for w in widths]
    with pdf.table(width=min(sum(widths), page_width(pdf)), col_widths=tuple(widths), align="LEFT", text_align=aligns, v_align="TOP",
                   line_height=line, padding=(PAD_Y, PAD_X), repeat_headings=1,
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL, size_pt=size)) as t:
        header = t.row()
        for text in headers:
            header.cell(text)
        for row in cells:
            r = t.row()
            for text in row:
                r.cell(text)
    pdf.set_draw_color(0, 0, 0)


# -- Excel ------------------------------------------------------------------------------------------------------------
EXCEL_FORMATS = {MONEY: '"$"#,##0', COUNT: "#,##0", PERCENT: "0.0%", MULTIPLE: '0.0"x"', SCORE: "0.0",
                 DECIMAL: "#,##0.0", CHANGE: "+0.0%;-0.0%;0.0%", MONTH: "mmm yyyy", DATE: "yyyy-mm-dd", TEXT: "@"}
MAX_WIDTH = 60


def frames_to_xlsx(tables: dict[str, pl.DataFrame], title: str, notes: Iterable[str] = ()) -> bytes:
    """An 'About' sheet, then one sheet per table: display headers, every cell with its kind's number format (dates
    as dates), the header row frozen and filtered, columns as wide as their content."""
    import xlsxwriter

    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": True}) as wb:
        formats = {kind: wb.add_format({"num_format": f, "valign": "top"}) for kind, f in EXCEL_FORMATS.items()}
        blank = wb.add_format({"align": "right", "valign": "top", "font_color": "#666666"})
        head = wb.add_format({"bold": True, "bg_color": "#ECECEC", "text_wrap": True, "valign": "top", "bottom": 1})
        about = wb.add_worksheet("About")
        about.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
        for i, line in enumerate(notes, start=2):
            about.write_string(i, 0, line, wb.add_format({"text_wrap": True, "valign": "top"}))
        about.set_column(0, 0, 120)
        about.freeze_panes(1, 0)
        for name, frame in tables.items():
            _sheet(wb.add_worksheet(name[:31]), frame, formats, blank, head)
    return buf.getvalue()


def _sheet(ws, frame: pl.DataFrame, formats: dict, blank, head) -> None:
    columns = shown_columns(frame)
    kinds = cell_kinds(frame, columns)
    widths = [max([len(w) for w in label(c).split()] + [8]) for c in columns]
    for r, (row, row_kinds) in enumerate(zip(frame.select(columns).iter_rows(), kinds), start=1):
        for c, (value, kind) in enumerate(zip(row, row_kinds)):
            text = display(value, kind)
            widths[c] = max(widths[c], len(text) + (3 if kind in NUMERIC_KINDS else 1))
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                if kind not in (TEXT, DATE, MONTH):
                    ws.write_string(r, c, text, blank)  # <5 or n/m, never an empty cell that reads as zero
            elif kind in (DATE, MONTH):
                ws.write_datetime(r, c, value if isinstance(value, datetime) else datetime.combine(value, time()),
                                  formats[kind])
            elif kind in NUMERIC_KINDS:
                ws.write_number(r, c, float(value) if not isinstance(value, int) else value, formats[kind])
            else:
                ws.write_string(r, c, str(value), formats[TEXT])
    widths = [min(w, MAX_WIDTH) for w in widths]
    header_lines = 1
    for c, column in enumerate(columns):
        ws.write_string(0, c, label(column), head)
        ws.set_column(c, c, widths[c])
        header_lines = max(header_lines, _wrapped_lines(label(column), widths[c]))
    ws.set_row(0, 15 * header_lines)  # Excel does not grow a row for wrapped text it was given a height for
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(frame.height, 1), max(len(columns) - 1, 0))


def _wrapped_lines(text: str, width: float) -> int:
    lines, current = 1, 0
    for word in text.split():
        if current and current + 1 + len(word) > width - 1:
            lines, current = lines + 1, len(word)
        else:
            current += (1 if current else 0) + len(word)
    return lines
