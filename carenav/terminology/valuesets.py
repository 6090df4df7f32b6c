"""Versioned value sets (ICD-10-CM prefixes, SNOMED CT concepts) and a code classifier.

The clinical knowledge lives in ``data/*.json``; this module loads and validates those files,
indexes them, classifies codes with a human-readable reason and exposes the Charlson rules.
It must stay free of Django: the analytics and synth packages import it.

Matching rules:

- ICD-10-CM: the code is upper-cased with dots and spaces removed, then matched by
  ``code.startswith(prefix)``. Lookup tries every leading slice of the code against a dict,
  so classification never scans the prefix lists.
- SNOMED CT: exact concept id. No hierarchy is available offline, so the files list the
  descendants they mean explicitly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
SNOMED = "http://snomed.info/sct"

DATA_DIR = Path(__file__).resolve().parent / "data"

SYSTEM_LABELS: Mapping[str, str] = MappingProxyType({ICD10CM: "ICD-10-CM", SNOMED: "SNOMED CT"})

# WHO ICD-10 codes are matched with the ICD-10-CM prefixes: Quan's lists are WHO ICD-10 and
# the CM prefixes are a superset of the same structure.
_SYSTEM_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        ICD10CM: ICD10CM,
        ICD10: ICD10CM,
        "urn:oid:2.16.840.1.113883.6.90": ICD10CM,
        "icd-10-cm": ICD10CM,
        "icd10cm": ICD10CM,
        "icd-10": ICD10CM,
        "icd10": ICD10CM,
        SNOMED: SNOMED,
        "urn:oid:2.16.840.1.113883.6.96": SNOMED,
        "snomed": SNOMED,
        "snomed ct": SNOMED,
        "snomed-ct": SNOMED,
        "snomedct": SNOMED,
        "sct": SNOMED,
    }
)

MatchKind = Literal["prefix", "exact"]
LookupRow = tuple[str, str, str, str, str, MatchKind]

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_VERSION_RE = re.compile(r"^\d{4}\.\d{1,2}(\.\d+)?$")
_ICD_PREFIX_RE = re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$")
_SNOMED_RE = re.compile(r"^[1-9][0-9]{5,17}$")
_BASE_CATEGORY_FIELDS = frozenset({"key", "display", "icd10cm", "icd10cm_additions", "snomed"})

# Gravity SDOH Clinical Care IG 3.0.0, SDOHCC-ValueSetSDOHCategory.
GRAVITY_CATEGORIES = frozenset(
    {
        "sdoh-category-unspecified",
        "food-insecurity",
        "housing-instability",
        "homelessness",
        "inadequate-housing",
        "transportation-insecurity",
        "financial-insecurity",
        "material-hardship",
        "educational-attainment",
        "employment-status",
        "veteran-status",
        "stress",
        "social-connection",
        "intimate-partner-violence",
        "elder-abuse",
        "personal-health-literacy",
        "health-insurance-coverage-status",
        "medical-cost-burden",
        "digital-literacy",
        "digital-access",
        "utility-insecurity",
        "incarceration-status",
        "language-access",
        "protective-factor",
    }
)
GRAVITY_SYSTEM = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"

CHRONIC_DOMAINS = frozenset({"medical", "behavioral", "substance_use"})

# Order in which explanations list value sets; others follow alphabetically.
_EXPLAIN_ORDER = ("chronic", "charlson", "sdoh", "behavioral_risk")


class ValueSetError(ValueError):
    """A value-set file is missing, unreadable or breaks the schema."""


@dataclass(frozen=True)
class Category:
    """One category of a value set: its codes plus set-specific attributes."""

    key: str
    display: str
    icd10cm: tuple[str, ...]
    icd10cm_additions: tuple[str, ...]
    snomed: tuple[str, ...]
    attributes: Mapping[str, Any]

    @property
    def icd10cm_prefixes(self) -> tuple[str, ...]:
        """Every ICD-10-CM prefix that matches: the published list plus CM additions."""
        return self.icd10cm + self.icd10cm_additions


@dataclass(frozen=True)
class ValueSet:
    """A versioned value set loaded from one JSON file."""

    id: str
    version: str
    title: str
    source: str
    notes: tuple[str, ...]
    categories: tuple[Category, ...]
    extra: Mapping[str, Any]
    path: Path

    @property
    def label(self) -> str:
        return f"{self.id} v{self.version}"

    def category(self, key: str) -> Category:
        for category in self.categories:
            if category.key == key:
                return category
        raise KeyError(f"value set {self.id!r} has no category {key!r}")


@dataclass(frozen=True)
class Match:
    """One category a code falls in, with the rule that put it there."""

    valueset: str
    version: str
    category: str
    display: str
    system: str
    code: str
    matched: str
    match_kind: MatchKind
    reason: str

    @property
    def matched_display(self) -> str:
        """The matching prefix in dotted form (``I13.0``), or the SNOMED CT concept id."""
        return format_icd10cm(self.matched) if self.system == ICD10CM else self.matched


def normalize_system(system: str | None) -> str | None:
    """Canonical system URI for ICD-10(-CM) or SNOMED CT, or None for any other system."""
    if not system:
        return None
    return _SYSTEM_ALIASES.get(system.strip().lower())


def normalize_code(system: str, code: str) -> str:
    """ICD-10-CM: upper case without dots or spaces; SNOMED CT: the trimmed concept id."""
    if system == ICD10CM:
        return re.sub(r"[\s.]", "", code).upper()
    return code.strip()


def format_icd10cm(code: str) -> str:
    """Dotted display form of a (possibly partial) ICD-10-CM code: ``I5022`` -> ``I50.22``."""
    bare = normalize_code(ICD10CM, code)
    return f"{bare[:3]}.{bare[3:]}" if len(bare) > 3 else bare


def detect_system(code: str) -> str:
    """Guess the system of a bare code: all digits is SNOMED CT, anything else ICD-10-CM."""
    return SNOMED if code.strip().isdigit() else ICD10CM


# Verhoeff dihedral-group tables: every SNOMED CT identifier ends in a Verhoeff check digit.
_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def is_snomed_concept_id(value: str) -> bool:
    """True for a well-formed SNOMED CT concept id: digits, concept partition, valid check digit.

    This catches mistyped ids; it cannot tell whether the concept means what the file says.
    """
    if not _SNOMED_RE.match(value) or value[-3:-1] not in ("00", "10"):
        return False
    check = 0
    for position, digit in enumerate(reversed(value)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def _fail(path: Path, message: str, category: str | None = None) -> ValueSetError:
    where = f"{path.name}: category {category!r}: " if category else f"{path.name}: "
    return ValueSetError(where + message)


def _code_list(
    path: Path, key: str, raw: Mapping[str, Any], field: str, pattern: re.Pattern[str]
) -> tuple[str, ...]:
    values = raw.get(field, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _fail(path, f"{field} must be a list of strings", key)
    for value in values:
        if not pattern.match(value):
            hint = " (upper case, no dots)" if field.startswith("icd10cm") else ""
            raise _fail(path, f"{field} entry {value!r} is not a valid code{hint}", key)
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise _fail(path, f"{field} lists {', '.join(duplicates)} more than once", key)
    return tuple(values)


def _check_chronic(path: Path, category: Category, _: Mapping[str, Any]) -> None:
    attrs = category.attributes
    if attrs.get("domain") not in CHRONIC_DOMAINS:
        raise _fail(path, f"domain must be one of {sorted(CHRONIC_DOMAINS)}", category.key)
    if not isinstance(attrs.get("high_risk"), bool):
        raise _fail(path, "high_risk must be true or false", category.key)
    months = attrs.get("min_duration_months")
    if not isinstance(months, int) or isinstance(months, bool) or months <= 0:
        raise _fail(path, "min_duration_months must be a positive integer", category.key)


def _check_sdoh(path: Path, category: Category, _: Mapping[str, Any]) -> None:
    if category.attributes.get("gravity_category") not in GRAVITY_CATEGORIES:
        raise _fail(path, "gravity_category must be a Gravity SDOH category code", category.key)


def _check_behavioral(path: Path, category: Category, _: Mapping[str, Any]) -> None:
    if category.attributes.get("domain") not in CHRONIC_DOMAINS:
        raise _fail(path, f"domain must be one of {sorted(CHRONIC_DOMAINS)}", category.key)


def _check_charlson_category(path: Path, category: Category, doc: Mapping[str, Any]) -> None:
    weights = category.attributes.get("weights")
    expected = set(doc.get("weight_sets", {}))
    if not isinstance(weights, dict) or set(weights) != expected:
        raise _fail(path, f"weights must give exactly the weight sets {sorted(expected)}", category.key)
    for name, value in weights.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _fail(path, f"weight {name!r} must be a non-negative integer", category.key)


def _check_charlson_document(path: Path, valueset: ValueSet) -> None:
    extra = valueset.extra
    weight_sets = extra.get("weight_sets")
    if not isinstance(weight_sets, dict) or not weight_sets:
        raise _fail(path, "weight_sets must name at least one weight set")
    for name, spec in weight_sets.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("short_label"), str):
            raise _fail(path, f"weight set {name!r} needs a short_label")
    keys = {c.key for c in valueset.categories}
    hierarchy = extra.get("hierarchy")
    if not isinstance(hierarchy, list):
        raise _fail(path, "hierarchy must be a list of [dominant, zeroed] pairs")
    for pair in hierarchy:
        if not (isinstance(pair, list) and len(pair) == 2 and set(pair) <= keys and pair[0] != pair[1]):
            raise _fail(path, f"hierarchy pair {pair!r} must name two different categories")
    age = extra.get("age_points")
    if not isinstance(age, dict) or not all(
        isinstance(age.get(k), int) and age[k] > 0 for k in ("start_age", "years_per_point", "max_points")
    ):
        raise _fail(path, "age_points needs positive integers start_age, years_per_point and max_points")


_CATEGORY_CHECKS: Mapping[str, Callable[[Path, Category, Mapping[str, Any]], None]] = MappingProxyType(
    {
        "chronic": _check_chronic,
        "sdoh": _check_sdoh,
        "behavioral_risk": _check_behavioral,
        "charlson": _check_charlson_category,
    }
)
_DOCUMENT_CHECKS: Mapping[str, Callable[[Path, ValueSet], None]] = MappingProxyType(
    {"charlson": _check_charlson_document}
)


def _read_category(path: Path, raw: Any, index: int) -> Category:
    if not isinstance(raw, dict):
        raise _fail(path, f"categories[{index}] must be an object")
    key = raw.get("key")
    if not isinstance(key, str) or not _ID_RE.match(key):
        raise _fail(path, f"categories[{index}] needs a snake_case key, got {key!r}")
    display = raw.get("display")
    if not isinstance(display, str) or not display.strip():
        raise _fail(path, "display must be a non-empty string", key)
    icd = _code_list(path, key, raw, "icd10cm", _ICD_PREFIX_RE)
    additions = _code_list(path, key, raw, "icd10cm_additions", _ICD_PREFIX_RE)
    snomed = _code_list(path, key, raw, "snomed", _SNOMED_RE)
    for concept in snomed:
        if not is_snomed_concept_id(concept):
            raise _fail(path, f"snomed entry {concept} fails the SNOMED CT check digit or partition", key)
    prefixes = icd + additions
    if not prefixes and not snomed:
        raise _fail(path, "lists no ICD-10-CM prefix and no SNOMED CT concept", key)
    for prefix in prefixes:
        shadowing = [p for p in prefixes if p != prefix and prefix.startswith(p)]
        if shadowing:
            raise _fail(path, f"prefix {prefix} is already covered by {shadowing[0]}", key)
    attributes = {k: v for k, v in raw.items() if k not in _BASE_CATEGORY_FIELDS}
    return Category(key, display, icd, additions, snomed, MappingProxyType(attributes))


def read_valueset_file(path: Path) -> ValueSet:
    """Load and validate one value-set file; errors name the file and the category."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise _fail(path, f"cannot be read as JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise _fail(path, "must hold a JSON object")
    for field in ("id", "version", "title", "source"):
        if not isinstance(doc.get(field), str) or not doc[field].strip():
            raise _fail(path, f"{field} must be a non-empty string")
    if doc["id"] != path.stem:
        raise _fail(path, f"id {doc['id']!r} must equal the file name {path.stem!r}")
    if not _VERSION_RE.match(doc["version"]):
        raise _fail(path, f"version {doc['version']!r} must look like 2026.11")
    notes = doc.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise _fail(path, "notes must be a list of strings")
    raw_categories = doc.get("categories")
    if not isinstance(raw_categories, list) or not raw_categories:
        raise _fail(path, "categories must be a non-empty list")
    categories = tuple(_read_category(path, raw, i) for i, raw in enumerate(raw_categories))
    keys = [c.key for c in categories]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise _fail(path, f"category keys repeat: {', '.join(duplicates)}")
    reserved = {"id", "version", "title", "source", "notes", "categories"}
    extra = MappingProxyType({k: v for k, v in doc.items() if k not in reserved})
    valueset = ValueSet(
        doc["id"], doc["version"], doc["title"], doc["source"], tuple(notes), categories, extra, path
    )
    check = _CATEGORY_CHECKS.get(valueset.id)
    if check:
        for category in categories:
            check(path, category, doc)
    document_check = _DOCUMENT_CHECKS.get(valueset.id)
    if document_check:
        document_check(path, valueset)
    return valueset


def _ordered(ids: list[str]) -> list[str]:
    return sorted(
        ids, key=lambda i: (_EXPLAIN_ORDER.index(i) if i in _EXPLAIN_ORDER else len(_EXPLAIN_ORDER), i)
    )


@lru_cache(maxsize=8)
def load_valuesets(directory: Path | None = None) -> Mapping[str, ValueSet]:
    """All value sets of a directory (default: the packaged data), validated and cached."""
    folder = directory or DATA_DIR
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise ValueSetError(f"{folder}: no value-set files (*.json)")
    loaded = {vs.id: vs for vs in (read_valueset_file(p) for p in paths)}
    return MappingProxyType({vid: loaded[vid] for vid in _ordered(list(loaded))})


def get_valueset(valueset_id: str) -> ValueSet:
    try:
        return load_valuesets()[valueset_id]
    except KeyError:
        raise KeyError(f"no value set {valueset_id!r}; known: {', '.join(load_valuesets())}") from None


@dataclass(frozen=True)
class _Entry:
    valueset: ValueSet
    category: Category
    order: tuple[int, int]
    addition: bool = False


@dataclass(frozen=True)
class _Index:
    icd: Mapping[str, tuple[_Entry, ...]]
    snomed: Mapping[str, tuple[_Entry, ...]]
    longest_prefix: int


@lru_cache(maxsize=8)
def _index(directory: Path | None = None) -> _Index:
    icd: dict[str, list[_Entry]] = {}
    snomed: dict[str, list[_Entry]] = {}
    for vs_pos, valueset in enumerate(load_valuesets(directory).values()):
        for cat_pos, category in enumerate(valueset.categories):
            order = (vs_pos, cat_pos)
            for prefix in category.icd10cm:
                icd.setdefault(prefix, []).append(_Entry(valueset, category, order))
            for prefix in category.icd10cm_additions:
                icd.setdefault(prefix, []).append(_Entry(valueset, category, order, addition=True))
            for concept in category.snomed:
                snomed.setdefault(concept, []).append(_Entry(valueset, category, order))
    return _Index(
        icd=MappingProxyType({k: tuple(v) for k, v in icd.items()}),
        snomed=MappingProxyType({k: tuple(v) for k, v in snomed.items()}),
        longest_prefix=max((len(k) for k in icd), default=0),
    )


def classify(system: str | None, code: str, *, directory: Path | None = None) -> list[Match]:
    """Every value-set category the code falls in, ordered by value set then category.

    Unknown systems and empty codes classify to nothing.
    """
    canonical = normalize_system(system)
    if canonical is None:
        return []
    bare = normalize_code(canonical, code)
    if not bare:
        return []
    index = _index(directory)
    found: list[tuple[tuple[int, int], Match]] = []
    if canonical == ICD10CM:
        shown = format_icd10cm(bare)
        for length in range(1, min(len(bare), index.longest_prefix) + 1):
            prefix = bare[:length]
            for entry in index.icd.get(prefix, ()):
                tag = f"{entry.valueset.id}:{entry.category.key}"
                if entry.addition:
                    tag += ", ICD-10-CM addition"
                reason = f"{shown} matches ICD-10-CM prefix {format_icd10cm(prefix)} ({tag})"
                found.append((entry.order, _match(entry, canonical, bare, prefix, "prefix", reason)))
    else:
        for entry in index.snomed.get(bare, ()):
            reason = f"SNOMED CT {bare} is listed in {entry.valueset.id}:{entry.category.key}"
            found.append((entry.order, _match(entry, canonical, bare, bare, "exact", reason)))
    found.sort(key=lambda item: item[0])
    return [match for _, match in found]


def _match(entry: _Entry, system: str, code: str, matched: str, kind: MatchKind, reason: str) -> Match:
    return Match(
        valueset=entry.valueset.id,
        version=entry.valueset.version,
        category=entry.category.key,
        display=entry.category.display,
        system=system,
        code=code,
        matched=matched,
        match_kind=kind,
        reason=reason,
    )


def explain(system: str | None, code: str, *, directory: Path | None = None) -> str:
    """One line for people: ``I50.22 → Heart failure (chronic v2026.11); Charlson chf (1987: +1, ...)``."""
    canonical = normalize_system(system)
    if canonical is None:
        return f"{code.strip()}: code system {system!r} is not covered by any value set"
    bare = normalize_code(canonical, code)
    shown = format_icd10cm(bare) if canonical == ICD10CM else bare
    matches = classify(canonical, bare, directory=directory)
    valuesets = load_valuesets(directory)
    if not matches:
        checked = ", ".join(vs.label for vs in valuesets.values())
        return f"{shown} ({SYSTEM_LABELS[canonical]}) → no category in {checked}"
    parts = []
    for valueset in valuesets.values():
        own = [m for m in matches if m.valueset == valueset.id]
        if own:
            parts.append(_explain_part(valueset, own))
    return f"{shown} → " + "; ".join(parts)


def _charlson_points(valueset: ValueSet, category: Category) -> str:
    weights = category.attributes["weights"]
    return ", ".join(
        f"{spec['short_label']}: +{weights[name]}" for name, spec in valueset.extra["weight_sets"].items()
    )


def _explain_part(valueset: ValueSet, matches: list[Match]) -> str:
    if valueset.id == "charlson":
        described = [
            f"{m.category} ({_charlson_points(valueset, valueset.category(m.category))})" for m in matches
        ]
        return "Charlson " + ", ".join(described)
    names = ", ".join(m.display for m in matches)
    if valueset.id == "sdoh":
        gravity = ", ".join(
            dict.fromkeys(valueset.category(m.category).attributes["gravity_category"] for m in matches)
        )
        return f"{names} ({valueset.label}, Gravity {gravity})"
    return f"{names} ({valueset.label})"


def describe_attributes(valueset: ValueSet, category: Category) -> str:
    """Short text for a category's set-specific attributes, for tables and pages."""
    attrs = category.attributes
    if valueset.id == "chronic":
        risk = "high risk (PCM candidate)" if attrs["high_risk"] else "not high risk"
        return f"{attrs['domain']}; {risk}; lasts >= {attrs['min_duration_months']} months"
    if valueset.id == "charlson":
        return _charlson_points(valueset, category)
    if valueset.id == "sdoh":
        return f"Gravity {attrs['gravity_category']}"
    return "; ".join(f"{k}: {v}" for k, v in attrs.items() if not isinstance(v, (dict, list)))


def lookup_rows(*, directory: Path | None = None) -> list[LookupRow]:
    """Flat rows ``(valueset, version, category, system, code_or_prefix, match_kind)``.

    Analytics engines load these into a table and equi-join on the candidate prefixes of each
    ICD-10-CM code (every leading slice) and on the exact SNOMED CT concept id.
    """
    rows: list[LookupRow] = []
    for valueset in load_valuesets(directory).values():
        for category in valueset.categories:
            for prefix in category.icd10cm_prefixes:
                rows.append((valueset.id, valueset.version, category.key, ICD10CM, prefix, "prefix"))
            for concept in category.snomed:
                rows.append((valueset.id, valueset.version, category.key, SNOMED, concept, "exact"))
    return rows


def longest_icd10cm_prefix(*, directory: Path | None = None) -> int:
    """Length of the longest ICD-10-CM prefix: how many leading slices a join needs to try."""
    return _index(directory).longest_prefix


def charlson_weight_sets() -> tuple[str, ...]:
    return tuple(get_valueset("charlson").extra["weight_sets"])


def charlson_weights(weight_set: str = "quan2011") -> dict[str, int]:
    """Points per Charlson category for one weight set (``charlson1987`` or ``quan2011``)."""
    charlson = get_valueset("charlson")
    if weight_set not in charlson.extra["weight_sets"]:
        raise KeyError(
            f"unknown Charlson weight set {weight_set!r}; known: {', '.join(charlson_weight_sets())}"
        )
    return {c.key: int(c.attributes["weights"][weight_set]) for c in charlson.categories}


def charlson_hierarchy() -> tuple[tuple[str, str], ...]:
    """``(dominant, zeroed)`` pairs: when the first category is present the second scores 0."""
    return tuple((a, b) for a, b in get_valueset("charlson").extra["hierarchy"])


def charlson_age_points(age: float) -> int:
    """Age points of the combined age-comorbidity index: 0 below 50, +1 per decade, at most 4."""
    if age < 0:
        raise ValueError(f"age must not be negative, got {age}")
    rule = get_valueset("charlson").extra["age_points"]
    if age < rule["start_age"]:
        return 0
    return min(rule["max_points"], 1 + int((age - rule["start_age"]) // rule["years_per_point"]))
