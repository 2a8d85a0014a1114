"""What a parser returns for one landing file."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import polars as pl

from models.enums import QuarantineReason


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: a candidate named in a record's text, even a truncated one: ATS events' candidate_id, SmartRecruiters' id
_CANDIDATE_ID = re.compile(r'"candidate_id"\s*:\s*"([A-Za-z0-9_\-]{1,64})"')
_SCRAPED_ID = re.compile(r'"id"\s*:\s*"([A-Za-z0-9_\-]{1,64})"')


def subject_of(text: str | None, table: str) -> str | None:
    """The candidate a quarantined record is about, when its text names one (so erasure reaches it)."""
    found = (_SCRAPED_ID if table == "scraped_candidates" else _CANDIDATE_ID).search(text or "")
    return found.group(1) if found else None


@dataclass
class Rejected:
    target_table: str
    reason_code: QuarantineReason
    reason: str
    record: str | None
    record_number: int
    content_hash: str

    @property
    def subject_id(self) -> str | None:
        return subject_of(self.record, self.target_table)


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
