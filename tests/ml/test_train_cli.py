"""`huntred ml train all` in a terminal: a progress line for each long step, no library warnings or progress bars
(they go to the run's log file), and a result that reads at 80 columns."""
from __future__ import annotations

import re
from pathlib import Path

from tests.cli.test_cli import huntred

NOISE = re.compile(r"warn|Loading weights|it/s\]|%\||Successfully registered|Created version", re.IGNORECASE)


def test_training_from_the_cli_is_quiet_but_says_what_it_is_doing(ml_warehouse):
    result = huntred("ml", "train", "all", warehouse=ml_warehouse, COLUMNS="80")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == "", result.stderr[-3000:]
    assert not NOISE.search(result.stdout), [line for line in result.stdout.splitlines() if NOISE.search(line)]
    lines = result.stdout.splitlines()
    # a long step says what it is doing, between its start and its end
    start, end = lines.index("  ▶ ml__clusters_model"), next(i for i, l in enumerate(lines) if l.startswith("  ✓ ml__clusters_model"))
    inside = "\n".join(lines[start:end])
    assert re.search(r"clustering [\d,]+ candidates", inside) and "k = 4: silhouette" in inside, inside
    assert re.search(r"embedding [\d,]+ texts", result.stdout), result.stdout
    table = lines[next(i for i, l in enumerate(lines) if l.startswith("Trained in")):]
    assert all(len(l) <= 80 for l in table) and "…" not in "\n".join(table), "\n".join(table)
    assert "huntred-propensity-retargeting-response" in "\n".join(table)
    # the noise is kept, in the run's log
    log = max((ml_warehouse / "logs").glob("run-*.log"), key=lambda p: p.stat().st_mtime)
    assert "Successfully registered model" in Path(log).read_text(errors="replace")


def test_verbose_brings_the_libraries_output_back(ml_warehouse):
    result = huntred("--verbose", "ml", "train", "client-churn", warehouse=ml_warehouse)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Successfully registered model 'huntred-client-churn'" in result.stderr
