"""Structure (fhirspec) plus the checks fhir.resources does not do: required-binding codes."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from carenav.interop.fhirspec import Error, validate_resource

BINDINGS_FILE = Path(__file__).parent / "data" / "r4_required_codes.json"


@cache
def _bindings() -> dict[str, list[tuple[tuple[str, ...], str | None, frozenset[str]]]]:
    data = json.loads(BINDINGS_FILE.read_text())
    return {
        rtype: [(tuple(b["path"].split(".")), b.get("system"), frozenset(b["codes"])) for b in rules]
        for rtype, rules in data["bindings"].items()
    }


def _values(node: Any, steps: tuple[str, ...], path: str) -> list[tuple[str, Any]]:
    """(FHIR path, value) pairs at a dotted path, flattening arrays."""
    if isinstance(node, list):
        found = []
        for index, item in enumerate(node):
            found.extend(_values(item, steps, f"{path}[{index}]"))
        return found
    if not steps:
        return [(path, node)]
    if not isinstance(node, dict) or steps[0] not in node:
        return []
    return _values(node[steps[0]], steps[1:], f"{path}.{steps[0]}")


def code_errors(resource: dict[str, Any]) -> list[Error]:
    rtype = resource["resourceType"]
    errors: list[Error] = []
    for steps, system, codes in _bindings().get(rtype, ()):
        if len(steps) == 1 and system is None:  # the common case, a code element: no walk needed
            value = resource.get(steps[0])
            if value is None or (type(value) is str and value in codes):
                continue
        for path, value in _values(resource, steps, rtype):
            if system is not None:
                # a Coding: only codings in the bound system are checked
                if (
                    isinstance(value, dict)
                    and value.get("system") == system
                    and value.get("code") not in codes
                ):
                    errors.append((f"{path}.code", f"{value.get('code')!r} is not a code of {system}"))
            elif value not in codes:
                errors.append((path, f"{value!r} is not an allowed code ({', '.join(sorted(codes))})"))
    return errors


def resource_errors(resource: Any) -> list[Error]:
    """Every problem with one resource: structure first, and codes once the structure holds."""
    errors = validate_resource(resource)
    if not errors:
        errors = code_errors(resource)
    return errors
