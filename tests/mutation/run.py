"""Mutation testing with curated bugs: `make mutation` (or `python -m tests.mutation.run`).

Why: a test that passes proves little until we have seen it fail on the bug it is meant to catch. Each file
`tests/mutation/*.yml` lists realistic bugs ("mutants") as one exact find/replace in one file, with the tests that
must fail while the bug is in place. This runner re-injects them one at a time into a scratch copy of the project
and runs those tests: KILLED (the tests failed, good), SURVIVED (they passed: the tests miss the bug) or ERROR (the
mutant is stale, its test list is wrong, or it timed out). The real working tree and warehouse are never touched.

To add a mutant, append to the file of its area (or a new `tests/mutation/<area>.yml`):

    - id: writer-lock-shared              # unique, kebab-case
      bug: "writer lock taken shared (LOCK_SH): two writers both hold it"
      file: foundation/warehouse.py          # from the repository root
      find: "fcntl.LOCK_EX"               # exact text, occurring exactly once in the file (may span lines)
      replace: "fcntl.LOCK_SH"
      tests: ["tests/ingest/test_writer_lock.py"]   # pytest args (paths or node ids) that must FAIL

then check it: `python -m tests.mutation.run --only writer-lock-shared`. tests/mutation/test_mutants.py (in
`make test`) checks every mutant still applies to the current code, so a refactor that moves the text fails there.

Options: --only ID[,ID] / --file money.yml (a subset), --list, --timeout SECONDS (per pytest run), --no-baseline.
Results go to .mutation/results.json; the exit code is 0 only when every mutant selected is killed.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
MUTANTS_DIR = Path(__file__).resolve().parent
KEYS = ("id", "bug", "file", "find", "replace", "tests")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Not copied into the scratch project: dbt's output (so an edited model is parsed afresh) and the warehouse.
EXCLUDED = ("transforms/target/", "warehouse/")
MANIFEST = Path("transforms/target/manifest.json")
PYTEST_EXIT = {2: "interrupted (a collection error?)", 3: "pytest internal error", 4: "pytest usage error "
               "(a test path or node id that does not exist?)", 5: "no tests collected"}


class MutantFileError(ValueError):
    """A mutant file that cannot be read as mutants at all (not a list, a missing key, a repeated id)."""


@dataclass(frozen=True)
class Mutant:
    id: str
    bug: str
    file: str
    find: str
    replace: str
    tests: tuple[str, ...]
    source: str  # the .yml it comes from


@dataclass
class Outcome:
    id: str
    status: str  # KILLED, SURVIVED or ERROR
    seconds: float = 0.0
    killer: str | None = None
    detail: str | None = None


# --- pure parts: load, validate, mutate -----------------------------------------------------------------------

def load(paths: list[Path]) -> list[Mutant]:
    """Every mutant of these files, in order; raises MutantFileError on a malformed entry or a repeated id."""
    mutants: list[Mutant] = []
    for path in paths:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(entries, list):
            raise MutantFileError(f"{path.name}: expected a list of mutants, found {type(entries).__name__}")
        for n, entry in enumerate(entries, 1):
            where = f"{path.name}, mutant {n}"
            if not isinstance(entry, dict) or set(entry) != set(KEYS):
                found = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
                raise MutantFileError(f"{where}: needs exactly the keys {', '.join(KEYS)}; has {found}")
            if not all(isinstance(entry[k], str) for k in KEYS[:5]) or not ID_PATTERN.match(entry["id"]):
                raise MutantFileError(f"{where}: id, bug, file, find and replace must be text; the id kebab-case")
            tests = entry["tests"]
            if not tests or not isinstance(tests, list) or not all(isinstance(t, str) and t for t in tests):
                raise MutantFileError(f"{where} ({entry['id']}): tests must be a non-empty list of pytest args")
            if not entry["find"] or entry["find"] == entry["replace"]:
                raise MutantFileError(f"{where} ({entry['id']}): find must be non-empty and differ from replace")
            mutants.append(Mutant(**{k: entry[k] for k in KEYS[:5]}, tests=tuple(tests), source=path.name))
    seen: dict[str, str] = {}
    for m in mutants:
        if m.id in seen:
            raise MutantFileError(f"mutant id {m.id!r} is used twice ({seen[m.id]} and {m.source})")
        seen[m.id] = m.source
    return mutants


def mutate(text: str, find: str, replace: str) -> str:
    """`text` with its one occurrence of `find` replaced; ValueError unless `find` occurs exactly once."""
    count = text.count(find)
    if count != 1:
        raise ValueError(f"the text to find occurs {count} times, not once")
    return text.replace(find, replace)


def file_of(arg: str) -> str:
    """The file part of a pytest arg: `tests/a.py::test_x[1]` -> `tests/a.py`."""
    return arg.split("::", 1)[0]


def problem(mutant: Mutant, root: Path) -> str | None:
    """Why this mutant cannot be run against the project at `root` (stale text, missing file or test), or None."""
    target = root / mutant.file
    if not target.is_file():
        return f"{mutant.file} does not exist"
    try:
        mutate(target.read_bytes().decode("utf-8"), mutant.find, mutant.replace)  # as applied() reads it
    except ValueError as error:
        return f"stale: in {mutant.file} {error}"
    for arg in mutant.tests:
        path = root / file_of(arg)
        if not path.is_file():
            return f"test file {file_of(arg)} does not exist"
        parts = re.sub(r"\[.*\]$", "", arg).split("::")[1:]  # a parametrized id may hold "::" in its brackets
        if parts:  # a node id: its test function (or class) must still be defined there
            name = parts[0]
            if not re.search(rf"^\s*(async\s+)?(def|class)\s+{re.escape(name)}\b", path.read_text(encoding="utf-8"),
                             re.MULTILINE):
                return f"{file_of(arg)} defines no {name}"
    return None


def union(selections: list[tuple[str, ...]]) -> list[str]:
    """Every pytest arg once, in first-seen order, without node ids whose whole file is selected anyway."""
    args = list(dict.fromkeys(arg for tests in selections for arg in tests))
    files = {arg for arg in args if "::" not in arg}
    return [arg for arg in args if "::" not in arg or file_of(arg) not in files]


def killer(output: str) -> str | None:
    """The first failing test named in pytest's short summary (`FAILED node - message` / `ERROR node - ...`)."""
    for prefix in ("FAILED ", "ERROR "):
        for line in output.splitlines():
            if line.startswith(prefix):
                return line[len(prefix):].split(" - ", 1)[0].strip()
    return None


def tail(output: str, lines: int = 25) -> str:
    return "\n".join("    " + line for line in output.rstrip().splitlines()[-lines:])


# --- the scratch project ----------------------------------------------------------------------------------------

def shipped_files(repo: Path) -> list[str]:
    """The files git would ship from the working tree (tracked or new, not ignored), minus EXCLUDED."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=repo, check=True,
                         capture_output=True, text=True).stdout
    return [f for f in out.split("\0") if f and not f.startswith(EXCLUDED) and (repo / f).is_file()]


def make_scratch(repo: Path, root: Path) -> Path:
    """Copy the project into root/project. conftest looks for the shared fixtures beside the project, so
    root/shared links to the real ones."""
    project = root / "project"
    for name in shipped_files(repo):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / name, project / name)
    if (repo.parent / "shared").exists():
        (root / "shared").symlink_to(repo.parent / "shared")
    return project


@contextlib.contextmanager
def applied(mutant: Mutant, project: Path) -> Iterator[None]:
    """The mutant in place in the scratch project for the duration; the pristine file restored afterwards.
    An edited dbt model or YAML needs a fresh manifest, so it is deleted before and after."""
    target = project / mutant.file
    pristine = target.read_bytes()
    touches_dbt = mutant.file.startswith("transforms/")
    if touches_dbt:
        (project / MANIFEST).unlink(missing_ok=True)
    target.write_bytes(mutate(pristine.decode("utf-8"), mutant.find, mutant.replace).encode("utf-8"))
    try:
        yield
    finally:
        target.write_bytes(pristine)
        if touches_dbt:
            (project / MANIFEST).unlink(missing_ok=True)


def run_pytest(args: list[str], project: Path, scratch: Path, timeout: float) -> tuple[int | None, str]:
    """pytest on `args` in the scratch project, importing its code, with a throwaway warehouse and basetemp.
    Returns (exit code, output); exit code None when it timed out (its whole process group is killed)."""
    work = Path(tempfile.mkdtemp(dir=scratch, prefix="run-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUNTRED_") and k != "PYTHONPATH"}
    env.update({
        "PYTHONPATH": str(project),  # wins over the editable install: the scratch copy's packages are imported
        "PYTHONUNBUFFERED": "1",  # on a timeout, the tail shows how far pytest got
        "PYTHONDONTWRITEBYTECODE": "1",  # no .pyc of a mutated file may outlive its mutant (mtimes are per second)
        "HUNTRED_WAREHOUSE_DIR": str(work / "warehouse"),
        "HUNTRED_DAGSTER_STORAGE": str(work / "warehouse" / "dagster"),
        "DAGSTER_HOME": str(project),
    })
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-rfE", "-p", "no:cacheprovider",  # -rfE: FAILED lines
               f"--basetemp={work / 'pytest'}", *args]
    process = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        code = None
    except BaseException:  # Ctrl-C reaches only us (pytest runs in its own session): stop pytest and its children
        os.killpg(process.pid, signal.SIGKILL)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return code, output


def judge(mutant_id: str, code: int | None, output: str, seconds: float, timeout: float) -> Outcome:
    if code == 1:
        return Outcome(mutant_id, "KILLED", seconds, killer=killer(output))
    if code == 0:
        return Outcome(mutant_id, "SURVIVED", seconds)
    why = f"timed out after {timeout:.0f} s" if code is None else f"pytest exit {code}: {PYTEST_EXIT.get(code, '?')}"
    return Outcome(mutant_id, "ERROR", seconds, detail=f"{why}\n{tail(output)}" if output.strip() else why)


# --- the thin main ----------------------------------------------------------------------------------------------

def select(mutants: list[Mutant], only: str | None, files: list[str] | None) -> list[Mutant]:
    if files:
        unknown = sorted(set(files) - {m.source for m in mutants})
        if unknown:
            raise ValueError(f"no mutants in: {', '.join(unknown)} (the files are tests/mutation/*.yml)")
        mutants = [m for m in mutants if m.source in files]
    if only:
        wanted = [i.strip() for i in only.split(",") if i.strip()]
        unknown = sorted(set(wanted) - {m.id for m in mutants})
        if unknown:
            raise ValueError(f"no such mutant: {', '.join(unknown)} (see --list)")
        mutants = [m for m in mutants if m.id in wanted]
    return mutants


def line(outcome: Outcome) -> str:
    if outcome.status == "KILLED":
        return f"KILLED {outcome.id} ({outcome.seconds:.1f} s) by {outcome.killer or '?'}"
    if outcome.status == "SURVIVED":
        return f"SURVIVED {outcome.id} ({outcome.seconds:.1f} s)"
    return f"ERROR {outcome.id}: {outcome.detail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", metavar="ID[,ID]", help="run only these mutants")
    parser.add_argument("--file", action="append", metavar="NAME.yml", help="run only the mutants of this file")
    parser.add_argument("--list", action="store_true", help="print the mutants and their tests, run nothing")
    parser.add_argument("--timeout", type=float, default=900, metavar="SECONDS",
                        help="per mutant (900; the baseline gets 3 times as long)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run on the unmutated copy")
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # like Ctrl-C: stop pytest, restore, remove the copy

    try:
        mutants = select(load(sorted(MUTANTS_DIR.glob("*.yml"))), options.only, options.file)
    except ValueError as error:  # a malformed mutant file (MutantFileError) or an unknown --only / --file
        print(error, file=sys.stderr)
        return 2
    if options.list:
        for m in mutants:
            print(f"{m.id}  [{m.source}] {m.bug}\n    {m.file}\n    tests: {' '.join(m.tests)}")
        return 0
    if not mutants:
        print("No mutants selected.", file=sys.stderr)
        return 2

    started = time.monotonic()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="huntred-mutation-") as tmp:
        scratch = Path(tmp)
        project = make_scratch(REPO, scratch)
        runnable = []
        for m in mutants:
            why = problem(m, project)
            if why:
                outcomes.append(Outcome(m.id, "ERROR", detail=why))
                print(line(outcomes[-1]), flush=True)
            else:
                runnable.append(m)
        if runnable and not options.no_baseline:
            args = union([m.tests for m in runnable])
            print(f"baseline: {len(args)} test selections on the unmutated copy ...", flush=True)
            t0 = time.monotonic()
            code, output = run_pytest(args, project, scratch, options.timeout * 3)  # the union: more than one run
            if code != 0:
                print(f"Baseline failed (pytest exit {code}): the tests fail without any mutant, so a kill would mean"
                      f" nothing. Fix them first, or pass --no-baseline.\n{tail(output, 40)}", file=sys.stderr)
                return 2
            print(f"baseline passed ({time.monotonic() - t0:.1f} s)", flush=True)
        for m in runnable:
            t0 = time.monotonic()
            with applied(m, project):
                code, output = run_pytest(list(m.tests), project, scratch, options.timeout)
            outcomes.append(judge(m.id, code, output, time.monotonic() - t0, options.timeout))
            print(line(outcomes[-1]), flush=True)

    total = time.monotonic() - started
    order = {m.id: n for n, m in enumerate(mutants)}
    outcomes.sort(key=lambda o: order[o.id])
    killed = sum(o.status == "KILLED" for o in outcomes)
    survivors = [o.id for o in outcomes if o.status == "SURVIVED"]
    errors = [o.id for o in outcomes if o.status == "ERROR"]
    print(f"\n{killed} of {len(outcomes)} mutants killed ({100 * killed / len(outcomes):.0f} %) in {total:.0f} s")
    if survivors:
        print("survived (the tests miss these bugs): " + ", ".join(survivors))
    if errors:
        print("errors (fix the mutant or its tests): " + ", ".join(errors))
    write_results(REPO / ".mutation" / "results.json", mutants, outcomes, total, options)
    return 0 if killed == len(outcomes) else 1


def write_results(path: Path, mutants: list[Mutant], outcomes: list[Outcome], seconds: float, options) -> None:
    by_id = {m.id: m for m in mutants}
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "selection": {"only": options.only, "files": options.file, "baseline": not options.no_baseline},
        "killed": sum(o.status == "KILLED" for o in outcomes), "total": len(outcomes), "seconds": round(seconds, 1),
        "mutants": [{**asdict(o), "seconds": round(o.seconds, 1), "source": by_id[o.id].source,
                     "file": by_id[o.id].file, "bug": by_id[o.id].bug} for o in outcomes],
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {path.relative_to(REPO)}")


if __name__ == "__main__":
    sys.exit(main())
