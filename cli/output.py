"""How the `huntred` command prints: its consoles, tables that stay readable when narrow, the progress of a run."""
from __future__ import annotations

import sys
from typing import Sequence

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

console = Console()
err = Console(stderr=True)

#: a column of sentences (or JSON) wraps readably from this width on; narrower, each word gets its own line
PROSE_WIDTH = 24


def print_table(table: Table, *, prose: Sequence[str] = (), optional: Sequence[str] = (), out: Console | None = None) -> None:
    """Print a table that stays readable at the console's width (80 columns and less).

    A table that fits is printed as it is. Otherwise the columns named in ``optional`` are dropped, in that order,
    until it fits; if it still does not, each row is printed as a block: its first cell, then 'header: value' pairs
    that wrap like a sentence, instead of cells one word wide and values cut with an ellipsis. Columns named in
    ``prose`` hold sentences that may wrap inside their cell (they need only PROSE_WIDTH columns to fit).
    """
    out = out or console
    every_column = table.columns
    for name in optional:
        if _width_needed(table, prose) <= out.width:
            break
        table.columns = [c for c in table.columns if str(c.header) != name]
    if _width_needed(table, prose) <= out.width:
        out.print(table)
        return
    table.columns = every_column  # as blocks, nothing needs dropping
    if table.title:
        out.print(table.title, style="italic", highlight=False)
    headers = [str(c.header) for c in table.columns]
    for row in zip(*(list(c.cells) for c in table.columns)):
        out.print(Text(str(row[0]), style="bold"))
        pairs = [f"{escape(h)}: {v}" if h else str(v) for h, v in zip(headers[1:], row[1:]) if str(v).strip()]
        out.print(Padding(" · ".join(pairs), (0, 0, 0, 2), expand=False), highlight=False)


def _width_needed(table: Table, prose: Sequence[str]) -> int:
    """Columns at the width of their widest value (headers may wrap between words), prose columns at PROSE_WIDTH
    at most, plus the borders and padding of rich's default table."""
    total = 1 if table.show_edge else -1
    for column in table.columns:
        header = str(column.header)
        width = max([len(Text.from_markup(str(cell)).plain) for cell in column.cells]
                    + [len(word) for word in header.split()] + [1])
        total += (min(width, PROSE_WIDTH) if header in prose else width) + 3
    return total


def progress_printer():
    """Print run progress to the stdout of now: during the run sys.stdout is redirected to the run's log file."""
    out = Console(file=sys.stdout)

    def show(kind: str, text: str) -> None:
        print_event(out, kind, text)

    return show


def print_event(console: Console, kind: str, text: str) -> None:
    if kind == "step_start":
        console.print(f"  [cyan]▶[/] {text}")
    elif kind == "step_success":
        console.print(f"  [green]✓[/] {text}")
    elif kind == "step_failure":
        console.print(f"  [red]✗[/] {text}")
    elif kind == "check_failed":
        console.print(f"    [yellow]check failed:[/] {text}")
    elif kind == "progress":  # what a long step is doing (e.g. 'clustering 5,000 candidates…')
        console.print(f"    {escape(text)}", style="dim", highlight=False, soft_wrap=True)
