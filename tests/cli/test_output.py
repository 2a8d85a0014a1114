"""Tables stay readable in a terminal 80 columns wide: no value cut with an ellipsis, no cell one word wide."""
from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from cli.output import print_table
from tests.cli.test_cli import huntred


def _printed(table: Table, width: int, **kwargs) -> str:
    out = Console(file=io.StringIO(), width=width, color_system=None)
    print_table(table, out=out, **kwargs)
    return out.file.getvalue()


def _wide_table() -> Table:
    table = Table(title="Keys")
    for col in ("key id", "label", "role", "scope", "created"):
        table.add_column(col)
    table.add_row("a1b2c3d4e5f6", "the nightly export to the finance team's warehouse", "service", "all business units",
                  "2026-11-29T04:40:17+00:00")
    return table


def test_a_table_that_fits_is_printed_as_a_table():
    text = _printed(_wide_table(), 200)
    assert "┃ key id" in text and "the nightly export to the finance team's warehouse" in text


def test_a_table_too_wide_drops_its_optional_columns_first():
    text = _printed(_wide_table(), 120, optional=("created", "scope"))
    assert "┃ key id" in text and "created" not in text and "2026-11-29" not in text


def test_a_table_still_too_wide_becomes_one_block_per_row_with_every_value_whole():
    text = _printed(_wide_table(), 80, optional=("created",))
    assert "┃" not in text and "…" not in text
    assert all(len(line.rstrip()) <= 80 for line in text.splitlines())
    flat = " ".join(text.split())
    for value in ("a1b2c3d4e5f6", "label: the nightly export to the finance team's warehouse", "role: service",
                  "scope: all business units", "created: 2026-11-29T04:40:17+00:00"):
        assert value in flat, text


def test_prose_columns_may_wrap_inside_a_table():
    table = Table()
    table.add_column("severity")
    table.add_column("meaning")
    table.add_row("warning", "Fewer than 2 applications per 1000 people reached, for three weeks in a row now")
    assert "┃ severity" in _printed(table, 60, prose=("meaning",))
    assert "┃" not in _printed(table, 60)


def test_the_cli_tables_read_at_80_columns(on_built):
    for command in (("status",), ("alerts",), ("ml", "analyzers"), ("ml", "segment", "list")):
        result = huntred(*command, warehouse=on_built, COLUMNS="80")
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines and all(len(line) <= 80 for line in lines), result.stdout
        assert "…" not in result.stdout, result.stdout
    status = huntred("status", warehouse=on_built, COLUMNS="80").stdout
    assert all(source in status for source in ("ats_events", "channel_metrics", "stripe", "scraped_candidates"))
