"""Checks on what is typed, made while the command line is parsed: a mistake stops the command with one sentence
before it opens the warehouse, instead of an empty table, a traceback or a half-done run."""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Callable

import typer

from foundation.errors import UserError


def one_of(kind: str, vocabulary: type[StrEnum]) -> Callable[[str | None], str | None]:
    """An option callback: a value outside the closed vocabulary (models.enums) is a mistake, not a filter that
    matches nothing."""
    allowed = [v.value for v in vocabulary]

    def check(value: str | None) -> str | None:
        if value is not None and value not in allowed:
            raise UserError(f"'{value}' is not a {kind}.", f"Use one of: {', '.join(allowed)}.")
        return value

    check.vocabulary = vocabulary  # so the tests find every option of a closed vocabulary from the app itself
    return check


def choices(vocabulary: type[StrEnum]) -> str:
    return "|".join(v.value for v in vocabulary)


def parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"'{value}' is not a date ({what}).", "Write it as YYYY-MM-DD, e.g. 2026-01-31.") from None


def iso_date(param: typer.CallbackParam, value: str | None) -> str | None:
    """An option callback: a date option must hold a date (the command parses it again where it uses it)."""
    if value is not None:
        parse_date(value, param.opts[0])
    return value


def out_file(value: Path | None) -> Path | None:
    """--out names a file to write: its folder must exist (a typo should not surface after minutes of work)."""
    if value is None:
        return None
    if value.is_dir():
        raise UserError(f"--out {value} is a folder.", "Give the path of a file to write (in that folder or another).")
    _parent_exists(value)
    return value


def out_folder(value: Path | None) -> Path | None:
    """--out names a folder to fill: it may be new, but not inside a folder that does not exist."""
    if value is None:
        return None
    if value.exists() and not value.is_dir():
        raise UserError(f"--out {value} is a file, not a folder.", "Give a folder to write into.")
    _parent_exists(value)
    return value


def _parent_exists(value: Path) -> None:
    parent = value.absolute().parent
    if not parent.is_dir():
        raise UserError(f"The folder {parent} does not exist (--out {value}).",
                        "Create it first, or give --out a path in an existing folder.")


def usage_sentence(message: str) -> str:
    """Typer's message of a usage mistake as a sentence: 'Missing option '--to'.', 'No such command 'x'.'"""
    message = " ".join(message.replace("Value error, ", "").split())  # one line, e.g. a list of choices
    if message and message[-1] not in ".!?":
        message += "."
    return message[:1].upper() + message[1:]
