"""What the generator wrote and what the warehouse must therefore contain.

The end-to-end test compares these expectations with the warehouse after ingestion:
rows per raw table, and quarantined rows per (table, reason code).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from models.enums import QuarantineReason

MANIFEST_NAME = "generator_manifest.json"


@dataclass
class Manifest:
    seed: int
    scale: float
    end_date: str
    raw_rows: Counter = field(default_factory=Counter)  # raw table -> rows that must land
    quarantined: Counter = field(default_factory=Counter)  # "table/reason_code" -> rows
    files: Counter = field(default_factory=Counter)  # source family -> files written
    notes: Counter = field(default_factory=Counter)  # informative counts (late events, ...)

    def expect_raw(self, table: str, n: int = 1) -> None:
        self.raw_rows[table] += n

    def expect_quarantine(self, table: str, reason_code: QuarantineReason | str, n: int = 1) -> None:
        # the one list of reason codes the parsers use: a code outside it could never be met
        self.quarantined[f"{table}/{QuarantineReason(reason_code).value}"] += n

    def write(self, out_dir: Path) -> Path:
        path = out_dir / MANIFEST_NAME
        body = {
            "seed": self.seed, "scale": self.scale, "end_date": self.end_date,
            "raw_rows": dict(sorted(self.raw_rows.items())), "quarantined": dict(sorted(self.quarantined.items())),
            "files": dict(sorted(self.files.items())), "notes": dict(sorted(self.notes.items())),
        }
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, out_dir: Path) -> "Manifest":
        body = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        return cls(body["seed"], body["scale"], body["end_date"], Counter(body["raw_rows"]),
                   Counter(body["quarantined"]), Counter(body["files"]), Counter(body["notes"]))
