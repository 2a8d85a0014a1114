"""Readers read marts only: the dashboard, API, reports and CLI query ``marts`` (and ``ml`` scores, ``meta`` and
``quarantine`` for status), never staging, intermediate, raw or seeds, so every business rule they show is in dbt.

Two checks, neither of them a list of queries:

* static: every string in the source of the reader packages (``serving``, ``api``, ``apps``, ``cli``) is searched
  for ``schema.table`` names of the warehouse's schemas, so a relation added to any SQL, f-string or constant is seen;
* dynamic: every scoped read of ``serving`` (enumerated by ``tests/guarantees/reads.py``), the status reads, every
  API read route and every dashboard page run against a copy of the published snapshot from which every schema but
  the allowed ones is dropped: a read that touches one fails there, whatever way it builds its SQL.
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, point_at

READER_PACKAGES = ("serving", "api", "apps", "cli")
#: what readers may query: the marts, the scores the ML layer writes, ingestion's ledger and quarantine (status
#: pages), and the snapshot's own stamp (serving.snapshot_info)
#: people: names and e-mails, which readers show only through access.pii (pseudonyms unless admin)
ALLOWED_SCHEMAS = {"marts", "people", "ml", "meta", "quarantine", "serving"}
#: every schema the warehouse has (the published snapshot holds the first five and ``serving``)
WAREHOUSE_SCHEMAS = {"staging", "intermediate", "marts", "people", "meta", "quarantine", "ml", "raw", "main", "serving"}
RELATION = re.compile(rf"(?<![\w.])({'|'.join(sorted(WAREHOUSE_SCHEMAS))})\.\"?([a-z_][a-z0-9_]*)\b", re.IGNORECASE)


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal of a module (parts of f-strings included), docstrings left out."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def relations_in(path: Path) -> set[tuple[str, int, str]]:
    """(relation, line, schema) of every ``schema.table`` a module's strings name."""
    found = set()
    for line, text in _strings(ast.parse(path.read_text(encoding="utf-8"))):
        for schema, table in RELATION.findall(text):
            found.add((f"{schema.lower()}.{table.lower()}", line, schema.lower()))
    return found


def reader_relations() -> dict[str, set[str]]:
    """File -> relations it names, over every module of the reader packages."""
    out = {}
    for package in READER_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            names = relations_in(path)
            if names:
                out[str(path.relative_to(REPO))] = {f"{rel} (line {line})" for rel, line, _ in names}
    return out


def test_the_reader_packages_name_only_marts_scores_and_status_tables():
    named = reader_relations()
    assert sum(len(v) for v in named.values()) > 40, f"the scan finds too few relations to mean anything: {named}"
    assert any("marts.mart_campaign_summary" in r for rels in named.values() for r in rels)
    outside = {path: sorted(r for r in rels if r.split(".")[0] not in ALLOWED_SCHEMAS) for path, rels in named.items()}
    outside = {path: rels for path, rels in outside.items() if rels}
    assert not outside, f"readers query tables outside the marts (move the rule into a dbt mart): {outside}"


def test_the_scan_sees_a_relation_however_the_sql_is_written(tmp_path):
    module = tmp_path / "reader.py"
    module.write_text('"""Reads staging.stg_docs only in a docstring."""\n'
                      'A = "SELECT * FROM staging.stg_ats__events"\n'
                      'def f(t):\n    return f"SELECT 1 FROM intermediate.int_x JOIN {t} USING (k)"\n'
                      'T = "staging.campaign_phases"\n'
                      'from serving.snapshot import Snapshot\n')
    assert {rel for rel, _, _ in relations_in(module)} == {
        "staging.stg_ats__events", "intermediate.int_x", "staging.campaign_phases"}


# -- dynamic: the reads run on a snapshot holding nothing but what readers may read ---------------------------------
@pytest.fixture(scope="module")
def marts_only(built_lakehouse, tmp_path_factory) -> tuple[Path, Path, Path]:
    """A copy of the built sample's serving folder, and a copy of its snapshot without the other schemas."""
    from tests.guarantees.twin import current_file

    warehouse = tmp_path_factory.mktemp("marts_only") / "warehouse"
    shutil.copytree(built_lakehouse[0] / "serving", warehouse / "serving")
    full = current_file(warehouse)
    stripped = full.with_name("snapshot-marts-only.duckdb")
    shutil.copy2(full, stripped)
    with duckdb.connect(str(stripped)) as con:
        schemas = {s for (s,) in con.sql("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
        assert {"staging", "intermediate", "marts"} <= schemas, schemas
        for schema in sorted(schemas - ALLOWED_SCHEMAS):
            con.execute(f'DROP SCHEMA "{schema}" CASCADE')
        con.execute("CHECKPOINT")
    return warehouse, full, stripped


def test_every_read_answers_on_a_snapshot_of_marts_only(marts_only, api_as):
    from fastapi.testclient import TestClient

    from access.policy import ALL
    from api.main import app
    from foundation.settings import get_settings
    from serving import status
    from serving.snapshot import open_current
    from tests.guarantees import reads
    from tests.guarantees.twin import serving

    warehouse, _, stripped = marts_only
    point_at(warehouse)
    key = get_settings().require_pseudonym_key()
    sample = reads.sample_for(open_current(get_settings()), ALL)  # ids found on the full snapshot
    requests = reads.api_reads(TestClient(app).get("/openapi.json").json(), sample)
    admin = api_as("admin")
    with serving(warehouse, stripped):
        snap = open_current(get_settings())
        assert not snap.cursor().sql("SELECT 1 FROM duckdb_tables() WHERE schema_name = 'staging'").fetchall()
        functions = reads.scoped_functions()
        assert len(functions) >= 35
        answers = {name: reads.call_scoped(name, fn, snap, ALL, sample, key) for name, fn in sorted(functions.items())}
        failed = {name: a for name, a in answers.items() if isinstance(a, dict) and "failed" in a}
        assert not failed, f"reads that query outside the marts: {failed}"
        for read in (status.source_status, status.quarantine_summary, status.table_counts, status.ingested_paths):
            read(snap)
        broken = {}
        for request in requests:
            try:
                answer = reads.api_answer(admin, request)
            except Exception as exc:  # noqa: BLE001 - the test client re-raises the route's error
                answer = {"status": 500, "failed": str(exc).splitlines()[0]}
            if answer["status"] >= 500:
                broken[request.label] = answer
        assert not broken, f"API routes that query outside the marts: {broken}"


def test_every_dashboard_page_renders_on_a_snapshot_of_marts_only(marts_only):
    from access.policy import PAGE_ROLES
    from access.users import User
    from tests.apps.test_overview_page import signed_in
    from tests.guarantees.twin import serving

    warehouse, _, stripped = marts_only
    point_at(warehouse)
    admin = User("admin-under-test", "admin")
    with serving(warehouse, stripped):
        failed = {}
        for page in PAGE_ROLES:
            at = signed_in(admin, page)
            if at.exception:
                failed[page] = at.exception[0].value if at.exception else None
    assert not failed, f"dashboard pages that query outside the marts: {failed}"
