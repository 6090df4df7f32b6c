"""carenav rows as FHIR R4 resources (plain dicts), for the REST interface.

Logical ids are carenav primary keys (``Patient/42`` is patients.Patient 42); the id a row had in the
system it was imported from is kept as an identifier with the SOURCE_ID system. Codes stored under
short names (``icd10cm``, ``snomed``...) go back to their canonical URIs. A stored status outside the
resource's required value set is replaced by what the row itself tells (an end date means finished);
"unknown" is never emitted. CarePlan, Goal and QuestionnaireResponse come from the builders of the
careplans and assessments apps (see careplan_resources and questionnaire_response).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from carenav.assessments import fhir as assessments_fhir
from carenav.assessments import services as assessment_services
from carenav.assessments.models import AssessmentResponse
from carenav.careplans import fhir as careplans_fhir
from carenav.careplans import selectors as careplan_selectors
from carenav.careplans.models import CarePlan
from carenav.patients.models import (
    Allergy,
    Caregiver,
    CodeSystem,
    Condition,
    Coverage,
    Encounter,
    Medication,
    Observation,
    Patient,
    PatientIdentifier,
    Procedure,
)

SOURCE_ID = "https://carenav.org/fhir/sid/source-id"
MRN_SYSTEM = "https://carenav.org/fhir/sid/mrn"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
CODE_SYSTEM_URIS: dict[str, str] = {
    CodeSystem.ICD10CM: "http://hl7.org/fhir/sid/icd-10-cm",
    CodeSystem.ICD10: "http://hl7.org/fhir/sid/icd-10",
    CodeSystem.SNOMED: "http://snomed.info/sct",
    CodeSystem.LOINC: "http://loinc.org",
    CodeSystem.RXNORM: "http://www.nlm.nih.gov/research/umls/rxnorm",
    CodeSystem.CPT: "http://www.ama-assn.org/go/cpt",
    CodeSystem.HCPCS: "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
}
SHORT_NAMES: dict[str, str] = {uri: str(short) for short, uri in CODE_SYSTEM_URIS.items()}
LOINC = CODE_SYSTEM_URIS[CodeSystem.LOINC]
RXNORM = CODE_SYSTEM_URIS[CodeSystem.RXNORM]

ACT_CODE = TERMINOLOGY + "v3-ActCode"
ENCOUNTER_CLASS: dict[str, tuple[str, str, str]] = {
    Encounter.Class.INPATIENT: (ACT_CODE, "IMP", "inpatient encounter"),
    Encounter.Class.EMERGENCY: (ACT_CODE, "EMER", "emergency"),
    Encounter.Class.OBSERVATION: (ACT_CODE, "OBSENC", "observation encounter"),
    Encounter.Class.AMBULATORY: (ACT_CODE, "AMB", "ambulatory"),
    Encounter.Class.HOME: (ACT_CODE, "HH", "home health"),
    Encounter.Class.VIRTUAL: (ACT_CODE, "VR", "virtual"),
    Encounter.Class.OTHER: (TERMINOLOGY + "v3-NullFlavor", "OTH", "other"),
}
CLASS_BY_CODE = {code: cls for cls, (_system, code, _display) in ENCOUNTER_CLASS.items()}
ENCOUNTER_PRIORITY = {
    "emergency": ("EM", "emergency"),
    "urgent": ("UR", "urgent"),
    "elective": ("EL", "elective"),
}
DISPOSITIONS = {
    "home",
    "alt-home",
    "other-hcf",
    "hosp",
    "long",
    "aadvice",
    "exp",
    "psy",
    "rehab",
    "snf",
    "oth",
}
ADMIT_SOURCES = {"hosp-trans", "emd", "outp", "born", "gp", "mp", "nursing", "psych", "rehab", "other"}
NUBC_DISCHARGE = "https://www.nubc.org/CodeSystem/PatDischargeStatus"

CONDITION_CLINICAL = {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
CONDITION_VERIFICATION = {
    "unconfirmed",
    "provisional",
    "differential",
    "confirmed",
    "refuted",
    "entered-in-error",
}
CONDITION_CATEGORIES = {
    "problem-list-item": (TERMINOLOGY + "condition-category", "Problem List Item"),
    "encounter-diagnosis": (TERMINOLOGY + "condition-category", "Encounter Diagnosis"),
    "health-concern": ("http://hl7.org/fhir/us/core/CodeSystem/condition-category", "Health Concern"),
    "sdoh": ("http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "SDOH"),
}
OBSERVATION_CATEGORIES = {
    code: (TERMINOLOGY + "observation-category", display)
    for code, display in (
        ("social-history", "Social History"),
        ("vital-signs", "Vital Signs"),
        ("imaging", "Imaging"),
        ("laboratory", "Laboratory"),
        ("procedure", "Procedure"),
        ("survey", "Survey"),
        ("exam", "Exam"),
        ("therapy", "Therapy"),
        ("activity", "Activity"),
    )
}
OBSERVATION_CATEGORIES["sdoh"] = ("http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "SDOH")
OBSERVATION_STATUS = {
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
}
INTERPRETATION = {
    "L",
    "H",
    "LL",
    "HH",
    "N",
    "A",
    "AA",
    "LU",
    "HU",
    "<",
    ">",
    "POS",
    "NEG",
    "IND",
    "I",
    "R",
    "S",
}
ENCOUNTER_STATUS = {"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled"}
REQUEST_STATUS = {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft"}
STATEMENT_STATUS = {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "not-taken"}
COVERAGE_STATUS = {"active", "cancelled", "draft", "entered-in-error"}
PROCEDURE_STATUS = {
    "preparation",
    "in-progress",
    "not-done",
    "on-hold",
    "stopped",
    "completed",
    "entered-in-error",
}
ALLERGY_CLINICAL = {"active", "inactive", "resolved"}
ALLERGY_CATEGORY = {"food", "medication", "environment", "biologic"}
ALLERGY_CRITICALITY = {"low", "high", "unable-to-assess"}
# Source of Payment Typology (PHVS_SourceOfPaymentTypology_PHDSC), the payer-type codes US Core uses.
PAYER_TYPE = "urn:oid:2.16.840.1.113883.3.221.5"
COVERAGE_KIND: dict[str, tuple[str, str]] = {
    Coverage.Kind.MEDICARE: ("1", "Medicare"),
    Coverage.Kind.MEDICARE_ADVANTAGE: ("11", "Medicare Managed Care (Includes Medicare Advantage Plans)"),
    Coverage.Kind.MEDICAID: ("2", "Medicaid"),
    Coverage.Kind.DUAL: ("14", "Dual Eligibility Medicare/Medicaid Organization"),
    Coverage.Kind.COMMERCIAL: ("5", "Private Health Insurance"),
    Coverage.Kind.SELF_PAY: ("81", "Self-pay"),
    Coverage.Kind.OTHER: ("9", "Miscellaneous/Other"),
}
ROLE_CODE = TERMINOLOGY + "v3-RoleCode"
RELATIONSHIPS = {
    "spouse": ("SPS", "spouse"),
    "wife": ("WIFE", "wife"),
    "husband": ("HUSB", "husband"),
    "partner": ("DOMPART", "domestic partner"),
    "daughter": ("DAU", "natural daughter"),
    "son": ("SON", "natural son"),
    "child": ("CHILD", "child"),
    "mother": ("MTH", "mother"),
    "father": ("FTH", "father"),
    "parent": ("PRN", "parent"),
    "sister": ("SIS", "sister"),
    "brother": ("BRO", "brother"),
    "sibling": ("SIB", "sibling"),
    "grandchild": ("GRNDCHILD", "grandchild"),
    "friend": ("FRND", "unrelated friend"),
    "neighbor": ("NBOR", "neighbor"),
}
INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"


def _prune(value: Any) -> Any:
    """FHIR forbids empty strings, arrays and objects."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_prune(v) for v in value) if v not in (None, "", [], {})]
    return value


def _instant(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _meta(updated: dt.datetime | None) -> dict[str, Any]:
    return {"lastUpdated": _instant(updated)}


def _source_identifier(source_id: str | None) -> list[dict[str, Any]]:
    # Medication and claim rows prefix their source id with the resource type; the id itself is the rest.
    return [{"system": SOURCE_ID, "value": source_id.rsplit("/", 1)[-1]}] if source_id else []


def _ref(kind: str, pk: int | None) -> dict[str, str] | None:
    return {"reference": f"{kind}/{pk}"} if pk else None


def concept(system: str, code: str, display: str = "") -> dict[str, Any]:
    """A CodeableConcept for a stored (short-name system, code, display) triple."""
    uri = CODE_SYSTEM_URIS.get(system)
    coding: dict[str, Any] = {"code": code, "display": display}
    if uri:
        coding = {"system": uri, **coding}
    return {"coding": [coding] if code else [], "text": display or code}


def _coded(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def _category(categories: dict[str, tuple[str, str]], code: str) -> list[dict[str, Any]]:
    if not code:
        return []
    if code in categories:
        system, display = categories[code]
        return [_coded(system, code, display)]
    return [{"text": code}]


# ---------------------------------------------------------------------------------------- resources


def patient(p: Patient, identifiers: list[PatientIdentifier]) -> dict[str, Any]:
    idents = [
        {
            "type": {"coding": [{"system": TERMINOLOGY + "v2-0203", "code": i.type_code}]}
            if i.type_code
            else None,
            "system": i.system or None,
            "value": i.value,
        }
        for i in identifiers
    ]
    if p.mrn and not any(i.value == p.mrn and i.type_code == "MR" for i in identifiers):
        idents.append(
            {
                "type": {"coding": [{"system": TERMINOLOGY + "v2-0203", "code": "MR"}]},
                "system": f"{MRN_SYSTEM}/{p.organization_id}",
                "value": p.mrn,
            }
        )
    idents += _source_identifier(p.source_id)
    telecom = [{"system": "phone", "value": p.phone}, {"system": "email", "value": p.email}]
    address = {
        "line": [p.address_line],
        "city": p.city,
        "state": p.state,
        "postalCode": p.postal_code,
    }
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(p.pk),
        "meta": _meta(p.updated_at),
        "extension": [{"url": INTERPRETER_REQUIRED, "valueBoolean": True}] if p.interpreter_needed else [],
        "identifier": idents,
        "active": True,
        "name": [{"use": "official", "family": p.family_name, "given": p.given_name.split()}],
        "telecom": [t for t in telecom if t["value"]],
        "gender": p.sex,
        "birthDate": _date(p.birth_date),
        "deceasedDateTime": _instant(p.deceased_at),
        "address": [address],
        "communication": [
            {
                "language": {"coding": [{"system": "urn:ietf:bcp:47", "code": p.preferred_language}]},
                "preferred": True,
            }
        ],
    }
    return _prune(resource)


def condition(c: Condition) -> dict[str, Any]:
    clinical = c.clinical_status if c.clinical_status in CONDITION_CLINICAL else None
    if clinical is None:
        clinical = "resolved" if c.abatement_date else "active"
    if c.abatement_date and clinical in Condition.ACTIVE_STATUSES:
        clinical = "resolved"  # con-4: an abated condition is not active
    verification = c.verification_status if c.verification_status in CONDITION_VERIFICATION else None
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": str(c.pk),
        "identifier": _source_identifier(c.source_id),
        "clinicalStatus": None
        if verification == "entered-in-error"
        else _coded(TERMINOLOGY + "condition-clinical", clinical, clinical.capitalize()),
        "verificationStatus": _coded(
            TERMINOLOGY + "condition-ver-status", verification, verification.capitalize()
        )
        if verification
        else None,
        "category": _category(CONDITION_CATEGORIES, c.category),
        "code": concept(c.system, c.code, c.display),
        "subject": _ref("Patient", c.patient_id),
        "encounter": _ref("Encounter", c.encounter_id),
        "onsetDateTime": _date(c.onset_date),
        "abatementDateTime": _date(c.abatement_date),
        "recordedDate": _date(c.recorded_date),
    }
    return _prune(resource)


def _code_and_system(code: str, known: set[str], system: str) -> dict[str, Any] | None:
    if not code:
        return None
    if code in known:
        return {"coding": [{"system": system, "code": code}]}
    if code.isdigit() and len(code) == 2 and system.endswith("discharge-disposition"):
        return {"coding": [{"system": NUBC_DISCHARGE, "code": code}]}
    return {"text": code}


def encounter(e: Encounter, conditions: dict[tuple[int, str, str], int]) -> dict[str, Any]:
    """``conditions`` maps (patient id, system, code) to the Condition row an encounter diagnosis names."""
    status = e.status if e.status in ENCOUNTER_STATUS else ("finished" if e.end else "in-progress")
    system, code, display = ENCOUNTER_CLASS.get(e.encounter_class, ENCOUNTER_CLASS[Encounter.Class.OTHER])
    diagnoses = []
    for d in e.diagnoses or []:
        pk = conditions.get((e.patient_id, d.get("system", ""), d.get("code", "")))
        reference: dict[str, Any] = {"reference": f"Condition/{pk}"} if pk else {}
        reference["display"] = d.get("display") or d.get("code")
        diagnoses.append({"condition": reference, "rank": d.get("rank") or None})
    priority = ENCOUNTER_PRIORITY.get(e.priority)
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": str(e.pk),
        "identifier": _source_identifier(e.source_id),
        "status": status,
        "class": {"system": system, "code": code, "display": display},
        "type": [{"text": e.type_display}],
        "priority": _coded(TERMINOLOGY + "v3-ActPriority", priority[0], priority[1]) if priority else None,
        "subject": _ref("Patient", e.patient_id),
        "period": {"start": _instant(e.start), "end": _instant(e.end)},
        "reasonCode": [{"text": e.reason_display or e.reason_code}],
        "diagnosis": diagnoses,
        "hospitalization": {
            "admitSource": _code_and_system(e.admit_source, ADMIT_SOURCES, TERMINOLOGY + "admit-source"),
            "dischargeDisposition": _code_and_system(
                e.discharge_disposition, DISPOSITIONS, TERMINOLOGY + "discharge-disposition"
            ),
        },
        "serviceProvider": {"display": e.facility},
    }
    return _prune(resource)


def _value(o: Observation) -> dict[str, Any]:
    if o.value_num is not None:
        return {"valueQuantity": {"value": o.value_num, "unit": o.unit}}
    if o.value_text:
        return {"valueString": o.value_text}
    return {}


def _interpretation(code: str) -> list[dict[str, Any]]:
    if not code:
        return []
    if code in INTERPRETATION:
        return [{"coding": [{"system": TERMINOLOGY + "v3-ObservationInterpretation", "code": code}]}]
    return [{"text": code}]


def _loinc(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display or code}


def observation(o: Observation, components: list[Observation]) -> dict[str, Any]:
    """A top-level observation; a panel (blood pressure) carries its child rows as components."""
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(o.pk),
        "identifier": _source_identifier(o.source_id),
        "status": o.status if o.status in OBSERVATION_STATUS else "final",
        "category": _category(OBSERVATION_CATEGORIES, o.category),
        "code": _loinc(o.loinc, o.display),
        "subject": _ref("Patient", o.patient_id),
        "encounter": _ref("Encounter", o.encounter_id),
        "effectiveDateTime": _instant(o.effective),
        **_value(o),
        "interpretation": _interpretation(o.interpretation),
        "component": [
            {
                "code": _loinc(c.loinc, c.display),
                **_value(c),
                "interpretation": _interpretation(c.interpretation),
            }
            for c in components
        ],
    }
    return _prune(resource)


def _ended(end: dt.date | None, today: dt.date) -> bool:
    return end is not None and end < today


def medication(m: Medication, today: dt.date) -> dict[str, Any]:
    """A MedicationRequest (a prescription) or MedicationStatement (reported use), by the row's kind."""
    request = m.kind == Medication.Kind.REQUEST
    allowed = REQUEST_STATUS if request else STATEMENT_STATUS
    status = m.status if m.status in allowed else ("completed" if _ended(m.end_date, today) else "active")
    medication_concept = {
        "coding": [{"system": RXNORM, "code": m.rxnorm, "display": m.display}] if m.rxnorm else [],
        "text": m.display,
    }
    dosage = {"text": m.dosage_text, "timing": {"code": {"text": m.timing}}}
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest" if request else "MedicationStatement",
        "id": str(m.pk),
        "identifier": _source_identifier(m.source_id),
        "status": status,
        "medicationCodeableConcept": medication_concept,
        "subject": _ref("Patient", m.patient_id),
    }
    if request:
        resource |= {
            "intent": "order",
            "authoredOn": _date(m.start_date),
            "requester": {"display": m.prescriber},
            "dosageInstruction": [dosage],
            "dispenseRequest": {"validityPeriod": {"start": _date(m.start_date), "end": _date(m.end_date)}},
        }
    else:
        resource |= {
            "effectivePeriod": {"start": _date(m.start_date), "end": _date(m.end_date)},
            "informationSource": {"display": m.prescriber},
            "dosage": [dosage],
        }
    return _prune(resource)


def coverage(c: Coverage) -> dict[str, Any]:
    code, display = COVERAGE_KIND.get(c.kind, COVERAGE_KIND[Coverage.Kind.OTHER])
    resource: dict[str, Any] = {
        "resourceType": "Coverage",
        "id": str(c.pk),
        "identifier": _source_identifier(c.source_id),
        "status": c.status if c.status in COVERAGE_STATUS else "active",
        "type": {
            "coding": [{"system": PAYER_TYPE, "code": code, "display": display}],
            "text": c.get_kind_display(),
        },
        "subscriberId": c.member_id,
        "beneficiary": _ref("Patient", c.patient_id),
        "period": {"start": _date(c.start_date), "end": _date(c.end_date)},
        "payor": [{"display": c.payer}],
        "class": [
            {
                "type": _coded(TERMINOLOGY + "coverage-class", "plan", "Plan"),
                "value": c.plan_name,
                "name": c.plan_name,
            }
        ]
        if c.plan_name
        else [],
    }
    return _prune(resource)


def allergy(a: Allergy) -> dict[str, Any]:
    clinical = a.clinical_status if a.clinical_status in ALLERGY_CLINICAL else "active"
    resource: dict[str, Any] = {
        "resourceType": "AllergyIntolerance",
        "id": str(a.pk),
        "identifier": _source_identifier(a.source_id),
        "clinicalStatus": _coded(
            TERMINOLOGY + "allergyintolerance-clinical", clinical, clinical.capitalize()
        ),
        "category": [a.category] if a.category in ALLERGY_CATEGORY else [],
        "criticality": a.criticality if a.criticality in ALLERGY_CRITICALITY else None,
        "code": concept(a.system, a.code, a.display),
        "patient": _ref("Patient", a.patient_id),
        "recordedDate": _date(a.recorded_date),
    }
    return _prune(resource)


def procedure(p: Procedure) -> dict[str, Any]:
    status = p.status if p.status in PROCEDURE_STATUS else "completed"
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": str(p.pk),
        "identifier": _source_identifier(p.source_id),
        "status": status,
        "code": concept(p.system, p.code, p.display),
        "subject": _ref("Patient", p.patient_id),
        "encounter": _ref("Encounter", p.encounter_id),
    }
    if p.performed_end:
        resource["performedPeriod"] = {"start": _instant(p.performed_start), "end": _instant(p.performed_end)}
    else:
        resource["performedDateTime"] = _instant(p.performed_start)
    return _prune(resource)


def related_person(c: Caregiver) -> dict[str, Any]:
    relation = RELATIONSHIPS.get(c.relationship.strip().lower())
    relationship: dict[str, Any] = {"text": c.relationship}
    if relation:
        relationship["coding"] = [{"system": ROLE_CODE, "code": relation[0], "display": relation[1]}]
    resource: dict[str, Any] = {
        "resourceType": "RelatedPerson",
        "id": str(c.pk),
        "identifier": _source_identifier(c.source_id),
        "active": True,
        "patient": _ref("Patient", c.patient_id),
        "relationship": [relationship],
        "name": [{"text": c.name}],
        "telecom": [
            t
            for t in ({"system": "phone", "value": c.phone}, {"system": "email", "value": c.email})
            if t["value"]
        ],
    }
    return _prune(resource)


# ------------------------------------------------------------------ builders of the other apps


def _localize(node: Any, refs: dict[str, str]) -> Any:
    """Rewrite ``urn:uuid:`` references (meaningful only inside the careplans export bundle)."""
    if isinstance(node, dict):
        out = {k: _localize(v, refs) for k, v in node.items()}
        ref = node.get("reference")
        if isinstance(ref, str) and ref.startswith("urn:uuid:"):
            out["reference"] = refs[ref.removeprefix("urn:uuid:")]
        return out
    if isinstance(node, list):
        return [_localize(v, refs) for v in node]
    return node


def _uuid_refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = (
            {node["reference"].removeprefix("urn:uuid:")}
            if str(node.get("reference", "")).startswith("urn:uuid:")
            else set()
        )
        return own.union(*(_uuid_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_uuid_refs(v) for v in node))
    return set()


def _standalone(
    resource: dict[str, Any], served: dict[str, str], others: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The resource with references to what this server serves made relative (``Goal/7``) and the
    rest of the export (care team, health concerns from screenings) carried as contained resources."""
    contained: dict[str, dict[str, Any]] = {}
    pending = [k for k in _uuid_refs(resource) if k not in served]
    while pending:
        key = pending.pop()
        if key in contained or key not in others:
            continue
        item = {k: v for k, v in others[key].items() if k != "meta"}
        contained[key] = item
        pending += [k for k in _uuid_refs(item) if k not in served]
    refs = {**served, **{k: f"#{k}" for k in contained}}
    out = _localize(resource, refs)
    out["meta"] = {k: v for k, v in out.get("meta", {}).items() if k != "versionId"}
    if contained:
        out = {
            "resourceType": out["resourceType"],
            "id": out["id"],
            "meta": out["meta"],
            **({"text": out["text"]} if "text" in out else {}),
            "contained": [_localize(c, refs) for c in contained.values()],
            **{k: v for k, v in out.items() if k not in ("resourceType", "id", "meta", "text")},
        }
    return out


def careplan_resources(
    plan: CarePlan, today: dt.date, now: dt.datetime
) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """The CarePlan and its Goals (by Goal pk) from the careplans export, with carenav ids."""
    view = careplan_selectors.plan_view(plan, today)
    exported = careplans_fhir.bundle(careplan_selectors.snapshot(view), now=now)
    by_key = {e["resource"]["id"]: e["resource"] for e in exported["entry"]}
    served = {gv.key: f"Goal/{gv.goal.pk}" for gv in view.goals}
    served |= {str(p.key): f"Condition/{p.condition_id}" for p in view.problems if p.condition_id}
    served |= {str(m.key): f"RelatedPerson/{m.caregiver_id}" for m in view.members if m.caregiver_id}
    others = {k: r for k, r in by_key.items() if k not in served and r["resourceType"] != "CarePlan"}
    meta = _meta(plan.updated_at)
    careplan = _standalone(by_key[str(plan.uid)], served, others)
    careplan = {**careplan, "id": str(plan.pk), "meta": {**careplan["meta"], **meta}}
    careplan["identifier"] = [
        *careplan.get("identifier", []),
        {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{plan.uid}"},
    ]
    if "replaces" in careplan and plan.previous_id:
        careplan["replaces"] = [{"reference": f"CarePlan/{plan.previous_id}"}]
    goals = {}
    for gv in view.goals:
        goal = _standalone(by_key[gv.key], served, others)
        goals[gv.goal.pk] = {
            **goal,
            "id": str(gv.goal.pk),
            "meta": {**goal["meta"], **meta},
            "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{gv.key}"}],
        }
    return careplan, goals


def questionnaire_response(response: AssessmentResponse) -> dict[str, Any]:
    """The assessments app's QuestionnaireResponse for one stored response (id = its pk)."""
    resource = assessments_fhir.questionnaire_response(
        assessment_services.instrument_for(response.instrument_id),
        response.answers,
        response_id=str(response.pk),
        subject_reference=f"Patient/{response.patient_id}",
        authored=response.completed_at or response.updated_at,
        status=response.status,
        version=response.instrument_version,
        author_display=response.author.display_name if response.author else "",
        language=response.language,
    )
    return {**resource, "meta": _meta(response.updated_at)}
