"""How the `huntred` command prints: its consoles and the progress lines of a run."""
from __future__ import annotations

import sys

from rich.console import Console

console = Console()
err = Console(stderr=True)


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
