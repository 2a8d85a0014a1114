"""Deterministic sample data for the four source families (same seed, same bytes).

``generate()`` writes a landing zone (``<out>/<source family>/...``) and a
``generator_manifest.json`` stating how many rows each raw table must receive
and how many records must be quarantined, by reason.
"""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Callable

from models.enums import SourceFamily
from sample_data.ats import write_ats_events
from sample_data.channels import write_channel_metrics
from sample_data.manifest import Manifest
from sample_data.scraped import write_scraped
from sample_data.stripe_data import write_stripe
from sample_data.world import build_world

DEFAULT_END = date(2026, 10, 31)


def generate(out: Path, *, scale: float = 1.0, seed: int = 42, end: date = DEFAULT_END, webhook_secret: str,
             progress: Callable[[str, float], None] | None = None) -> Manifest:
    if scale <= 0:
        raise ValueError("scale must be positive")
    out.mkdir(parents=True, exist_ok=True)
    for family in SourceFamily:  # a fresh generation replaces the previous sample, never mixes with it
        shutil.rmtree(out / family.value, ignore_errors=True)
    shutil.rmtree(out / "ground_truth", ignore_errors=True)
    step = progress or (lambda _label, _fraction: None)
    manifest = Manifest(seed, scale, end.isoformat())
    step("world", 0.0)
    world = build_world(seed, scale, end)
    applications, hires = write_ats_events(world, out, manifest, progress=lambda f: step("ats events", f))
    step("channel metrics", 0.0)
    write_channel_metrics(world, out, manifest, applications)
    step("stripe", 0.0)
    write_stripe(world, out, manifest, webhook_secret, hires)
    step("scraped candidates", 0.0)
    write_scraped(world, out, manifest)
    manifest.write(out)
    step("done", 1.0)
    return manifest
