"""Errors a person can act on: one sentence of what went wrong, one of what to do."""
from __future__ import annotations


class UserError(Exception):
    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem} {fix}")
        self.problem = problem
        self.fix = fix


class NotFound(UserError):
    """What was asked for does not exist (HTTP 404 in the API)."""
