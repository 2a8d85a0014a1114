"""The house rules that are about code, not behaviour: where imports may stand.

Import direction between layers is checked by `lint-imports` (pyproject.toml, run by `make test`).
This file checks what import-linter cannot: that an import inside a function is there on purpose.
"""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "foundation", "access", "ingest", "serving", "ml", "orchestration", "sample_data", "cli", "api",
            "apps")
#: third-party modules that take seconds or hundreds of MB to import: a command or page that does not need them
#: should not pay for them, so they may be imported where they are used
HEAVY = {"dagster", "dagster_dbt", "dagster_duckdb", "dbt", "mlflow", "torch", "sentence_transformers", "lightgbm",
         "sklearn", "skops", "matplotlib", "fpdf", "xlsxwriter", "pypdf", "docx", "uvicorn", "streamlit", "scipy",
         "stripe", "click"}
#: ours, for the layers above it: importing the Dagster definitions takes seconds and reads the dbt manifest, which
#: `huntred --help`, a status command or an API start should not pay (measured: 3.3 s against 0.4 s for serving)
HEAVY_OF_OURS = {"orchestration"}


def _comment_above(lines: list[str], lineno: int) -> str:
    """The line above a group of imports (a comment there speaks for the whole group)."""
    i = lineno - 2
    while i >= 0 and (lines[i].strip().startswith(("import ", "from ")) or not lines[i].strip()):
        i -= 1
    return lines[i] if i >= 0 else ""


def function_local_imports() -> list[tuple[str, int, str, str]]:
    """(file, line, imported module, the line before it) for every import inside a function of the product."""
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            for fn in ast.walk(ast.parse(text)):
                if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for node in ast.walk(fn):
                    if isinstance(node, ast.Import):
                        modules = [a.name for a in node.names]
                    elif isinstance(node, ast.ImportFrom):
                        modules = [node.module or ""]
                    else:
                        continue
                    context = lines[node.lineno - 1] + " " + _comment_above(lines, node.lineno)
                    for module in modules:
                        found.append((str(path.relative_to(REPO)), node.lineno, module, context))
    return found


def test_imports_inside_functions_are_only_of_heavy_modules_or_say_why():
    """A function-local import hides a dependency (and once hid import cycles): it is allowed for a heavy
    third-party module, or with a comment on the line or above its group of imports that says why (``# heavy: ...``,
    ``# lazy: ...``)."""
    unexplained = [f"{file}:{line} imports {module}" for file, line, module, context in function_local_imports()
                   if module.split(".")[0] not in HEAVY and "# heavy" not in context and "# lazy" not in context
                   and not (module.split(".")[0] in HEAVY_OF_OURS and not file.startswith(module.split(".")[0] + "/"))]
    assert not unexplained, "imports inside functions without a reason:\n" + "\n".join(unexplained)


def test_the_check_sees_imports_inside_functions():
    """The rule above would pass on a scan that found nothing: the scan must see the launcher's deliberate ones."""
    assert any(file == "orchestration/launch.py" and module == "orchestration.runs"
               for file, _, module, _ in function_local_imports())
