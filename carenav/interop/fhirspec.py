"""Compact FHIR R4 structural validators, derived once from the fhir.resources R4B model classes.

Validating each resource with pydantic (fhir.resources) runs at a few thousand resources a second.
The rules it applies are data in its model classes: element names (JSON aliases), types,
cardinality, required elements, choice-type groups, allowed reference targets, and the primitive
regexes of fhir_core. We read that metadata once per type into small tables and check plain dicts
against them, which is many times faster and names the failing FHIR path.

Differences from fhir.resources, on purpose: JSON types are checked strictly (a boolean must be a
JSON boolean, not the string "true", which pydantic's lax mode accepts), and a relative or
conditional reference must point to one of the element's allowed target types.
"""

import datetime as dt
import json
import os
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir_core import types as ft

Reason = str | None
PrimitiveCheck = Callable[[Any], Reason]
Error = tuple[str, str]  # (FHIR path, reason)

PRIMITIVE, COMPLEX, RESOURCE = 0, 1, 2

_DATE_RE = re.compile(ft.Date.pattern.pattern)
_DATETIME_RE = re.compile(ft.DateTime.pattern.pattern)
_INSTANT_RE = re.compile(ft.Instant.pattern.pattern)
_TIME_RE = re.compile(ft.Time.pattern.pattern)
_CODE_RE = re.compile(r"[^\s]+(\s[^\s]+)*")
_ID_RE = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_OID_RE = re.compile(r"urn:oid:[0-2](\.(0|[1-9][0-9]*))+")
_BASE64_RE = re.compile(r"(\s*([0-9a-zA-Z+/=]){4}\s*)+")
_INT32 = (-2147483648, 2147483647)


def _string(v: Any) -> Reason:
    if type(v) is not str:
        return "must be a string"
    if not v or v.isspace():
        return "must not be empty"
    return None


_URI_RE = re.compile(r"\S+")


def _uri(v: Any) -> Reason:
    if type(v) is not str:
        return "must be a string"
    if _URI_RE.fullmatch(v) is None:
        return "must be non-empty, without whitespace"
    return None


def _regex(pattern: re.Pattern[str], what: str) -> PrimitiveCheck:
    fullmatch = pattern.fullmatch

    def check(v: Any) -> Reason:
        if type(v) is not str:
            return "must be a string"
        if fullmatch(v) is None:
            return f"{v!r} is not a valid {what}"
        return None

    return check


_code = _regex(_CODE_RE, "code")
_id = _regex(_ID_RE, "id (1-64 letters, digits, '-' or '.')")
_oid = _regex(_OID_RE, "oid")
_base64 = _regex(_BASE64_RE, "base64Binary")
_time = _regex(_TIME_RE, "time (hh:mm:ss)")
_instant_format = _regex(_INSTANT_RE, "instant (yyyy-mm-ddThh:mm:ss+zz:zz)")


def _calendar(v: str) -> Reason:
    """The regexes allow 2023-02-31; fhir.resources parses full dates, so do we."""
    if len(v) >= 10:
        try:
            dt.date.fromisoformat(v[:10])
        except ValueError:
            return f"{v!r} is not a real calendar date"
    return None


def _date(v: Any) -> Reason:
    if type(v) is not str:
        return "must be a string"
    if _DATE_RE.fullmatch(v) is None:
        return f"{v!r} is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)"
    return _calendar(v)


def _datetime(v: Any) -> Reason:
    if type(v) is not str:
        return "must be a string"
    if _DATETIME_RE.fullmatch(v) is None:
        return f"{v!r} is not a valid dateTime (a time needs seconds and a time zone)"
    return _calendar(v)


def _instant(v: Any) -> Reason:
    return _instant_format(v) or _calendar(v)


def _boolean(v: Any) -> Reason:
    return None if type(v) is bool else "must be a JSON boolean"


def _decimal(v: Any) -> Reason:
    return None if type(v) in (int, float) else "must be a JSON number"


def _integer_in(low: int, high: int) -> PrimitiveCheck:
    def check(v: Any) -> Reason:
        if type(v) is not int:
            return "must be a JSON integer"
        if not low <= v <= high:
            return f"{v} is out of range ({low}..{high})"
        return None

    return check


_PRIMITIVES: dict[str, PrimitiveCheck] = {
    "Boolean": _boolean,
    "String": _string,
    "Markdown": _string,
    "Xhtml": _string,
    "Code": _code,
    "Id": _id,
    "Uri": _uri,
    "Url": _uri,
    "Canonical": _uri,
    "Oid": _oid,
    "UuidVersion": _uri,
    "Base64Binary": _base64,
    "Date": _date,
    "DateTime": _datetime,
    "Instant": _instant,
    "Time": _time,
    "Decimal": _decimal,
    "Integer": _integer_in(*_INT32),
    "Integer64": _integer_in(-(2**63), 2**63 - 1),
    "UnsignedInt": _integer_in(0, _INT32[1]),
    "PositiveInt": _integer_in(1, _INT32[1]),
}


@dataclass(slots=True)
class Field:
    kind: int
    is_list: bool
    target: str  # primitive name (a key of _PRIMITIVES), type name, or "" for any resource
    ref_types: frozenset[str]  # allowed Reference targets; empty = any
    choice: str | None  # the choice-type group (e.g. "value" for value[x])


@dataclass(slots=True)
class TypeSpec:
    name: str
    is_resource: bool
    fields: dict[str, Field]
    required: tuple[str, ...]
    required_choices: tuple[str, ...]


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip Optional/Union-with-None and List; return (inner type, is_list)."""
    is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return args, is_list
            annotation = args[0]
        elif origin in (list, typing.List):  # noqa: UP006 - typing.List is what fhir.resources uses
            is_list = True
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation, is_list


def _field_for(annotation: Any, extra: dict[str, Any]) -> Field | None:
    inner, is_list = _unwrap(annotation)
    refs = frozenset(t for t in extra.get("enum_reference_types", ()) if t != "Resource")
    choice = extra.get("one_of_many")
    if inner is bool:
        return Field(PRIMITIVE, is_list, "Boolean", refs, choice)
    if typing.get_origin(inner) is typing.Annotated:
        for meta in typing.get_args(inner)[1:]:
            if type(meta).__name__ in _PRIMITIVES:
                return Field(PRIMITIVE, is_list, type(meta).__name__, refs, choice)
        return None
    if isinstance(inner, type) and issubclass(inner, ft.FhirBase):
        klass = inner.get_model_klass()
        if inner.__name__ == "ResourceType":
            return Field(RESOURCE, is_list, "", refs, choice)
        return Field(COMPLEX, is_list, klass.__name__, refs, choice)
    return None


def _build(name: str) -> TypeSpec:
    """Read one type's spec from its fhir.resources model class (imports that class: slow)."""
    klass = get_fhir_model_class(name)
    fields: dict[str, Field] = {}
    required: list[str] = []
    required_choices: set[str] = set()
    for attr, info in klass.model_fields.items():
        alias = info.alias or attr
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if alias == "fhir_comments":
            continue
        field = _field_for(info.annotation, extra)
        if field is None:
            raise TypeError(f"{name}.{alias}: unsupported annotation {info.annotation!r}")
        fields[alias] = field
        if extra.get("element_required") or info.is_required():
            required.append(alias)
        if extra.get("one_of_many_required"):
            required_choices.add(str(extra["one_of_many"]))
    is_resource = bool(getattr(klass, "has_resource_base", lambda: False)())
    return TypeSpec(name, is_resource, fields, tuple(required), tuple(sorted(required_choices)))


# ---------------------------------------------------------------- the derived specs, cached on disk
# Importing the fhir.resources classes costs seconds per process (pydantic builds their schemas), so
# the derived tables are kept in a JSON file per fhir.resources version and read by every process.

SPEC_FORMAT = 2
_TYPE_NAME = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")
_specs: dict[str, TypeSpec | None] = {}  # None: not a FHIR type
_disk: dict[str, Any] | None = None


def cache_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "carenav" / f"fhirspec-r4b-{version('fhir.resources')}-{SPEC_FORMAT}.json"


def _load_disk() -> dict[str, Any]:
    global _disk
    if _disk is None:
        try:
            _disk = json.loads(cache_file().read_text())
        except (OSError, ValueError):
            _disk = {}
    return _disk


def _save_disk(disk: dict[str, Any]) -> None:
    path = cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(disk))
        temporary.replace(path)
    except OSError:
        pass  # a read-only home only costs speed


def _to_json(spec: TypeSpec) -> dict[str, Any]:
    fields = {
        key: [f.kind, f.is_list, f.target, sorted(f.ref_types), f.choice] for key, f in spec.fields.items()
    }
    return {
        "is_resource": spec.is_resource,
        "fields": fields,
        "required": list(spec.required),
        "required_choices": list(spec.required_choices),
    }


def _from_json(name: str, data: dict[str, Any]) -> TypeSpec:
    fields = {
        key: Field(kind, is_list, target, frozenset(refs), choice)
        for key, (kind, is_list, target, refs, choice) in data["fields"].items()
    }
    return TypeSpec(
        name, data["is_resource"], fields, tuple(data["required"]), tuple(data["required_choices"])
    )


def _lookup(name: str) -> TypeSpec | None:
    if name in _specs:
        return _specs[name]
    if _TYPE_NAME.fullmatch(name) is None:  # not even shaped like a type name: never on disk
        _specs[name] = None
        return None
    disk = _load_disk()
    if name in disk:
        spec = None if disk[name] is None else _from_json(name, disk[name])
    else:
        try:
            spec = _build(name)
        except (ValueError, AttributeError):
            spec = None
        disk[name] = None if spec is None else _to_json(spec)
        _save_disk(disk)
    _specs[name] = spec
    return spec


def type_spec(name: str) -> TypeSpec:
    """The compact spec of one FHIR type or resource (from the disk cache, else fhir.resources)."""
    spec = _lookup(name)
    if spec is None:
        raise ValueError(f"{name} is not a FHIR type")
    return spec


def is_resource_type(name: str) -> bool:
    spec = _lookup(name)
    return spec is not None and spec.is_resource


def preload() -> None:
    """Read the disk cache now, e.g. before forking worker processes, so they share it."""
    for name in list(_load_disk()):
        _lookup(name)


def validate_resource(resource: Any, path: str | None = None) -> list[Error]:
    """Structural errors of one resource as (FHIR path, reason); empty when it is valid R4.

    A fast pass answers valid/invalid without building paths; only an invalid resource (rare) is
    walked again to name each problem.
    """
    if _valid_resource(resource):
        return []
    errors: list[Error] = []
    _check_resource(resource, path, errors)
    return errors


def _valid_resource(resource: Any) -> bool:
    if type(resource) is not dict:
        return False
    rtype = resource.get("resourceType")
    if type(rtype) is not str or not is_resource_type(rtype):
        return False
    return _VALIDATORS[rtype](resource)


# ---------------------------------------------------------------- fast pass: compiled closures
# Each type's checks are turned once into a closure per element, so checking a value is one dict
# lookup and one call; the branching on kind, cardinality and type happens at build time.

Predicate = Callable[[Any], bool]


_REMEMBERED = 50_000  # strings per kind; bounded, so memory stays flat on any input


def _remembering(match: Callable[[str], Any]) -> Predicate:
    """Codes and URIs repeat (systems, statuses): a set lookup answers for strings seen before."""
    passed: set[str] = set()

    def check(v: Any) -> bool:
        if type(v) is not str:
            return False
        if v in passed:
            return True
        if match(v) is None:
            return False
        if len(passed) < _REMEMBERED:
            passed.add(v)
        return True

    return check


_URI_CHECK = _remembering(_URI_RE.fullmatch)
_CODE_CHECK = _remembering(_CODE_RE.fullmatch)


def _fast_primitive(check: PrimitiveCheck) -> Predicate:
    if check is _string:
        return lambda v: type(v) is str and bool(v) and not v.isspace()
    if check is _uri:
        return _URI_CHECK
    if check is _code:
        return _CODE_CHECK
    if check is _boolean:
        return lambda v: type(v) is bool
    if check is _decimal:
        return lambda v: type(v) is int or type(v) is float
    if check is _datetime:
        datetime_re = _DATETIME_RE.fullmatch
        return lambda v: (
            type(v) is str and datetime_re(v) is not None and (len(v) < 10 or _calendar(v) is None)
        )
    return lambda v: check(v) is None


def _fast_field(key: str, field: Field) -> Predicate:
    if field.kind == PRIMITIVE:
        one = _fast_primitive(_PRIMITIVES[field.target])
    elif field.kind == RESOURCE:
        one = _valid_resource
    else:
        target, refs = field.target, field.ref_types

        if refs:

            def one(v: Any) -> bool:
                if type(v) is not dict:
                    return False
                reference = v.get("reference")
                if (
                    type(reference) is str
                    and reference.partition("/")[0] not in refs  # the common `Type/id`, decided here
                    and reference_type_error(reference, refs) is not None
                ):
                    return False
                return _VALIDATORS[target](v)

        else:

            def one(v: Any) -> bool:
                return type(v) is dict and _VALIDATORS[target](v)

    if not field.is_list:
        return one  # each predicate checks the JSON type, which already rules out arrays and null
    nulls_allowed = field.kind == PRIMITIVE or key[0] == "_"

    def many(v: Any) -> bool:
        if type(v) is not list:
            return False
        for item in v:
            if item is None:
                if not nulls_allowed:
                    return False
            elif not one(item):
                return False
        return True

    return many


def _compile(name: str) -> Predicate:
    spec = type_spec(name)
    handlers = {key: _fast_field(key, field) for key, field in spec.fields.items()}
    if spec.is_resource:
        handlers["resourceType"] = lambda v: True
    choice_of = {key: field.choice for key, field in spec.fields.items() if field.choice is not None}
    required = tuple((element, "_" + element) for element in spec.required)
    required_choices = spec.required_choices

    def valid(obj: dict[str, Any]) -> bool:
        get = handlers.get
        for key, value in obj.items():
            handler = get(key)
            if handler is None or not handler(value):
                return False
        if choice_of:
            groups = [choice_of[key] for key in obj if key in choice_of]
            if len(groups) != len(set(groups)):
                return False
            for group in required_choices:
                if group not in groups:
                    return False
        for element, extension in required:  # noqa: SIM110 - a loop is faster than all() on a generator
            if element not in obj and extension not in obj:
                return False
        return True

    return valid


class _Validators(dict[str, Predicate]):
    def __missing__(self, name: str) -> Predicate:
        self[name] = validator = _compile(name)
        return validator


_VALIDATORS = _Validators()


def _check_resource(resource: Any, path: str | None, errors: list[Error]) -> None:
    if type(resource) is not dict:
        errors.append((path or "(resource)", "must be a JSON object"))
        return
    rtype = resource.get("resourceType")
    if type(rtype) is not str or not is_resource_type(rtype):
        errors.append((f"{path}.resourceType" if path else "resourceType", f"unknown resourceType {rtype!r}"))
        return
    _check_object(resource, type_spec(rtype), path or rtype, errors)


def _check_object(obj: dict[str, Any], spec: TypeSpec, path: str, errors: list[Error]) -> None:
    fields = spec.fields
    seen_choices: dict[str, str] | None = None
    for key, value in obj.items():
        field = fields.get(key)
        if field is None:
            if key == "resourceType" and spec.is_resource:
                continue
            errors.append((f"{path}.{key}", "unknown element"))
            continue
        if field.choice is not None:
            if seen_choices is None:
                seen_choices = {}
            other = seen_choices.get(field.choice)
            if other is not None:
                errors.append((f"{path}.{key}", f"only one of {field.choice}[x] is allowed (also {other})"))
            seen_choices[field.choice] = key
        if value is None:
            errors.append((f"{path}.{key}", "null is not allowed"))
            continue
        if field.is_list:
            if type(value) is not list:
                errors.append((f"{path}.{key}", "must be an array"))
                continue
            for index, item in enumerate(value):
                if item is None and (field.kind == PRIMITIVE or key[0] == "_"):
                    continue  # primitive arrays align with their _extension arrays using nulls
                _check_value(item, field, f"{path}.{key}[{index}]", errors)
        else:
            if type(value) is list:
                errors.append((f"{path}.{key}", "must be a single value, not an array"))
                continue
            _check_value(value, field, f"{path}.{key}", errors)
    for name in spec.required:
        if name not in obj and "_" + name not in obj:
            errors.append((f"{path}.{name}", "required element is missing"))
    for group in spec.required_choices:
        if seen_choices is None or group not in seen_choices:
            errors.append((f"{path}.{group}[x]", "required element is missing"))


def _check_value(value: Any, field: Field, path: str, errors: list[Error]) -> None:
    kind = field.kind
    if kind == PRIMITIVE:
        reason = _PRIMITIVES[field.target](value)
        if reason is not None:
            errors.append((path, reason))
    elif kind == COMPLEX:
        if type(value) is not dict:
            errors.append((path, "must be a JSON object"))
            return
        if field.ref_types:
            reference = value.get("reference")
            if type(reference) is str:
                reason = reference_type_error(reference, field.ref_types)
                if reason is not None:
                    errors.append((f"{path}.reference", reason))
        _check_object(value, type_spec(field.target), path, errors)
    else:
        _check_resource(value, path, errors)


def reference_type_error(reference: str, allowed: frozenset[str]) -> Reason:
    """A relative (`Type/id`) or conditional (`Type?...`) reference must name an allowed type."""
    if reference.startswith(("#", "urn:")):
        return None
    head = reference.split("?", 1)[0]
    parts = head.rstrip("/").split("/")
    # Type/id, Type/id/_history/v, or an absolute URL ending in one of those
    if len(parts) >= 4 and parts[-2] == "_history":
        rtype = parts[-4]
    elif "?" in reference:
        rtype = parts[-1]
    elif len(parts) >= 2:
        rtype = parts[-2]
    else:
        return f"{reference!r} is not a valid reference"
    if rtype not in allowed and is_resource_type(rtype):
        return f"{rtype} is not an allowed target here (allowed: {', '.join(sorted(allowed))})"
    if not is_resource_type(rtype):
        return f"{reference!r} does not name a FHIR resource type"
    return None
