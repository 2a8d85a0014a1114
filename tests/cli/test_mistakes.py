"""Every mistake typed at `huntred` gets one sentence of what is wrong, one of what to do, and exit code 2.

Run through the installed console script (as a person runs it), against an empty warehouse: each mistake must be
caught before any data is read. The commands and options are enumerated from the app, so a command added later
is checked too.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import typer
from typer.main import get_command
from typer.testing import CliRunner

from cli.main import app
from models.enums import BusinessUnit, QuarantineReason, SourceFamily
from tests.cli.test_cli import huntred

#: a valid value for each required parameter, so that only the mistake under test is made
SAMPLE = {"date_from": "2026-01-01", "date_to": "2026-01-31", "client_id": "cli_00001", "source": "ats_events",
          "paths": "events.jsonl", "role": "bu_manager", "username": "someone", "name": "some-segment",
          "rules": '{"skills": ["Python"]}', "candidate_ids": "cand_0000001", "key_id": "abc123", "model": "churn",
          "version": "1", "reason": "a reason given by hand"}


def leaf_commands(group=None, path=()):
    """(command path, click command) for every command of the app."""
    group = group or get_command(app)
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from leaf_commands(command, (*path, name))
        else:
            yield (*path, name), command


def required_args(command, skip: str = "") -> list[str]:
    """The command's required parameters filled with sample values (arguments first, then options), but `skip`
    (and, for an argument, the arguments after it: they are positional)."""
    args, options, skipping_arguments = [], [], False
    for p in command.params:
        skipping_arguments |= p.name == skip and p.param_type_name == "argument"
        if not p.required or p.name == skip or (skipping_arguments and p.param_type_name == "argument"):
            continue
        assert p.name in SAMPLE, f"add a sample value for {p.name} (huntred {command.name}) to SAMPLE"
        if p.param_type_name == "argument":
            args.append(SAMPLE[p.name])
        else:
            options += [p.opts[0], SAMPLE[p.name]]
    return args + options


def run_all(commands: list[tuple[str, ...]], warehouse) -> list:
    """Each command line through the console script, three at a time (each start takes a second or two)."""
    with ThreadPoolExecutor(3) as pool:
        return list(pool.map(lambda args: huntred(*args, warehouse=warehouse), commands))


def assert_one_sentence(result, *expected: str) -> None:
    """Exit 2; stderr is 'Error: <what is wrong>' and '<what to do>'; nothing on stdout; no traceback."""
    shown = f"stdout: {result.stdout!r}\nstderr: {result.stderr!r}"
    assert result.returncode == 2, shown
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Error: ") and lines[1].strip(), shown
    assert result.stdout == "" and "Traceback" not in result.stderr, shown
    for text in expected:
        assert text in result.stderr, shown


def test_the_enumeration_sees_the_commands():
    paths = {" ".join(path) for path, _ in leaf_commands()}
    assert {"ingest", "status", "quarantine", "alerts", "report roi", "export client", "ml train"} <= paths


def test_out_into_a_missing_folder_is_refused_before_any_work(warehouse, tmp_path):
    with_out = [(path, command) for path, command in leaf_commands() if any("--out" in p.opts for p in command.params)]
    assert {" ".join(path) for path, _ in with_out} >= {"generate", "report roi", "export client"}
    missing = tmp_path / "no-such-folder" / "file.out"
    for path, command in with_out:
        result = huntred(*path, *required_args(command), "--out", str(missing), warehouse=warehouse)
        assert_one_sentence(result, "does not exist", "--out")
    assert not missing.parent.exists() and not warehouse.exists()


def test_out_naming_a_folder_where_a_file_is_written_is_refused(warehouse, tmp_path):
    for path in (("report", "roi", "--from", "2026-01-01", "--to", "2026-01-31"), ("export", "client", "cli_00001")):
        assert_one_sentence(huntred(*path, "--out", str(tmp_path), warehouse=warehouse), "is a folder")


def test_a_missing_required_option_or_argument(warehouse):
    cases = [(path, (*path, *required_args(command, skip=p.name)))
             for path, command in leaf_commands() for p in command.params if p.required]
    assert len(cases) >= 8
    for (path, _), result in zip(cases, run_all([args for _, args in cases], warehouse)):
        assert_one_sentence(result, "Missing", f"huntred {' '.join(path)} --help")


def test_unknown_values_of_closed_vocabularies(warehouse):
    """--source, --bu and --reason take a value of models.enums: anything else is a mistake, not an empty table."""
    cases = []
    for path, command in leaf_commands():
        for p in command.params:
            # an option checked by cli.arguments.one_of (Typer keeps the callback's attributes when it wraps it)
            vocabulary = getattr(p.callback, "vocabulary", None)
            if vocabulary is not None:
                cases.append((f"{' '.join(path)} {p.opts[0]}", vocabulary,
                              (*path, *required_args(command, skip=p.name), p.opts[0], "nope")))
    assert {"status --source", "quarantine --source", "quarantine --reason", "alerts --bu", "report roi --bu",
            "ml segment create --bu"} <= {name for name, *_ in cases}
    assert {vocabulary for _, vocabulary, _ in cases} == {SourceFamily, BusinessUnit, QuarantineReason}
    for (name, vocabulary, _), result in zip(cases, run_all([args for *_, args in cases], warehouse)):
        assert_one_sentence(result)
        # the BU of a user or key is checked with its role (a BU manager needs one): same words, same exit
        assert "'nope' is not a" in result.stderr or "needs a business unit" in result.stderr, (name, result.stderr)
        assert all(v.value in result.stderr for v in vocabulary), (name, result.stderr)


def test_an_unknown_source_name_lists_the_source_families(warehouse, tmp_path):
    result = huntred("ingest", "ats", str(tmp_path), warehouse=warehouse)
    assert_one_sentence(result, "'ats'", *(f.value for f in SourceFamily))


def test_other_usage_mistakes(warehouse):
    cases = {("bogus",): "No such command 'bogus'", ("status", "--bogus"): "No such option: --bogus",
             ("quarantine", "--limit", "0"): "--limit", ("run-daily", "--from"): "'--from' requires an argument",
             ("report", "roi", "--from", "2026-02-30", "--to", "2026-03-01"): "'2026-02-30' is not a date (--from)",
             ("run-daily", "--from", "yesterday"): "'yesterday' is not a date (--from)"}
    for expected, result in zip(cases.values(), run_all(list(cases), warehouse)):
        assert_one_sentence(result, expected)


def test_a_group_without_its_command_shows_its_help(warehouse):
    result = huntred("report", warehouse=warehouse)
    assert result.returncode == 2 and "roi" in result.stdout and "Traceback" not in result.stderr


def test_usage_errors_are_typers_exceptions():
    """main() catches typer.TyperException: Typer vendors click, so click's own exceptions are not what it raises."""
    result = CliRunner().invoke(app, ["report", "roi"], standalone_mode=False)
    assert isinstance(result.exception, typer.TyperException)
