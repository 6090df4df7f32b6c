"""FHIR search parameters as data: each type lists the parameters it supports and how each value becomes
a filter. The CapabilityStatement is generated from the same table, so it says exactly what works.

Semantics follow FHIR R4 search: repeating a parameter ANDs the occurrences, commas inside one value OR
them; string parameters match the start of the folded (case- and accent-insensitive) name; tokens are
``system|code``, ``code`` or ``|code``; dates take the prefixes eq (default), ge, le, gt, lt over the
precision given (``2024``, ``2024-05``, ``2024-05-01``, or a dateTime).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from carenav.core.search import prefix
from carenav.core.text import fold
from carenav.fhirapi.serializers import (
    CLASS_BY_CODE,
    CONDITION_CATEGORIES,
    LOINC,
    MRN_SYSTEM,
    OBSERVATION_CATEGORIES,
    RXNORM,
    SHORT_NAMES,
    SOURCE_ID,
    TERMINOLOGY,
)
from carenav.patients.models import CodeSystem, PatientIdentifier


class SearchError(ValueError):
    """A search the server cannot run; becomes a 400 OperationOutcome naming the parameter."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


Builder = Callable[[str, str], Q]  # (parameter name, one value) -> filter


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # FHIR SearchParamType: token, string, date, reference
    documentation: str
    build: Builder


# ------------------------------------------------------------------------------- value parsers


def _token(value: str) -> tuple[str | None, str]:
    """(system or None when not given, code); ``|code`` means "no system" and is returned as ("", code)."""
    if "|" in value:
        system, code = value.split("|", 1)
        return system, code
    return None, value


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_PREFIXES = ("eq", "ge", "le", "gt", "lt")


def _date_range(param: str, text: str) -> tuple[str, dt.datetime, dt.datetime]:
    """(prefix, start, end) of the half-open interval the value denotes, in the server's time zone."""
    op = "eq"
    if text[:2].isalpha():
        op, text = text[:2], text[2:]
        if op not in _PREFIXES:
            raise SearchError(
                param, f"Search parameter '{param}': prefix '{op}' is not supported (eq, ge, le, gt, lt)."
            )
    match = _DATE.match(text)
    try:
        if match:
            year, month, day = int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1)
            start = dt.datetime(year, month, day)
            if match.group(3):
                end = start + dt.timedelta(days=1)
            elif match.group(2):
                end = dt.datetime(year + month // 12, month % 12 + 1, 1)
            else:
                end = dt.datetime(year + 1, 1, 1)
            zone = timezone.get_current_timezone()
            return op, timezone.make_aware(start, zone), timezone.make_aware(end, zone)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SearchError(param, f"Search parameter '{param}': '{text}' is not a FHIR date.") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return op, moment, moment + dt.timedelta(seconds=1)


def _date_q(column: str, op: str, start: dt.datetime | dt.date, end: dt.datetime | dt.date) -> Q:
    if op == "eq":
        return Q(**{f"{column}__gte": start, f"{column}__lt": end})
    if op == "ge":
        return Q(**{f"{column}__gte": start})
    if op == "gt":
        return Q(**{f"{column}__gte": end})
    if op == "le":
        return Q(**{f"{column}__lt": end})
    return Q(**{f"{column}__lt": start})


def date_param(column: str) -> Builder:
    def build(param: str, value: str) -> Q:
        op, start, end = _date_range(param, value)
        return _date_q(column, op, start, end)

    return build


def birthdate_param(param: str, value: str) -> Q:
    op, start, end = _date_range(param, value)
    return _date_q("birth_date", op, timezone.localdate(start), timezone.localdate(end))


def _pk(param: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**63:
        raise SearchError(param, f"Search parameter '{param}': '{text}' is not a carenav id.")
    return int(text)


def id_param(param: str, value: str) -> Q:
    # An id that cannot exist matches nothing (a search, unlike a read, is never a 404).
    return Q(pk=int(value)) if value.isdigit() and 0 < int(value) < 2**63 else Q(pk__in=[])


def reference_param(column: str, kind: str = "Patient") -> Builder:
    def build(param: str, value: str) -> Q:
        tail = value.rstrip("/").split("/")
        if len(tail) >= 2 and tail[-2] != kind:
            raise SearchError(param, f"Search parameter '{param}' refers to a {kind}, not a {tail[-2]}.")
        return Q(**{column: _pk(param, tail[-1])})

    return build


def code_param(
    code_column: str, system_column: str | None = None, fixed_system: str | None = None
) -> Builder:
    """Token over a stored code; the system is either a column of short names or one fixed system."""

    def build(param: str, value: str) -> Q:
        system, code = _token(value)
        q = Q(**{code_column: code})
        if system is None:
            return q
        if fixed_system is not None:
            return q if system == fixed_system else Q(pk__in=[])
        if system_column is None:
            return Q(pk__in=[])
        if system == "":  # "|code": a code without a system, which carenav stores as "other"
            return q & Q(**{system_column: CodeSystem.OTHER})
        if system not in SHORT_NAMES:
            return Q(pk__in=[])
        return q & Q(**{system_column: SHORT_NAMES[system]})

    return build


def category_param(column: str, categories: dict[str, tuple[str, str]]) -> Builder:
    def build(param: str, value: str) -> Q:
        system, code = _token(value)
        if system and categories.get(code, ("", ""))[0] != system:
            return Q(pk__in=[])
        return Q(**{column: code})

    return build


def status_param(column: str, system: str | None = None) -> Builder:
    def build(param: str, value: str) -> Q:
        given, code = _token(value)
        if given and system and given != system:
            return Q(pk__in=[])
        return Q(**{column: code})

    return build


def encounter_class_param(param: str, value: str) -> Q:
    system, code = _token(value)
    cls = CLASS_BY_CODE.get(code)
    if cls is None or (system and system not in (TERMINOLOGY + "v3-ActCode", TERMINOLOGY + "v3-NullFlavor")):
        return Q(pk__in=[])
    return Q(encounter_class=cls)


def _name_terms(param: str, value: str) -> list[str]:
    terms = [t for t in re.split(r"[\s,]+", fold(value)) if t]
    if not terms:
        raise SearchError(param, f"Search parameter '{param}' needs a value.")
    return terms


def name_param(param: str, value: str) -> Q:
    q = Q()
    for term in _name_terms(param, value):
        q &= prefix("family_norm", term) | prefix("given_norm", term)
    return q


def family_param(param: str, value: str) -> Q:
    return prefix("family_norm", " ".join(_name_terms(param, value)))


def given_param(param: str, value: str) -> Q:
    return prefix("given_norm", " ".join(_name_terms(param, value)))


def identifier_param(param: str, value: str) -> Q:
    system, code = _token(value)
    if system == SOURCE_ID:
        return Q(source_id=code)
    rows = PatientIdentifier.objects.filter(value=code)
    if system:
        rows = rows.filter(system=system)
    # A literal id list keeps the OR indexable on PostgreSQL (as patients.selectors.patient_search does).
    matched = Q(pk__in=list(rows.values_list("patient_id", flat=True)[:1000]))
    if system is None:
        matched |= Q(mrn=code) | Q(source_id=code)
    elif system.startswith(MRN_SYSTEM + "/"):
        matched |= Q(mrn=code)  # the patients searched are already one organization's
    return matched


def gender_param(param: str, value: str) -> Q:
    return Q(sex=_token(value)[1])


# ------------------------------------------------------------------------------------ the table


def _p(name: str, type_: str, documentation: str, build: Builder) -> Param:
    return Param(name, type_, documentation, build)


ID = _p("_id", "token", "Logical id (the carenav primary key).", id_param)


def _patient(column: str = "patient_id", name: str = "patient") -> Param:
    return _p(name, "reference", "The patient: 123 or Patient/123.", reference_param(column))


def _table(*params: Param) -> dict[str, Param]:
    return {p.name: p for p in (ID, *params)}


CLINICAL_STATUS = TERMINOLOGY + "condition-clinical"

SEARCH_PARAMS: dict[str, dict[str, Param]] = {
    "Patient": _table(
        _p("name", "string", "Start of the family or given name (case and accents ignored).", name_param),
        _p("family", "string", "Start of the family name.", family_param),
        _p("given", "string", "Start of the given name(s).", given_param),
        _p("birthdate", "date", "Date of birth, with eq/ge/le/gt/lt prefixes.", birthdate_param),
        _p(
            "identifier",
            "token",
            "system|value or value (also matches the MRN and the source id).",
            identifier_param,
        ),
        _p("gender", "token", "male | female | other | unknown.", gender_param),
    ),
    "Condition": _table(
        _patient(),
        _patient(name="subject"),
        _p(
            "code",
            "token",
            "ICD-10-CM, SNOMED CT... code: system|code or code.",
            code_param("code", "system"),
        ),
        _p(
            "clinical-status",
            "token",
            "active, resolved, ...",
            status_param("clinical_status", CLINICAL_STATUS),
        ),
        _p(
            "category",
            "token",
            "problem-list-item, encounter-diagnosis, health-concern, sdoh.",
            category_param("category", CONDITION_CATEGORIES),
        ),
    ),
    "Encounter": _table(
        _patient(),
        _patient(name="subject"),
        _p("class", "token", "v3-ActCode: IMP, EMER, OBSENC, AMB, HH, VR.", encounter_class_param),
        _p("date", "date", "Start of the encounter (period.start), with prefixes.", date_param("start")),
    ),
    "Observation": _table(
        _patient(),
        _patient(name="subject"),
        _p(
            "code",
            "token",
            "LOINC code: http://loinc.org|code or code.",
            code_param("loinc", fixed_system=LOINC),
        ),
        _p(
            "category",
            "token",
            "vital-signs, laboratory, survey, sdoh...",
            category_param("category", OBSERVATION_CATEGORIES),
        ),
        _p("date", "date", "effectiveDateTime, with prefixes.", date_param("effective")),
    ),
    "MedicationRequest": _table(
        _patient(),
        _patient(name="subject"),
        _p("code", "token", "RxNorm code.", code_param("rxnorm", fixed_system=RXNORM)),
        _p("status", "token", "active, completed, stopped...", status_param("status")),
    ),
    "MedicationStatement": _table(
        _patient(),
        _patient(name="subject"),
        _p("code", "token", "RxNorm code.", code_param("rxnorm", fixed_system=RXNORM)),
        _p("status", "token", "active, completed, stopped...", status_param("status")),
    ),
    "Coverage": _table(_patient(), _patient(name="beneficiary")),
    "AllergyIntolerance": _table(
        _patient(),
        _p("code", "token", "SNOMED CT or RxNorm code.", code_param("code", "system")),
    ),
    "Procedure": _table(
        _patient(),
        _patient(name="subject"),
        _p("code", "token", "SNOMED CT, CPT or HCPCS code.", code_param("code", "system")),
        _p("date", "date", "Start of the procedure, with prefixes.", date_param("performed_start")),
    ),
    "RelatedPerson": _table(_patient()),
    "CarePlan": _table(_patient("patient_id"), _patient("patient_id", name="subject")),
    "Goal": _table(_patient("plan__patient_id"), _patient("plan__patient_id", name="subject")),
    "QuestionnaireResponse": _table(_patient(), _patient(name="subject")),
}

# Parameters about the result rather than the match (FHIR "search result parameters").
RESULT_PARAMS = {"_count", "_offset", "_format", "_total", "_totalMethod"}
DEFAULT_COUNT = 50
MAX_COUNT = 200


@dataclass(frozen=True)
class Query:
    filters: list[Q]
    count: int
    offset: int
    patient_ids: list[int]  # values of a patient/subject parameter, for the audit trail


def parse(resource_type: str, params: list[tuple[str, str]]) -> Query:
    """The filters and page of a search; SearchError for anything the server does not support."""
    table = SEARCH_PARAMS[resource_type]
    filters: list[Q] = []
    count, offset, patient_ids = DEFAULT_COUNT, 0, []
    for name, value in params:
        if name in ("_count", "_offset"):
            if not value.isdigit():
                raise SearchError(name, f"Search parameter '{name}' must be a non-negative integer.")
            if name == "_count":
                count = min(int(value), MAX_COUNT)
            else:
                offset = int(value)
            continue
        if name == "_format":
            if value not in ("json", "application/json", "application/fhir+json"):
                raise SearchError(name, "Only JSON is supported (_format=json).")
            continue
        if name in RESULT_PARAMS:
            continue  # the total is always exact
        param = table.get(name)
        if param is None:
            base = name.split(":", 1)[0]
            what = f"modifier ':{name.split(':', 1)[1]}'" if base in table else "parameter"
            raise SearchError(name, f"Unknown or unsupported search {what} '{name}' for {resource_type}.")
        values = [v for v in value.split(",") if v]
        if not values:
            raise SearchError(name, f"Search parameter '{name}' needs a value.")
        either = Q()
        for one in values:
            either |= param.build(name, one)
        filters.append(either)
        if param.type == "reference":
            patient_ids += [_pk(name, v.rstrip("/").split("/")[-1]) for v in values]
    return Query(filters=filters, count=count, offset=offset, patient_ids=patient_ids)
