"""Errors a person can act on: one sentence of what went wrong, one of what to do."""
from __future__ import annotations


class UserError(Exception):
    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem} {fix}")
        self.problem = problem
        self.fix = fix


class NotFound(UserError):
    """What was asked for does not exist (HTTP 404 in the API)."""


class Busy(UserError):
    """The warehouse is being written by another run; try again later (HTTP 409 in the API)."""


class Forbidden(UserError):
    """The caller's role or scope does not cover what was asked (HTTP 403 in the API)."""


class BadRequest(UserError):
    """The request is well-formed but asks for something that cannot be answered (HTTP 422 in the API)."""
