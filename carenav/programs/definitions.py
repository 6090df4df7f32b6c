"""Program definitions and caseload weights, loaded from versioned JSON files (DESIGN.md convention 5).

Each ``definitions/<CODE>.json`` holds one program: its eligibility rule as data (see eligibility.py),
its consent requirement and script version, who may be assigned, the contact cadence and outreach
limits. Editing a file and bumping its version is how a program changes; enrollments keep the
version and the consent text version they were made under.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from carenav.programs.eligibility import validate_rule

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
CASELOAD_FILE = Path(__file__).resolve().parent / "caseload.json"

CONSENT_METHODS = ("verbal", "written")
STOP_EFFECTIVE = ("immediate", "end_of_month")
REOPEN_KEYS = ("declined", "unable_to_reach", "not_eligible", "disenrolled")


class DefinitionError(ValueError):
    """A program file is missing a field or breaks the schema."""


@dataclass(frozen=True)
class Consent:
    required: bool
    methods: tuple[str, ...]
    text_version: str
    elements: tuple[str, ...]
    script: str


@dataclass(frozen=True)
class Program:
    code: str
    name: str
    version: str
    kind: str
    order: int
    description: str
    source: str
    eligibility: Mapping[str, Any]
    consent: Consent
    disciplines: tuple[str, ...]
    discipline_required: bool
    contact_every_days: int
    cadence: str
    max_attempts: int
    reopen_after_days: Mapping[str, int]
    stop_effective: str

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"


@dataclass(frozen=True)
class CaseloadWeights:
    version: str
    tier_weights: Mapping[int, float]
    unscored_weight: float
    language_mismatch_penalty: float
    discipline_mismatch_penalty: float
    staff_roles: tuple[str, ...]

    def weight(self, tier: int | None) -> float:
        if tier is None:
            return self.unscored_weight
        return self.tier_weights.get(tier, self.unscored_weight)


def _require(doc: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in doc:
        raise DefinitionError(f"{where}: missing {key!r}")
    value = doc[key]
    if not isinstance(value, kind):
        raise DefinitionError(f"{where}: {key!r} has the wrong type")
    return value


def read_program(path: Path) -> Program:
    where = path.name
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DefinitionError(f"{where}: {exc}") from exc
    code = _require(doc, "code", str, where)
    if path.stem != code:
        raise DefinitionError(f"{where}: file name must be the program code {code!r}")
    rule = _require(doc, "eligibility", dict, where)
    try:
        validate_rule(rule)
    except ValueError as exc:
        raise DefinitionError(f"{where}: eligibility: {exc}") from exc
    consent = _require(doc, "consent", dict, where)
    methods = tuple(_require(consent, "methods", list, f"{where} consent"))
    if not set(methods) <= set(CONSENT_METHODS):
        raise DefinitionError(f"{where}: consent methods must be among {CONSENT_METHODS}")
    required = bool(_require(consent, "required", bool, f"{where} consent"))
    script = _require(consent, "script", str, f"{where} consent")
    if required and not script.strip():
        raise DefinitionError(f"{where}: a program that requires consent needs a consent script")
    assignment = _require(doc, "assignment", dict, where)
    cadence = _require(doc, "cadence", dict, where)
    outreach = _require(doc, "outreach", dict, where)
    reopen = _require(outreach, "reopen_after_days", dict, f"{where} outreach")
    if set(reopen) != set(REOPEN_KEYS):
        raise DefinitionError(f"{where}: outreach.reopen_after_days needs exactly {REOPEN_KEYS}")
    max_attempts = _require(outreach, "max_attempts", int, f"{where} outreach")
    if max_attempts < 1:
        raise DefinitionError(f"{where}: outreach.max_attempts must be at least 1")
    stop = _require(doc, "stop_effective", str, where)
    if stop not in STOP_EFFECTIVE:
        raise DefinitionError(f"{where}: stop_effective must be one of {STOP_EFFECTIVE}")
    return Program(
        code=code,
        name=_require(doc, "name", str, where),
        version=_require(doc, "version", str, where),
        kind=_require(doc, "kind", str, where),
        order=_require(doc, "order", int, where),
        description=_require(doc, "description", str, where),
        source=_require(doc, "source", str, where),
        eligibility=MappingProxyType(rule),
        consent=Consent(
            required=required,
            methods=methods,
            text_version=_require(consent, "text_version", str, f"{where} consent"),
            elements=tuple(_require(consent, "elements", list, f"{where} consent")),
            script=script,
        ),
        disciplines=tuple(_require(assignment, "disciplines", list, f"{where} assignment")),
        discipline_required=bool(assignment.get("required", False)),
        contact_every_days=_require(cadence, "contact_every_days", int, f"{where} cadence"),
        cadence=_require(cadence, "description", str, f"{where} cadence"),
        max_attempts=max_attempts,
        reopen_after_days=MappingProxyType({k: int(v) for k, v in reopen.items()}),
        stop_effective=stop,
    )


@lru_cache(maxsize=4)
def load_programs(directory: Path = DEFINITIONS_DIR) -> Mapping[str, Program]:
    """Every program of the directory, keyed by code, in display order; validated and cached."""
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise DefinitionError(f"{directory}: no program files")
    programs = sorted((read_program(path) for path in paths), key=lambda p: (p.order, p.code))
    return MappingProxyType({p.code: p for p in programs})


def get_program(code: str) -> Program:
    try:
        return load_programs()[code]
    except KeyError:
        raise KeyError(f"no program {code!r}; known: {', '.join(load_programs())}") from None


def program_codes() -> tuple[str, ...]:
    return tuple(load_programs())


@lru_cache(maxsize=1)
def caseload_weights(path: Path = CASELOAD_FILE) -> CaseloadWeights:
    doc = json.loads(path.read_text(encoding="utf-8"))
    weights = _require(doc, "tier_weights", dict, path.name)
    return CaseloadWeights(
        version=_require(doc, "version", str, path.name),
        tier_weights=MappingProxyType({int(k): float(v) for k, v in weights.items()}),
        unscored_weight=float(_require(doc, "unscored_weight", (int, float), path.name)),
        language_mismatch_penalty=float(_require(doc, "language_mismatch_penalty", (int, float), path.name)),
        discipline_mismatch_penalty=float(
            _require(doc, "discipline_mismatch_penalty", (int, float), path.name)
        ),
        staff_roles=tuple(_require(doc, "staff_roles", list, path.name)),
    )
