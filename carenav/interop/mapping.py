"""FHIR R4 resources → carenav rows (plain dicts keyed by column), without touching the database.

A mapper returns a `Mapped`: the target table, the source id, the patient and encounter references
(normalized, resolved later against the whole import and the database), the column values, and
child rows (patient identifiers and contacts, blood-pressure components). What the FHIR spec allows
but carenav cannot store (an encounter without a start) raises `MappingError` with the FHIR path.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from carenav.core.text import fold

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CODE_SYSTEMS = {
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "http://hl7.org/fhir/sid/icd-10": "icd10",
    SNOMED: "snomed",
    LOINC: "loinc",
    RXNORM: "rxnorm",
    "http://www.ama-assn.org/go/cpt": "cpt",
    "urn:oid:2.16.840.1.113883.6.285": "hcpcs",
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": "hcpcs",
}
# Preference when a concept carries several codings: ICD-10-CM first (billing, Charlson), then SNOMED.
CONDITION_PREFERENCE = ("icd10cm", "snomed", "icd10")
ENCOUNTER_CLASS = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "inpatient",
    "EMER": "emergency",
    "OBSENC": "observation",
    "AMB": "ambulatory",
    "FLD": "ambulatory",
    "SS": "ambulatory",
    "PRENC": "ambulatory",
    "HH": "home",
    "VR": "virtual",
}
ENCOUNTER_PRIORITY = {"EM": "emergency", "UR": "urgent", "S": "urgent", "A": "urgent", "EL": "elective"}
BP_PANELS = {"85354-9", "55284-4", "35094-2"}


class MappingError(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(slots=True)
class Mapped:
    table: str
    sid: str
    patient_ref: str | None
    encounter_ref: str | None
    row: dict[str, Any]
    children: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    condition_refs: list[tuple[str, int]] = field(default_factory=list)  # (Condition ref, rank/sequence)


# ---------------------------------------------------------------- small helpers


def _first(items: Any) -> Any:
    return items[0] if isinstance(items, list) and items else None


def _codings(concept: Any) -> list[dict[str, Any]]:
    if isinstance(concept, dict):
        codings = concept.get("coding")
        if isinstance(codings, list):
            return [c for c in codings if isinstance(c, dict)]
    return []


def _coding_in(concept: Any, system: str) -> dict[str, Any] | None:
    for coding in _codings(concept):
        if coding.get("system") == system:
            return coding
    return None


def _code(concept: Any) -> str:
    coding = _first(_codings(concept))
    return str(coding.get("code", "")) if coding else ""


def _text(concept: Any) -> str:
    if not isinstance(concept, dict):
        return ""
    if concept.get("text"):
        return str(concept["text"])
    for coding in _codings(concept):
        if coding.get("display"):
            return str(coding["display"])
    return ""


def _best_coding(concept: Any, preference: tuple[str, ...]) -> tuple[str, str, str]:
    """(carenav system, code, display) of the preferred coding."""
    codings = _codings(concept)
    ranked = sorted(
        codings,
        key=lambda c: (
            preference.index(CODE_SYSTEMS[c.get("system", "")])
            if CODE_SYSTEMS.get(c.get("system", "")) in preference
            else len(preference)
        ),
    )
    if not ranked:
        return "other", "", _text(concept)
    best = ranked[0]
    display = best.get("display") or _text(concept)
    return CODE_SYSTEMS.get(best.get("system", ""), "other"), str(best.get("code", "")), str(display)


def _cut(value: Any, length: int) -> str:
    return str(value)[:length] if value is not None else ""


class Times:
    """FHIR date/dateTime strings → the database's column formats (UTC, naive for SQLite)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def datetime(self, value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            return None
        if len(value) == 20 and value[-1] == "Z":
            return f"{value[:10]} {value[11:19]}"
        if len(value) < 11:
            day = dt.date.fromisoformat(self.date(value) or "")
            moment = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz)
        else:
            moment = dt.datetime.fromisoformat(value)
        return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")

    @staticmethod
    def date(value: Any) -> str | None:
        """The calendar date as written (a dateTime's local date); partial dates take the first day."""
        if not isinstance(value, str) or len(value) < 4:
            return None
        if len(value) >= 10:
            return value[:10]
        if len(value) == 7:
            return value + "-01"
        return value[:4] + "-01-01"


def resource_id(resource: dict[str, Any], full_url: str | None = None, request_url: str | None = None) -> str:
    """The id we match on: Resource.id, else the bundle entry's fullUrl or PUT url."""
    rid = resource.get("id")
    if rid:
        return str(rid)
    if full_url:
        if full_url.startswith("urn:uuid:") or full_url.startswith("urn:oid:"):
            return full_url[9:] if full_url.startswith("urn:uuid:") else full_url[8:]
        return full_url.rstrip("/").rsplit("/", 1)[-1]
    if request_url and "?" not in request_url and "/" in request_url:
        return request_url.rstrip("/").rsplit("/", 1)[-1]
    raise MappingError(f"{resource.get('resourceType', 'Resource')}.id", "no id and no fullUrl to match on")


def normalize_reference(reference: Any, index: dict[str, str] | None = None) -> str | None:
    """`Type/id` for literal references (relative, absolute or bundle fullUrl), else the reference as
    written (an unresolved urn:uuid or a conditional `Type?identifier=...`) for later resolution."""
    if isinstance(reference, dict):
        reference = reference.get("reference")
    if not isinstance(reference, str) or not reference or reference[0] == "#":
        return None
    if index is not None and reference in index:
        return index[reference]
    if reference.startswith("urn:"):
        return reference
    if "?" in reference:
        return unquote(reference)
    parts = reference.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    if len(parts) >= 2:
        return f"{parts[-2]}/{parts[-1]}"
    return reference


# ---------------------------------------------------------------- mappers


class Mapper:
    """Maps one resource (already structurally valid) to a `Mapped`."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.times = Times(tz)
        self.by_type: dict[str, Callable[[dict[str, Any], str, dict[str, str] | None], Mapped]] = {
            "Patient": self.patient,
            "RelatedPerson": self.related_person,
            "Encounter": self.encounter,
            "Condition": self.condition,
            "Observation": self.observation,
            "MedicationRequest": self.medication,
            "MedicationStatement": self.medication,
            "Coverage": self.coverage,
            "AllergyIntolerance": self.allergy,
            "Procedure": self.procedure,
            "Claim": self.claim,
            "ExplanationOfBenefit": self.claim,
        }

    def map(self, resource: dict[str, Any], sid: str, index: dict[str, str] | None = None) -> Mapped | None:
        """None for a resource type carenav does not store."""
        mapper = self.by_type.get(resource["resourceType"])
        return mapper(resource, sid, index) if mapper else None

    def _subject(self, resource: dict[str, Any], element: str, index: dict[str, str] | None) -> str:
        ref = normalize_reference(resource.get(element), index)
        if ref is None:
            raise MappingError(f"{resource['resourceType']}.{element}", "a patient reference is required")
        if not (ref.startswith(("Patient/", "Patient?", "urn:"))):
            raise MappingError(f"{resource['resourceType']}.{element}", f"{ref} is not a Patient")
        return ref

    def patient(self, r: dict[str, Any], sid: str, index: dict[str, str] | None) -> Mapped:
        names = [n for n in r.get("name", []) if isinstance(n, dict)]
        name = next((n for n in names if n.get("use") == "official"), None) or (names[0] if names else {})
        family = name.get("family") or ""
        given = " ".join(name.get("given") or [])
        if not family and not given and name.get("text"):
            family = name["text"]
        telecoms = [t for t in r.get("telecom", []) if isinstance(t, dict)]
        phone = next((t.get("value") for t in telecoms if t.get("system") == "phone"), "")
        email = next((t.get("value") for t in telecoms if t.get("system") == "email"), "")
        address = (
            next((a for a in r.get("address", []) if a.get("use") == "home"), None)
            or _first(r.get("address"))
            or {}
        )
        language, interpreter = "en", False
        communications = r.get("communication") or []
        chosen = next((c for c in communications if c.get("preferred")), None) or _first(communications)
        if chosen:
            code = _code(chosen.get("language"))
            if code:
                language = code.split("-")[0].lower()
        for ext in r.get("extension", []):
            if ext.get("url", "").endswith("patient-interpreterRequired"):
                interpreter = bool(ext.get("valueBoolean"))
        identifiers: list[tuple[str, dict[str, Any]]] = []
        seen: set[tuple[str, str]] = set()
        mrn = ""
        for ident in r.get("identifier", []):
            system, value = ident.get("system", ""), ident.get("value")
            if not value or (system, value) in seen:
                continue
            seen.add((system, value))
            type_code = _code(ident.get("type"))
            if type_code == "MR" and not mrn:
                mrn = value
            identifiers.append(
                ("identifier", {"system": system[:200], "value": value[:100], "type_code": type_code[:20]})
            )
        for position, contact in enumerate(r.get("contact", [])):
            identifiers.append(("caregiver", self._contact(contact, f"{sid}#contact-{position}")))
        deceased = self.times.datetime(r.get("deceasedDateTime"))
        if deceased is None and r.get("deceasedBoolean") is True:
            deceased = None  # known dead, date unknown: carenav stores a date only
        row: dict[str, Any] = {
            "mrn": _cut(mrn, 64),
            "family_name": _cut(family, 100),
            "given_name": _cut(given, 100),
            "birth_date": self.times.date(r.get("birthDate")),
            "sex": r.get("gender") or "unknown",
            "preferred_language": language[:12],
            "interpreter_needed": interpreter,
            "phone": _cut(phone, 40),
            "email": _cut(email, 254),
            "address_line": _cut(", ".join(address.get("line") or []), 200),
            "city": _cut(address.get("city"), 80),
            "state": _cut(address.get("state"), 40),
            "postal_code": _cut(address.get("postalCode"), 20),
            "deceased_at": deceased,
        }
        row["family_norm"] = fold(row["family_name"])[:100]  # for name search
        row["given_norm"] = fold(row["given_name"])[:100]
        return Mapped("patient", sid, f"Patient/{sid}", None, row, identifiers)

    def _contact(self, c: dict[str, Any], sid: str) -> dict[str, Any]:
        name = c.get("name") or {}
        full = name.get("text") or " ".join([*(name.get("given") or []), name.get("family") or ""]).strip()
        relationship = ""
        for concept in c.get("relationship", []):
            relationship = _text(concept) or _code(concept)
            if relationship:
                break
        telecoms = c.get("telecom", [])
        return {
            "source_id": sid,
            "name": _cut(full or "(unnamed contact)", 200),
            "relationship": _cut(relationship, 60),
            "phone": _cut(next((t.get("value") for t in telecoms if t.get("system") == "phone"), ""), 40),
            "email": _cut(next((t.get("value") for t in telecoms if t.get("system") == "email"), ""), 254),
        }

    def related_person(self, r: dict[str, Any], sid: str, index: dict[str, str] | None) -> Mapped:
        contact = self._contact({**r, "name": _first(r.get("name")) or {}}, sid)
        return Mapped("caregiver", sid, self._subject(r, "patient", index), None, contact)

    def encounter(self, r: dict[str, Any], sid: str, index: dict[str, str] | None) -> Mapped:
        period = r.get("period") or {}
        start = self.times.datetime(period.get("start"))
        if start is None:
            raise MappingError("Encounter.period.start", "carenav needs the start of an encounter")
        hospitalization = r.get("hospitalization") or {}
        klass = r.get("class") or {}
        reason = _first(r.get("reasonCode"))
        reason_coding = _first(_codings(reason)) or {}
        location = _first(r.get("location")) or {}
        facility = (r.get("serviceProvider") or {}).get("display") or (location.get("location") or {}).get(
            "display"
        )
        conditions = [
            (ref, int(d.get("rank") or 0))
            for d in r.get("diagnosis", [])
            if (ref := normalize_reference(d.get("condition"), index))
        ]
        row: dict[str, Any] = {
            "encounter_class": ENCOUNTER_CLASS.get(klass.get("code", ""), "other"),
            "status": _cut(r.get("status"), 20),
            "type_display": _cut(_text(_first(r.get("type"))), 200),
            "start": start,
            "end": self.times.datetime(period.get("end")),
            "priority": ENCOUNTER_PRIORITY.get(_code(r.get("priority")), ""),
            "admit_source": _cut(_code(hospitalization.get("admitSource")), 40),
            "discharge_disposition": _cut(_code(hospitalization.get("dischargeDisposition")), 40),
            "facility": _cut(facility, 200),
            "reason_code": _cut(reason_coding.get("code"), 40),
            "reason_display": _cut(_text(reason), 200),
            "diagnoses": [],
        }
        return Mapped("encounter", sid, self._subject(r, "subject", index), None, row, [], conditions)

    def condition(self, r: dict[str, Any], sid: str, index: dict[str, str] | None) -> Mapped:
        system, code, display = _best_coding(r.get("code"), CONDITION_PREFERENCE)
        if not code:
            raise MappingError("Condition.code.coding", "carenav needs a coded condition")
        onset = r.get("onsetDateTime") or (r.get("onsetPeriod") or {}).get("start")
        abatement = r.get("abatementDateTime") or (r.get("abatementPeriod") or {}).get("end")
        row = {
            "system": system,
            "code": _cut(code, 40),
            "display": _cut(display, 300),
            "category": _cut(_code(_first(r.get("category"))), 30),
            "clinical_status": _cut(_code(r.get("clinicalStatus")), 20),
            "verification_status": _cut(_code(r.get("verificationStatus")), 20),
            "onset_date": self.times.date(onset),
            "abatement_date": self.times.date(abatement),
            "recorded_date": self.times.date(r.get("recordedDate")),
        }
        return Mapped(
            "condition",
            sid,
            self._subject(r, "subject", index),
            normalize_reference(r.get("encounter"), index),
            row,
        )

    @staticmethod
    def _value(holder: dict[str, Any]) -> tuple[float | None, str, str]:
        if "valueQuantity" in holder:
            quantity = holder["valueQuantity"]
            value = quantity.get("value")
            return (
                (float(value) if value is not None else None),
                "",
                quantity.get("unit") or quantity.get("code", ""),
            )
        if "valueInteger" in holder:
            return float(holder["valueInteger"]), "", ""
        if "valueCodeableConcept" in holder:
            return None, _text(holder["valueCodeableConcept"]), ""
        if "valueString" in holder:
            return None, holder["valueString"], ""
        if "valueBoolean" in holder:
            return None, "true" if holder["valueBoolean"] else "false", ""
        return None, "", ""

    def observation(self, r: dict[str, Any], sid: str, index: dict[str, str] | None) -> Mapped:
        effective = (
            r.get("effectiveDateTime")
            or r.get("effectiveInstant")
            or (r.get("effectivePeriod") or {}).get("start")
            or r.get("issued")
        )
        when = self.times.datetime(effective)
        if when is None:
            raise MappingError("Observation.effective[x]", "carenav needs when an observation was made")
        code = r.get("code")
        loinc = _coding_in(code, LOINC) or _first(_codings(code)) or {}
        value, text, unit = self._value(r)
        category = _cut(_code(_first(r.get("category"))), 30)
        status = _cut(r.get("status"), 20)
        interpretation = _cut(_code(_first(r.get("interpretation"))), 10)
        row = {
            "category": category,
            "loinc": _cut(loinc.get("code"), 20),
            "display": _cut(_text(code), 200),
            "value_num": value,
            "value_text": _cut(text, 200),
            "unit": _cut(unit, 40),
            "interpretation": interpretation,
            "status": status,
            "effective": when,
        }
        components = []
        for position, component in enumerate(r.get("component", [])):
            ccode = component.get("code")
            cloinc = _coding_in(ccode, LOINC) or _first(_codings(ccode)) or {}
            cvalue, ctext, cunit = self._value(component)
            components.append(
                (
                    "component",
                    {
                        "source_id": f"{sid}#component-{position}",
                        "category": category,
                        "loinc": _cut(cloinc.get("code"), 20),
                        "display": _cut(_text(ccode), 200),
                        "value_num": cvalue,
                        "value_text": _cut(ctext, 200),
                        "unit": _cut(cunit, 40),
                        "interpretation": _cut(_code(_first(component.get("interpretation"))), 10),
                        "status": status,
                        "effective": when,
                    },
                )
            )
        return Mapped(
            "observation",
            sid,
            self._subject(r, "subject", index),
            normalize_reference(r.get("encounter"), index),
            row,
            components,
        )

    def medication(self, r: dict[str, Any], sid: str, index: dict[str, str] | None) -> Mapped:
        request = r["resourceType"] == "MedicationRequest"
        concept = r.get("medicationCodeableConcept")
        if concept is None:
            reference = r.get("medicationReference") or {}
            contained = {f"#{c.get('id')}": c for c in r.get("contained", []) if isinstance(c, dict)}
            medication = contained.get(reference.get("reference", ""))
            concept = medication.get("code") if medication else {"text": reference.get("display", "")}
        rx = _coding_in(concept, RXNORM) or {}
        display = _text(concept) or rx.get("code") or "(unnamed medication)"
        dosage = _first(r.get("dosageInstruction" if request else "dosage")) or {}
        timing = dosage.get("timing") or {}
        timing_text = _text(timing.get("code"))
        repeat = timing.get("repeat") or {}
        if not timing_text and repeat.get("frequency") and repeat.get("period"):
            timing_text = (
                f"{repeat['frequency']} per {repeat['period']} {repeat.get('periodUnit', '')}".strip()
            )
        if request:
            validity = (r.get("dispenseRequest") or {}).get("validityPeriod") or {}
            start = r.get("authoredOn") or validity.get("start")
            end = validity.get("end")
            prescriber = (r.get("requester") or {}).get("display")
        else:
            period = r.get("effectivePeriod") or {}
            start = r.get("effectiveDateTime") or period.get("start") or r.get("dateAsserted")
            end = period.get("end")
            prescriber = (r.get("informationSource") or {}).get("display")
        row = {
            "kind": "request" if request else "statement",
            "rxnorm": _cut(rx.get("code"), 20),
            "display": _cut(display, 300),
            "dosage_text": _cut(dosage.get("text"), 300),
            "timing": _cut(timing_text, 120),
            "status": _cut(r.get("status"), 20),
            "start_date": self.times.date(start),
            "end_date": self.times.date(end),
            "prescriber": _cut(prescriber, 200),
        }
        # MedicationRequest and MedicationStatement share a table: keep their ids apart.
        key = sid if request else f"MedicationStatement/{sid}"
        return Mapped("medication", key, self._subject(r, "subject", index), None, row)

    def coverage(self, r: dict[str, Any], sid: str, index: dict[str, str] | None) -> Mapped:
        payor = _first(r.get("payor")) or {}
        payer = payor.get("display") or (normalize_reference(payor) or "").split("/")[-1] or "(unknown payer)"
        classes = {(_code(c.get("type")) or "other"): c for c in r.get("class", [])}
        plan = classes.get("plan") or classes.get("group") or {}
        kind_text = " ".join(
            [_text(r.get("type")), _code(r.get("type")), payer, plan.get("name", ""), plan.get("value", "")]
        ).lower()
        period = r.get("period") or {}
        row = {
            "kind": coverage_kind(kind_text),
            "payer": _cut(payer, 200),
            "plan_name": _cut(plan.get("name") or plan.get("value"), 200),
            "member_id": _cut(r.get("subscriberId") or (_first(r.get("identifier")) or {}).get("value"), 80),
            "status": _cut(r.get("status"), 20),
            "start_date": self.times.date(period.get("start")),
            "end_date": self.times.date(period.get("end")),
        }
        return Mapped("coverage", sid, self._subject(r, "beneficiary", index), None, row)

    def allergy(self, r: dict[str, Any], sid: str, index: dict[str, str] | None) -> Mapped:
        system, code, display = _best_coding(r.get("code"), ("snomed", "rxnorm"))
        row = {
            "system": system,
            "code": _cut(code, 40),
            "display": _cut(display or code or "(unnamed allergy)", 300),
            "category": _cut(_first(r.get("category")), 20),
            "criticality": _cut(r.get("criticality"), 20),
            "clinical_status": _cut(_code(r.get("clinicalStatus")), 20),
            "recorded_date": self.times.date(r.get("recordedDate")),
        }
        return Mapped("allergy", sid, self._subject(r, "patient", index), None, row)

    def procedure(self, r: dict[str, Any], sid: str, index: dict[str, str] | None) -> Mapped:
        system, code, display = _best_coding(r.get("code"), ("snomed", "cpt", "hcpcs"))
        if not code:
            raise MappingError("Procedure.code.coding", "carenav needs a coded procedure")
        period = r.get("performedPeriod") or {}
        start = r.get("performedDateTime") or period.get("start")
        row = {
            "system": system,
            "code": _cut(code, 40),
            "display": _cut(display, 300),
            "status": _cut(r.get("status"), 20),
            "performed_start": self.times.datetime(start),
            "performed_end": self.times.datetime(period.get("end")),
        }
        return Mapped(
            "procedure",
            sid,
            self._subject(r, "subject", index),
            normalize_reference(r.get("encounter"), index),
            row,
        )

    def claim(self, r: dict[str, Any], sid: str, index: dict[str, str] | None) -> Mapped:
        rtype = r["resourceType"]
        period = r.get("billablePeriod") or {}
        items = [i for i in r.get("item", []) if isinstance(i, dict)]
        start, end = period.get("start"), period.get("end")
        if start is None and items:
            served = [i.get("servicedDate") or (i.get("servicedPeriod") or {}).get("start") for i in items]
            start = min((s for s in served if s), default=None)
        encounter = next(
            (normalize_reference(_first(i.get("encounter")), index) for i in items if i.get("encounter")),
            None,
        )
        if rtype == "Claim":
            money = r.get("total") or {}
        else:
            totals = [t for t in r.get("total", []) if isinstance(t, dict)]
            chosen = next((t for t in totals if _code(t.get("category")) == "submitted"), _first(totals))
            money = (chosen or {}).get("amount") or (r.get("payment") or {}).get("amount") or {}
        total = None
        if money.get("value") is not None:
            try:
                total = str(Decimal(str(money["value"])).quantize(Decimal("0.01")))
            except InvalidOperation as exc:
                raise MappingError(f"{rtype}.total", "amount is not a number") from exc
        diagnoses, references = [], []
        for d in r.get("diagnosis", []):
            sequence = int(d.get("sequence") or 0)
            if "diagnosisCodeableConcept" in d:
                system, code, _display = _best_coding(d["diagnosisCodeableConcept"], CONDITION_PREFERENCE)
                diagnoses.append({"system": system, "code": code, "sequence": sequence})
            elif ref := normalize_reference(d.get("diagnosisReference"), index):
                references.append((ref, sequence))
        row = {
            "resource_type": rtype,
            "claim_type": _cut(_code(r.get("type")), 20),
            "status": _cut(r.get("status"), 20),
            "service_start": self.times.date(start),
            "service_end": self.times.date(end),
            "total": total,
            "currency": _cut(money.get("currency") or "USD", 3),
            "diagnoses": diagnoses,
        }
        key = sid if rtype == "Claim" else f"ExplanationOfBenefit/{sid}"
        return Mapped("claim", key, self._subject(r, "patient", index), encounter, row, [], references)


def coverage_kind(text: str) -> str:
    """A coverage's kind from its type, payer and plan wording (no standard code distinguishes these)."""
    medicare = "medicare" in text
    medicaid = "medicaid" in text or "chip" in text or "medi-cal" in text
    if medicare and medicaid or "dual" in text:
        return "dual"
    if "advantage" in text or "part c" in text or (medicare and "hmo" in text):
        return "medicare_advantage"
    if medicare:
        return "medicare"
    if medicaid:
        return "medicaid"
    if "self" in text or "uninsured" in text or "no insurance" in text or "paytype" in text:
        return "self_pay"
    if any(
        word in text for word in ("commercial", "employer", "ppo", "hmo", "blue", "aetna", "cigna", "united")
    ):
        return "commercial"
    return "other"
