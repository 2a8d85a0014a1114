"""What ingesting some files would do, without writing anything: the parsers of ``driver.parse_files`` run on them
as they would land, natural keys are checked across them, and each file gets its verdict.

Two things only the warehouse knows are left to the real ingestion and said so: whether a key was already delivered
by an earlier file, and whether an id a row names (a campaign, a customer) is known; such rows are held, not lost.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

import polars as pl

from ingest.driver import LandingFile, parse_files
from ingest.types import sha256
from models.enums import QuarantineReason as R
from models.enums import SourceFamily
from models.warehouse import RAW_TABLES

#: How many reasons a verdict quotes per file (the counts cover all).
EXAMPLES = 3


@dataclass
class FileVerdict:
    given: str  # the path as the user gave it
    landing_path: str  # where `huntred ingest` would put it
    records_read: int = 0
    would_load: Counter = field(default_factory=Counter)  # raw table -> rows
    would_quarantine: Counter = field(default_factory=Counter)  # reason code -> rows
    examples: list[tuple[int, str, str]] = field(default_factory=list)  # (record number, reason code, reason)
    same_bytes_as: str | None = None  # another of the files given, byte for byte

    @property
    def clean(self) -> bool:
        return not self.would_quarantine and self.same_bytes_as is None


def validate_files(family: SourceFamily, files: list[tuple[str, str, bytes]], *, webhook_secret: str | None,
                   now: datetime | None = None) -> list[FileVerdict]:
    """``files``: (path given, landing path, bytes). Nothing is written anywhere."""
    now = now or datetime.now(timezone.utc)
    verdicts, fresh, first_of = [], [], {}
    for given, relative, data in files:
        verdict = FileVerdict(given, relative)
        verdicts.append(verdict)
        digest = sha256(data)
        if digest in first_of:
            verdict.same_bytes_as = first_of[digest]
            continue
        first_of[digest] = given
        fresh.append((verdict, LandingFile(family, None, relative, len(data), 0), data))  # type: ignore[arg-type]
    parsed = parse_files(family, [(f, data) for _, f, data in fresh], webhook_secret=webhook_secret, now=now)
    seen: dict[str, set] = {}
    for (verdict, _, _), result in zip(fresh, parsed):
        verdict.records_read = result.records_read
        for rejected in result.rejected:
            verdict.would_quarantine[rejected.reason_code.value] += 1
            if len(verdict.examples) < EXAMPLES:
                verdict.examples.append((rejected.record_number, rejected.reason_code.value, rejected.reason))
        for table, frame in result.good.items():
            key = list(RAW_TABLES[table].key)
            keys = seen.setdefault(table, set())
            for number, *values in frame.select("_record_number", *key).iter_rows():
                if tuple(values) in keys:  # the first delivery wins, as in ingestion
                    verdict.would_quarantine[R.DUPLICATE.value] += 1
                    if len(verdict.examples) < EXAMPLES:
                        verdict.examples.append((number, R.DUPLICATE.value,
                                                 f"{', '.join(key)} {tuple(values)} is delivered earlier in these files."))
                    continue
                keys.add(tuple(values))
                verdict.would_load[table] += 1
    return verdicts


def verdicts_frame(verdicts: list[FileVerdict]) -> pl.DataFrame:
    """One row per file: what it holds and where it would go (the CLI's table, and JSON for scripts)."""
    return pl.DataFrame({
        "file": [v.given for v in verdicts],
        "landing_path": [v.landing_path for v in verdicts],
        "records": [v.records_read for v in verdicts],
        "would_load": [", ".join(f"{t} {n:,}" for t, n in sorted(v.would_load.items())) for v in verdicts],
        "would_quarantine": [", ".join(f"{r} {n:,}" for r, n in sorted(v.would_quarantine.items())) for v in verdicts],
        "same_bytes_as": [v.same_bytes_as for v in verdicts],
    })
