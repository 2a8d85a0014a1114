"""The generator is the demo and the tests' input: deterministic, believable, with known bad records."""
from __future__ import annotations

import csv
import hashlib
import statistics
from collections import Counter
from datetime import date
from pathlib import Path

import orjson

from sample_data import calibration as cal
from sample_data import generate
from sample_data.world import build_world
from tests.conftest import FIXTURES, need_fixture


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path):
    a = generate(tmp_path / "a", scale=0.01, seed=11, webhook_secret="whsec_fixed")
    b = generate(tmp_path / "b", scale=0.01, seed=11, webhook_secret="whsec_fixed")
    c = generate(tmp_path / "c", scale=0.01, seed=12, webhook_secret="whsec_fixed")
    digest_a = tree_digest(tmp_path / "a")
    assert len(digest_a) > 100  # every source family wrote files (PDF and DOCX CVs included)
    assert {Path(p).suffix for p in digest_a} >= {".jsonl", ".csv", ".json", ".pdf", ".docx", ".txt"}
    assert digest_a == tree_digest(tmp_path / "b")
    assert a.raw_rows == b.raw_rows
    assert digest_a != tree_digest(tmp_path / "c")
    assert a.raw_rows != c.raw_rows


def test_regenerating_replaces_the_previous_sample_instead_of_mixing(tmp_path):
    generate(tmp_path, scale=0.01, seed=1, webhook_secret="whsec_fixed")
    first = tree_digest(tmp_path)
    generate(tmp_path, scale=0.01, seed=2, webhook_secret="whsec_fixed")
    assert not set(p for p in tree_digest(tmp_path) if p.endswith(".pdf")) & set(p for p in first if p.endswith(".pdf"))


def test_scale_one_has_the_documented_shape():
    world = build_world(42, 1.0, date(2026, 10, 31))
    assert len({c.business_unit for c in world.campaigns}) == 7
    assert len(world.campaigns) == 120
    assert len(world.candidates) == 20_000
    assert all(len(c.phases) == 4 for c in world.campaigns)
    # every one of the 9 channels is used by some campaign
    assert len({ch for c in world.campaigns for ch in c.channels}) == 9


def _stage_counts(landing: Path) -> dict[tuple[str, str], int]:
    counts: Counter = Counter()
    for f in (landing / "ats_events").glob("*.jsonl"):
        for line in f.read_bytes().splitlines():
            try:
                e = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if e.get("event_type") == "workflow.stage_changed" and isinstance(e.get("payload"), dict):
                counts[(e["payload"].get("source_channel"), e["payload"].get("to_stage"))] += 1
    return counts


def test_funnels_narrow_stage_by_stage_and_differ_by_channel(generated):
    landing, _ = generated
    counts = _stage_counts(landing)
    order = ["applied", "screened", "interviewed", "offered", "hired"]
    totals = [sum(n for (ch, st), n in counts.items() if st == s) for s in order]
    assert totals == sorted(totals, reverse=True) and totals[-1] > 0, totals
    hire_rate = {ch: counts[(ch, "hired")] / counts[(ch, "applied")] for ch in {"linkedin", "occ", "web"} if counts[(ch, "applied")]}
    assert max(hire_rate.values()) > min(hire_rate.values())


def test_text_is_spanish_and_english(generated):
    landing, _ = generated
    text = b"".join(f.read_bytes() for f in sorted((landing / "ats_events").glob("*.jsonl"))[:60]).decode()
    assert "Quiero aplicar" in text or "vacantes" in text
    assert "I want to apply" in text or "openings" in text


def test_bad_records_are_a_small_known_share(generated):
    _, manifest = generated
    good = sum(manifest.raw_rows.values())
    bad = sum(manifest.quarantined.values())
    reasons = {k.split("/")[1] for k in manifest.quarantined}
    assert {"malformed", "unknown_value", "missing_field", "invalid_value", "duplicate", "bad_signature"} <= reasons
    assert 0 < bad / (good + bad) < 0.01


def test_salary_calibration_still_matches_real_mexican_postings():
    """The generator's salary ladder and regional premiums keep the direction and size of the real board's."""
    rows = list(csv.DictReader(need_fixture(FIXTURES / "jobs" / "mexican-jobs-2020.csv").open(encoding="utf-8")))

    def median(level: str) -> float:
        return statistics.median(float(r["salary"]) for r in rows if r["education_level"] == level and r["salary"].replace(".", "").isdigit())

    real_ratio = median("Licenciatura") / median("Prepa o vocacional")
    ours = {e[0]: e[3] for e in cal.EDUCATION_LEVELS}
    our_ratio = ours["Licenciatura"] / ours["Preparatoria"]
    assert abs(our_ratio / real_ratio - 1) < 1.5  # professional market: steeper ladder, same direction
    assert ours["Maestría"] > ours["Licenciatura"] > ours["Preparatoria"]
    states = {s[0] for s in cal.STATES}
    busiest = Counter(r["state"] for r in rows).most_common(3)
    assert {"Ciudad de México", "Jalisco"} <= states and busiest[0][0] in states
    cdmx = statistics.median(float(r["salary"]) for r in rows if r["state"] == "Ciudad de México" and r["salary"].replace(".", "").isdigit())
    national = statistics.median(float(r["salary"]) for r in rows if r["salary"].replace(".", "").isdigit())
    our_cdmx = next(s[2] for s in cal.STATES if s[0] == "Ciudad de México")
    assert abs(our_cdmx - cdmx / national) < 0.2
