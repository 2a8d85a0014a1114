"""The fast decoder takes no record pydantic refuses, and what it takes lands as pydantic would land it.

Checked record by record on the generator's files (bad records included) and on every record made by breaking one
valid record of each event type at one place, at every place the contract checks: each field removed, nulled, given
each wrong JSON type, pushed past each bound, and the JSON around it bent the ways msgspec could read
differently from pydantic (NaN, a repeated key, a trailing comma, a final newline in an id, seven decimals...).
"""
from __future__ import annotations

import json
from typing import Annotated, Any, Iterator, Literal, Union

import orjson
import polars as pl
import pytest
from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, model_validator

import ingest.ats as ats
from ingest.ats import parse_ats_file
from ingest.fast_contract import TWINS, NotCompilable, compile_tagged_union
from models.ats import ATS_EVENT_ADAPTER, EVENT_TYPES


def _verdicts(data: bytes, *, fast: bool) -> tuple[pl.DataFrame, list[tuple]]:
    parsed = parse_ats_file(data, fast=fast)
    rows = parsed.good["ats_events"].with_columns(  # the same instant however it is spelt: it lands as TIMESTAMPTZ
        pl.col("occurred_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", time_zone="UTC"))
    return rows, [(r.record_number, r.reason_code, r.reason, r.content_hash, r.record) for r in parsed.rejected]


def _same_verdicts(lines: list[bytes]) -> None:
    data = b"\n".join(lines) + b"\n"
    fast_rows, fast_rejected = _verdicts(data, fast=True)
    slow_rows, slow_rejected = _verdicts(data, fast=False)
    wrongly_taken = set(fast_rows["_record_number"]) - set(slow_rows["_record_number"])
    assert not wrongly_taken, "the fast path took records pydantic refuses:\n" + "\n".join(
        lines[n - 1].decode("utf-8", "replace")[:300] for n in sorted(wrongly_taken)[:5])
    assert fast_rejected == slow_rejected
    assert fast_rows.equals(slow_rows)


def _fast_taken(data: bytes, monkeypatch) -> int:
    """How many records of a file the fast path decided without pydantic."""
    slow = []
    original = ats._slow
    monkeypatch.setattr(ats, "_slow", lambda *a: (slow.append(1), original(*a)))
    parsed = parse_ats_file(data)
    monkeypatch.undo()
    return parsed.records_read - len(slow)


@pytest.fixture(scope="module")
def generated_lines(generated) -> list[bytes]:
    landing, _ = generated
    return [line for f in sorted((landing / "ats_events").rglob("*.jsonl")) for line in f.read_bytes().split(b"\n")
            if line.strip()]


def test_on_the_generators_files_both_paths_give_the_same_rows_and_reasons(generated_lines):
    assert len(generated_lines) > 10_000
    _same_verdicts(generated_lines)


def test_the_fast_path_decides_the_good_records_itself(generated_lines, monkeypatch):
    # a decoder refusing everything would pass the test above and be as slow as before
    data = b"\n".join(generated_lines)
    good = len(parse_ats_file(data, fast=False).good["ats_events"])
    assert _fast_taken(data, monkeypatch) >= good


# --- one valid record of each type, broken at one place at a time ---------------------------------------------------

def _examples(generated_lines: list[bytes]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for line in generated_lines:
        try:
            record = orjson.loads(line)
            ATS_EVENT_ADAPTER.validate_python(record)
        except Exception:
            continue
        found.setdefault(record["event_type"], record)
    # optional fields filled, so that each is broken too
    for record in found.values():
        record["campaign_id"] = record.get("campaign_id") or "cmp_x"
    return found


WRONG_VALUES: list[Any] = [None, 5, -1, 0, 5.0, 5.5, 1e300, "5", "", " ", "x\n", "x" * 65, "x" * 4001, True, [], ["x"], {},
                           {"x": 1}, "2026-03-02", "2026-03-02T10:00:00", "2026-03-02T10:00:00.1234567-06:00",
                           "2026-03-02t10:00:00z", "2026-03-02 10:00:00Z", "2026-03-02T10:00:60Z", "1999-12-31T23:59:59Z",
                           "2999-01-01T00:00:00Z", "2026-03-02T10:00:00+14:00", "2026-02-30", 1e400, -0.0, 60, 61, 100,
                           100.5, 1, 0.5, 18446744073709551616, "HUNTU", "huntu", "es", "ES", "mxn", "MXN"]


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:2]):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _with(record: Any, path: tuple, value: Any, *, remove: bool = False) -> Any:
    copy = orjson.loads(orjson.dumps(record))
    target = copy
    for step in path[:-1]:
        target = target[step]
    if remove:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return copy


def _dumps(value: Any) -> bytes:
    # json, not orjson: orjson cannot write integers past 64 bits and writes an infinite float as null
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("Infinity", "1e400").encode()


def _broken_records(examples: dict[str, dict]) -> Iterator[bytes]:
    for event_type, record in examples.items():
        line = orjson.dumps(record)
        yield line
        for path in _paths(record):
            yield _dumps(_with(record, path, None, remove=True))
            for wrong in WRONG_VALUES:
                yield _dumps(_with(record, path, wrong))
        # the JSON around a valid record, bent
        text = line.decode()
        yield text.replace('"event_id":', '"event_id":"evt_dup","event_id":', 1).encode()  # a repeated key
        yield text.replace(f'"event_type":"{event_type}"', f'"event_type":"{event_type}","event_type":"x"', 1).encode()
        yield (text[:-1] + ',"extra":1}').encode()  # an undeclared field of the envelope
        yield (text[:-1] + ',"payload":{}}').encode()  # a second payload, empty: the last one counts
        yield (text[:-1] + ',}').encode()  # trailing comma
        yield (text[:-2] + ',"note":NaN}}').encode()  # NaN in an extra payload field
        yield (text[:-2] + ',"note":nan}}').encode()
        yield (text[:-2] + ',"note":Infinity}}').encode()
        yield (text[:-2] + ',"note":[1,]}}').encode()
        yield ("\ufeff" + text).encode()  # a byte-order mark
        yield (text + " ").encode() + b"\r"  # trailing whitespace and a CR: a Windows line end
        yield text.encode()[:-1] + b"\xff}"  # not UTF-8
        yield (text[:-2] + ',"note":"\\ud800"}}').encode()  # a lone surrogate


def test_every_record_broken_at_one_place_gets_the_same_verdict_on_both_paths(generated_lines, monkeypatch):
    examples = _examples(generated_lines)
    assert set(examples) == set(EVENT_TYPES), "the generator should emit every event type"
    broken = list(_broken_records(examples))
    assert len(broken) > 10_000
    _same_verdicts(broken)
    # and the fast path stays fast on them: it decides most of those pydantic takes
    data = b"\n".join(broken)
    assert _fast_taken(data, monkeypatch) >= 0.5 * len(parse_ats_file(data, fast=False).good["ats_events"])


# --- the compiler refuses what it cannot honour -------------------------------------------------------------------------

def test_every_validator_of_the_contract_has_a_twin():
    # enumerated from the validator pydantic runs, not from a list kept by hand
    found = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("function-"):
                fn = node["function"]["function"]
                found.add(f"{fn.__module__}.{fn.__qualname__}")
            for k, v in node.items():
                if k not in ("metadata", "serialization"):
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(ATS_EVENT_ADAPTER.core_schema)
    assert found and found <= set(TWINS), f"validators without a twin: {found - set(TWINS)}"


class _Payload(BaseModel):
    n: int


def _union_of(model: type[BaseModel]) -> dict:
    class Other(BaseModel):
        kind: Literal["other"]

    return TypeAdapter(Annotated[Union[model, Other], Field(discriminator="kind")]).core_schema


def test_a_validator_without_a_twin_stops_ingestion_from_loading():
    class WithRule(BaseModel):
        kind: Literal["rule"]
        payload: _Payload

        @model_validator(mode="after")
        def _even(self):
            if self.payload.n % 2:
                raise ValueError("odd")
            return self

    with pytest.raises(NotCompilable, match="_even has no twin"):
        compile_tagged_union(_union_of(WithRule))


@pytest.mark.parametrize("annotation", [set[str], dict[str, int], Annotated[str, StringConstraints(strip_whitespace=True)],
                                        Annotated[float, Field(multiple_of=2)], tuple[int, int]])
def test_a_field_the_compiler_cannot_express_stops_ingestion_from_loading(annotation):
    class Odd(BaseModel):
        kind: Literal["odd"]
        value: annotation  # type: ignore[valid-type]

    with pytest.raises(NotCompilable):
        compile_tagged_union(_union_of(Odd))


def test_the_compiled_ats_decoder_covers_every_event_type():
    assert sorted(ats.FAST_TAGS.values()) == sorted(EVENT_TYPES)

