"""A pydantic contract compiled to msgspec types: a decoder that accepts only records the contract certainly accepts.

Ingestion decodes every record with it (msgspec parses and checks in C, several times faster than pydantic) and sends
only the records it refuses to pydantic, which stays the one authority: it decides and words every reason. So the fast
decoder may be stricter than the contract (a record it refuses costs the slow path, nothing else), never laxer.

It is built from the validator pydantic itself runs (``TypeAdapter.core_schema``), not from a second description of
the rules. A schema node it does not know, or a custom validator without a twin in ``TWINS``, raises
:class:`NotCompilable` when ingestion loads, so a rule added to ``models/`` cannot be skipped silently;
``tests/ingest/test_fast_contract.py`` holds the two decoders to the same verdicts, record by record.

Where pydantic is lax msgspec is strict (a number must be a JSON number, not "5"; an integer not 5.0; JSON as the RFC
has it, no NaN), and where the two could read the same text differently it is made stricter still: instants are
taken as text of one ISO-8601 shape (pydantic truncates a seventh decimal, msgspec rounds it) and patterns ending in
``$`` end at the end of the text (pydantic's Rust regex; Python's ``$`` also matches before a final newline).
"""
from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Callable, Literal, Optional, Union

import msgspec

from models.plausible import EARLIEST, latest


class NotCompilable(Exception):
    """The contract uses something this compiler cannot express (it says which, so a twin or a node can be added)."""


#: instants as the fast path takes them: one ISO-8601 shape, seconds and an offset, at most microseconds
ISO_INSTANT = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})\Z")


# --- twins of the contract's own Python validators --------------------------------------------------------------------
# A twin is what the fast decoder does for one of the contract's Python validators, so that it refuses at least what
# the validator refuses. ``check(value, node)`` runs on the decoded value the validator sees (the field's value, or the
# model's struct) and raises ValueError to refuse (msgspec turns that into a refusal of the record); ``refine(fields,
# node)`` instead tightens the struct's field types, which costs nothing per record.

class Window:
    """models.plausible's window in Unix seconds; its end taken once per batch, before pydantic would take its own,
    so never later than pydantic's."""

    earliest = EARLIEST.timestamp()
    latest = latest().timestamp()

    @classmethod
    def renew(cls) -> None:
        cls.latest = latest().timestamp()


def _plausible(value: str, node: dict, _parse=datetime.fromisoformat, _window=Window) -> None:
    seconds = _parse(value).timestamp()
    if not _window.earliest <= seconds <= _window.latest:
        raise ValueError("implausible time")


def _phase_ordered(value: Any, node: dict) -> None:
    if value.end_date < value.start_date:
        raise ValueError("phase ends before it starts")


def _salary_range(value: Any, node: dict) -> None:
    if value.salary_min is not None and value.salary_max is not None and value.salary_max < value.salary_min:
        raise ValueError("salary range reversed")


def _candidate_required(fields: dict[str, Any], node: dict) -> dict[str, Any]:
    # models.ats: an event of a type that needs a candidate must name one: then candidate_id is required and not null
    if node["schema"]["cls"].needs_candidate:
        declared, _ = fields["candidate_id"]
        # Optional[X] is Union[X, None]: keep X (its own constraints, min_length 1 among them), drop None and the default
        fields["candidate_id"] = (typing.get_args(declared)[0] if typing.get_origin(declared) is Union else declared, NO_DEFAULT)
    return fields


@dataclass(frozen=True)
class Twin:
    check: Callable[[Any, dict], None] | None = None
    refine: Callable[[dict[str, Any], dict], dict[str, Any]] | None = None


TWINS: dict[str, Twin] = {
    "models.plausible._check": Twin(check=_plausible),
    "models.ats._event.<locals>._Event._candidate_present": Twin(refine=_candidate_required),
    "models.ats.PhasePlan._ordered": Twin(check=_phase_ordered),
    "models.ats.VacancyPublished._salary_range": Twin(check=_salary_range),
}

#: a field without a default (required)
NO_DEFAULT = object()


def _end_of_text(pattern: str) -> str:
    # a final unescaped `$` means the end of the text in pydantic's regex engine; \Z is that in Python's
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern


def _constrained(base: Any, node: dict, keys: tuple[str, ...], **extra: Any) -> Any:
    """``base`` with the node's bounds (pydantic's and msgspec's constraints share their names) as msgspec metadata."""
    meta = {k: node[k] for k in keys if k in node} | extra
    return Annotated[base, msgspec.Meta(**meta)] if meta else base


def _only(node: dict, allowed: set[str]) -> None:
    unknown = set(node) - {"type", "metadata", "serialization", "ref"} - allowed
    if unknown:
        raise NotCompilable(f"{node['type']} with {sorted(unknown)}")


class _Compiler:
    def __init__(self) -> None:
        self.structs = 0

    def type_of(self, node: dict) -> tuple[Any, Callable[[Any], None] | None]:
        """The msgspec type of a schema node, and the check to run on its decoded value (a field's twins)."""
        kind = node["type"]
        if kind == "str":
            _only(node, {"min_length", "max_length", "pattern"})
            pattern = {"pattern": _end_of_text(node["pattern"])} if "pattern" in node else {}
            return _constrained(str, node, ("min_length", "max_length"), **pattern), None
        if kind in ("enum", "literal"):
            if kind == "enum":
                _only(node, {"cls", "members", "sub_type"})
                if node.get("sub_type") != "str":
                    raise NotCompilable(f"an enum of {node.get('sub_type')!r} values")
                allowed = tuple(m.value for m in node["members"])
            else:
                _only(node, {"expected"})
                allowed = tuple(node["expected"])
            if not all(isinstance(a, str) for a in allowed):
                raise NotCompilable(f"non-text choices {allowed!r}")
            return Literal[allowed], None  # type: ignore[valid-type]
        if kind in ("float", "int"):
            _only(node, {"ge", "le", "gt", "lt"})
            return _constrained(float if kind == "float" else int, node, ("ge", "le", "gt", "lt")), None
        if kind == "date":
            _only(node, set())
            return date, None
        if kind == "datetime":
            _only(node, {"tz_constraint", "microseconds_precision"})
            if node.get("tz_constraint") not in (None, "aware"):
                raise NotCompilable(f"datetime tz_constraint {node.get('tz_constraint')!r}")
            return Annotated[str, msgspec.Meta(pattern=ISO_INSTANT)], None
        if kind == "nullable":
            _only(node, {"schema"})
            inner, check = self.type_of(node["schema"])
            return Optional[inner], (None if check is None else (lambda v: v is None or check(v)))
        if kind == "list":
            _only(node, {"items_schema", "min_length", "max_length"})
            item, check = self.type_of(node["items_schema"])
            if check is not None:
                raise NotCompilable("a validator on list items")
            return _constrained(list[item], node, ("min_length", "max_length")), None  # type: ignore[valid-type]
        if kind == "function-after":
            twin = _twin(node)
            if node["schema"]["type"] == "model":  # a model validator: run when its struct is decoded
                return self.struct(node["schema"], twin=(twin, node)), None
            if twin.refine:
                raise NotCompilable("a refining twin on a field")
            inner, check = self.type_of(node["schema"])
            field_check = twin.check
            return inner, (lambda v: (check(v), field_check(v, node))) if check else (lambda v: field_check(v, node))
        if kind == "model":
            return self.struct(node), None
        raise NotCompilable(f"schema node {kind!r}")

    def struct(self, node: dict, twin: tuple[Twin, dict] | None = None, tag: tuple[str, str] | None = None) -> type:
        _only(node, {"cls", "config", "custom_init", "root_model", "schema"})
        config = dict(node.get("config") or {})
        config.pop("title", None)
        behaviour = config.pop("extra_fields_behavior", "ignore")
        if config or node.get("custom_init") or node.get("root_model"):
            raise NotCompilable(f"model {node['cls'].__name__} with {config or 'a custom init or root'}")
        fields = node["schema"]
        if fields["type"] != "model-fields" or fields.get("computed_fields") or fields.get("extras_schema"):
            raise NotCompilable(f"model fields of {node['cls'].__name__}")
        declared: dict[str, tuple[Any, Any]] = {}  # name -> (type, default or NO_DEFAULT)
        checks: list[tuple[str, Callable[[Any], None]]] = []
        for name, spec in fields["fields"].items():
            if spec["type"] != "model-field" or set(spec) - {"type", "schema", "metadata", "serialization"}:
                raise NotCompilable(f"field {name} with {sorted(set(spec) - {'type', 'schema', 'metadata'})}")
            if tag and name == tag[0]:
                continue  # the union's tag: msgspec checks it
            schema = spec["schema"]
            default: Any = NO_DEFAULT
            if schema["type"] == "default":
                _only(schema, {"schema", "default", "default_factory", "default_factory_takes_data"})
                if schema.get("default_factory_takes_data"):
                    raise NotCompilable(f"field {name}: a default factory taking data")
                default = (msgspec.field(default_factory=schema["default_factory"]) if "default_factory" in schema
                           else schema["default"])
                schema = schema["schema"]
            field_type, check = self.type_of(schema)
            declared[name] = (field_type, default)
            if check:
                checks.append((name, check))
        model_check = None
        if twin:
            rule, twin_node = twin
            if rule.refine:
                declared = rule.refine(declared, twin_node)
            if rule.check:
                model_check = (lambda check, n: lambda v: check(v, n))(rule.check, twin_node)
        namespace = None
        if checks or model_check:
            def __post_init__(self: Any) -> None:
                for name, check in checks:
                    check(getattr(self, name))
                if model_check:
                    model_check(self)
            namespace = {"__post_init__": __post_init__}
        self.structs += 1
        options: dict[str, Any] = {"forbid_unknown_fields": behaviour == "forbid"}
        if tag:
            options.update(tag_field=tag[0], tag=tag[1])
        required = [(n, t) for n, (t, d) in declared.items() if d is NO_DEFAULT]
        optional = [(n, t, d) for n, (t, d) in declared.items() if d is not NO_DEFAULT]
        return msgspec.defstruct(f"{node['cls'].__name__}_{self.structs}", [*required, *optional], namespace=namespace,
                                 **options)


def _twin(node: dict) -> Twin:
    _only(node, {"function", "schema"})
    function = node["function"]
    fn = function.get("function")
    name = f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', fn)}"
    if function.get("type") != "no-info" or name not in TWINS:
        raise NotCompilable(f"validator {name} has no twin in ingest.fast_contract.TWINS")
    return TWINS[name]


def compile_tagged_union(core_schema: dict[str, Any]) -> tuple[msgspec.json.Decoder, dict[type, str]]:
    """A decoder for ``TypeAdapter(Annotated[Union[...], Field(discriminator=...)]).core_schema`` (each record decodes
    to a struct of the model's fields or raises ``msgspec.MsgspecError``/``ValueError``), and the tag of each struct."""
    if core_schema.get("type") != "tagged-union" or not isinstance(core_schema.get("discriminator"), str):
        raise NotCompilable(f"expected a tagged union on one field, got {core_schema.get('type')!r}")
    field_name = core_schema["discriminator"]
    compiler = _Compiler()
    members: dict[type, str] = {}
    for tag, choice in core_schema["choices"].items():
        twin = None
        if choice["type"] == "function-after":  # the event's own model validator
            twin = (_twin(choice), choice)
            choice = choice["schema"]
        if choice["type"] != "model":
            raise NotCompilable(f"union member {tag}: {choice['type']}")
        members[compiler.struct(choice, twin=twin, tag=(field_name, tag))] = tag
    return msgspec.json.Decoder(Union[tuple(members)]), members  # type: ignore[arg-type]
