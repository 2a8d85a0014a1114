"""What a parser returns for one landing file."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import polars as pl

from models.enums import QuarantineReason


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Rejected:
    target_table: str
    reason_code: QuarantineReason
    reason: str
    record: str | None
    record_number: int
    content_hash: str


@dataclass
class ParsedFile:
    records_read: int = 0
    #: raw table -> good rows (contract columns + _record_number + _content_hash), in file order
    good: dict[str, pl.DataFrame] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)

    def reject(self, table: str, code: QuarantineReason, reason: str, record: str | bytes | None, number: int) -> None:
        raw = record.encode("utf-8", "replace") if isinstance(record, str) else (record or b"")
        text = raw.decode("utf-8", "replace") if isinstance(record, (bytes, bytearray)) else record
        self.rejected.append(Rejected(table, code, reason, text, number, sha256(raw)))
