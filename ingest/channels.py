"""Channel exports: CSV per channel and day, validated column by column (vectorised with polars)."""
from __future__ import annotations

import hashlib
import io

import polars as pl

from ingest.types import ParsedFile
from models.channels import ChannelExport, ColumnKind
from models.enums import CHANNEL_NAMES, Currency
from models.enums import QuarantineReason as R
from models.plausible import EARLIEST, latest

_CURRENCIES = [c.value for c in Currency]


def _checks(export: ChannelExport) -> list[tuple[pl.Expr, R, pl.Expr]]:
    """(row is bad, reason code, sentence) for every column, in the order they are reported."""
    out = []
    for col in export.columns:
        v = pl.col(col.native).str.strip_chars()
        name = f"'{col.native}'"
        if col.kind == ColumnKind.ID:
            out.append((v.is_null() | (v == ""), R.MISSING_FIELD, pl.lit(f"{name} (campaign id) is empty.")))
        elif col.kind == ColumnKind.DATE:
            parsed = v.str.strptime(pl.Date, export.date_format, strict=False)
            out.append((parsed.is_null(), R.INVALID_VALUE,
                        pl.format(f"{name} is '{{}}', not a date in the {export.date_format} format.", v.fill_null(""))))
            out.append((~parsed.is_between(EARLIEST.date(), latest().date()).fill_null(True), R.INVALID_VALUE,
                        pl.format(f"{name} is '{{}}', outside the plausible window ({EARLIEST:%Y-%m-%d} to a day from now).",
                                  v.fill_null(""))))
        elif col.kind == ColumnKind.COUNT:
            n = v.cast(pl.Int64, strict=False)
            out.append((n.is_null() | (n < 0), R.INVALID_VALUE,
                        pl.format(f"{name} is '{{}}'; a count must be a whole number of 0 or more.", v.fill_null(""))))
        elif col.kind == ColumnKind.MONEY:
            x = v.cast(pl.Float64, strict=False)
            out.append((x.is_null() | (x < 0), R.INVALID_VALUE,
                        pl.format(f"{name} is '{{}}'; an amount must be a number of 0 or more.", v.fill_null(""))))
        elif col.kind == ColumnKind.CURRENCY:
            out.append((~v.str.to_uppercase().is_in(_CURRENCIES).fill_null(False), R.UNKNOWN_VALUE,
                        pl.format(f"{name} is '{{}}', not one of {', '.join(_CURRENCIES)}.", v.fill_null(""))))
    return out


def _typed(export: ChannelExport) -> list[pl.Expr]:
    exprs = []
    for col in export.columns:
        v = pl.col(col.native).str.strip_chars()
        exprs.append({
            ColumnKind.DATE: v.str.strptime(pl.Date, export.date_format),
            ColumnKind.COUNT: v.cast(pl.Int64),
            ColumnKind.MONEY: v.cast(pl.Float64),
            ColumnKind.CURRENCY: v.str.to_uppercase(),
        }.get(col.kind, v).alias(col.native))
    return exprs


def parse_channel_files(files: list[bytes], export: ChannelExport) -> list[ParsedFile]:
    """Validate many exports of one channel at once (one polars pass), one result per file.

    Files whose header is not the platform's are handled on their own; the others are
    stacked into one frame, because per-file dataframe overhead dominates small exports.
    """
    results = [ParsedFile() for _ in files]
    header = ",".join(export.headers)
    stacked, origin = [], []  # record lines, and (file index, line number) of each
    for f, data in enumerate(files):
        lines = data.decode("utf-8-sig", "replace").splitlines()
        if not lines or lines[0].strip() != header:
            results[f] = _parse_odd_file(data, export)
            continue
        for number, line in enumerate(lines[1:], start=2):
            if line.strip():
                stacked.append(line)
                origin.append((f, number))
    for f, _ in origin:
        results[f].records_read += 1
    if not stacked:
        return results
    frame = pl.read_csv(io.BytesIO((header + "\n" + "\n".join(stacked)).encode("utf-8")), infer_schema=False,
                        encoding="utf8-lossy")
    _validate_into(frame, export, stacked, origin, results)
    return results


def _validate_into(frame: pl.DataFrame, export: ChannelExport, lines: list[str], origin: list[tuple[int, int]],
                   results: list[ParsedFile]) -> None:
    table = export.raw_table
    frame = frame.select(export.headers).with_row_index("_i")
    code_expr = pl.lit(None, dtype=pl.String)
    reason_expr = pl.lit(None, dtype=pl.String)
    for bad, code, sentence in reversed(_checks(export)):  # the first failing check wins
        code_expr = pl.when(bad).then(pl.lit(code.value)).otherwise(code_expr)
        reason_expr = pl.when(bad).then(sentence).otherwise(reason_expr)
    frame = frame.with_columns(code_expr.alias("_code"), reason_expr.alias("_reason"))
    for i, code, reason in frame.filter(pl.col("_code").is_not_null()).select("_i", "_code", "_reason").iter_rows():
        f, number = origin[i]
        results[f].reject(table, R(code), reason, lines[i], number)
    good = frame.filter(pl.col("_code").is_null())
    idx = good["_i"].to_list()
    typed = good.select(*_typed(export)).with_columns(
        pl.Series("_record_number", [origin[i][1] for i in idx], dtype=pl.Int64),
        pl.Series("_content_hash", [hashlib.sha256(lines[i].encode("utf-8")).hexdigest() for i in idx], dtype=pl.String),
        pl.Series("_file", [origin[i][0] for i in idx], dtype=pl.Int64),
    )
    for (f,), part in typed.partition_by("_file", as_dict=True, maintain_order=True).items():
        results[f].good[table] = part.drop("_file")


def _parse_odd_file(data: bytes, export: ChannelExport) -> ParsedFile:
    """A file whose header differs from the platform's usual one: reordered, extra or missing columns."""
    parsed = ParsedFile()
    table = export.raw_table
    lines = data.decode("utf-8-sig", "replace").splitlines()
    body = [(n, l) for n, l in enumerate(lines[1:], start=2) if l.strip()]
    parsed.records_read = len(body)
    try:
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8-lossy")
    except Exception as exc:  # polars says why in its own words; keep them
        for number, line in body:
            parsed.reject(table, R.MALFORMED, f"The file is not readable CSV ({exc}).", line, number)
        return parsed
    missing = [h for h in export.headers if h not in frame.columns]
    if missing or len(frame) != len(body):
        reason = (f"The {CHANNEL_NAMES[export.channel]} export has no {', '.join(repr(m) for m in missing)} column; "
                  f"expected columns: {', '.join(export.headers)}." if missing else
                  "The file's rows could not be matched to its lines (quoted line breaks?).")
        for number, line in body:
            parsed.reject(table, R.MISSING_FIELD if missing else R.MALFORMED, reason, line, number)
        return parsed
    _validate_into(frame, export, [l for _, l in body], [(0, n) for n, _ in body], [parsed])
    return parsed
