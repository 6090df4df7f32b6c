"""FHIR interface fixtures: a patient with a small but complete record, a validator, and a fhirpy client."""

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhirpy import SyncFHIRClient

from carenav.accounts.models import User
from carenav.accounts.services import api_token_create
from carenav.core import clock
from carenav.patients.models import (
    Allergy,
    Caregiver,
    Coverage,
    Encounter,
    Medication,
    Observation,
    Patient,
    PatientIdentifier,
    Procedure,
)
from tests.factories import add_condition, add_encounter, add_observation, at

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("America/New_York"))
MEDICARE_ID = "https://bluebutton.cms.gov/resources/variables/bene_id"

# Required bindings (FHIR R4) of the coded elements carenav emits; fhir.resources checks structure only.
REQUIRED = {
    ("Patient", "gender"): {"male", "female", "other", "unknown"},
    ("Condition", "clinicalStatus"): {"active", "recurrence", "relapse", "inactive", "remission", "resolved"},
    ("Condition", "verificationStatus"): {
        "unconfirmed",
        "provisional",
        "differential",
        "confirmed",
        "refuted",
        "entered-in-error",
    },
    ("Encounter", "status"): {
        "planned",
        "arrived",
        "triaged",
        "in-progress",
        "onleave",
        "finished",
        "cancelled",
        "entered-in-error",
    },
    ("Observation", "status"): {
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
    },
    ("MedicationRequest", "status"): {
        "active",
        "on-hold",
        "cancelled",
        "completed",
        "entered-in-error",
        "stopped",
        "draft",
    },
    ("MedicationRequest", "intent"): {
        "proposal",
        "plan",
        "order",
        "original-order",
        "reflex-order",
        "filler-order",
        "instance-order",
        "option",
    },
    ("MedicationStatement", "status"): {
        "active",
        "completed",
        "entered-in-error",
        "intended",
        "stopped",
        "on-hold",
        "not-taken",
    },
    ("Coverage", "status"): {"active", "cancelled", "draft", "entered-in-error"},
    ("AllergyIntolerance", "clinicalStatus"): {"active", "inactive", "resolved"},
    ("Procedure", "status"): {
        "preparation",
        "in-progress",
        "not-done",
        "on-hold",
        "stopped",
        "completed",
        "entered-in-error",
    },
    ("CarePlan", "status"): {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error"},
    ("Goal", "lifecycleStatus"): {
        "proposed",
        "planned",
        "accepted",
        "active",
        "on-hold",
        "completed",
        "cancelled",
        "entered-in-error",
        "rejected",
    },
    ("QuestionnaireResponse", "status"): {
        "in-progress",
        "completed",
        "amended",
        "entered-in-error",
        "stopped",
    },
    ("Bundle", "type"): {"searchset"},
}


def _code(value: Any) -> Any:
    if isinstance(value, dict):  # a CodeableConcept with one coding
        return value["coding"][0]["code"]
    return value


def assert_valid(resource: dict[str, Any]) -> None:
    """Parses as its FHIR R4 type with fhir.resources R4B, required bindings hold, nothing is "unknown"."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    for (kind, element), allowed in REQUIRED.items():
        if resource["resourceType"] == kind and element in resource:
            assert _code(resource[element]) in allowed, (kind, element, resource[element])
    assert resource.get("status") != "unknown"
    for entry in resource.get("entry", []):
        assert_valid(entry["resource"])
    for contained in resource.get("contained", []):
        assert_valid(contained)


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[dt.datetime]:
    with clock.pinned(NOW) as now:
        yield now


@pytest.fixture
def record(patient: Patient) -> Patient:
    """Rosa Muñoz: identifiers, problems, a heart-failure admission, vitals and labs, medicines, coverage,
    an allergy, a procedure and her daughter as caregiver."""
    patient.source_id = "synthea-7f3a"
    patient.phone = "555-0100"
    patient.address_line = "12 River Rd"
    patient.city = "Springfield"
    patient.state = "MA"
    patient.postal_code = "01101"
    patient.interpreter_needed = True
    patient.save()
    PatientIdentifier.objects.create(patient=patient, system=MEDICARE_ID, value="1EG4TE5MK73", type_code="MB")
    PatientIdentifier.objects.create(
        patient=patient, system="urn:oid:1.2.3.4", value=patient.mrn, type_code="MR"
    )
    stay = add_encounter(
        patient,
        Encounter.Class.INPATIENT,
        "2026-10-02",
        "2026-10-06",
        discharge_disposition="snf",
        admit_source="emd",
        facility="Springfield General",
        priority=Encounter.Priority.EMERGENCY,
        reason_display="Shortness of breath",
        diagnoses=[{"system": "icd10cm", "code": "I50.9", "display": "Heart failure", "rank": 1}],
        source_id="enc-1",
    )
    add_encounter(patient, Encounter.Class.AMBULATORY, "2026-11-10", "2026-11-10", status="weird")
    add_encounter(patient, Encounter.Class.EMERGENCY, "2025-03-15", "2025-03-15")
    add_condition(
        patient,
        "I50.9",
        display="Heart failure, unspecified",
        category="encounter-diagnosis",
        encounter=stay,
        onset_date=dt.date(2026, 10, 2),
        source_id="cond-1",
    )
    add_condition(patient, "E11.9", display="Type 2 diabetes", category="problem-list-item")
    add_condition(
        patient,
        "38341003",
        system="snomed",
        display="Hypertension",
        category="problem-list-item",
        clinical_status="resolved",
        abatement_date=dt.date(2024, 1, 1),
    )
    bp = add_observation(
        patient, "85354-9", None, "", "2026-11-10", display="Blood pressure panel", category="vital-signs"
    )
    for loinc, value, name in (("8480-6", 150.0, "Systolic"), ("8462-4", 92.0, "Diastolic")):
        add_observation(
            patient, loinc, value, "mm[Hg]", "2026-11-10", display=name, panel=bp, category="vital-signs"
        )
    add_observation(
        patient,
        "4548-4",
        8.4,
        "%",
        "2026-09-01",
        display="Hemoglobin A1c",
        category="laboratory",
        interpretation="H",
    )
    add_observation(
        patient, "4548-4", 7.9, "%", "2026-11-01", display="Hemoglobin A1c", category="laboratory"
    )
    add_observation(
        patient, "29463-7", 81.2, "kg", "2026-11-10", display="Body weight", category="vital-signs"
    )
    Medication.objects.create(
        patient=patient,
        rxnorm="860975",
        display="Metformin 500 MG Oral Tablet",
        dosage_text="1 tablet twice daily",
        timing="BID",
        start_date=dt.date(2025, 1, 1),
        prescriber="Dr. Ortiz",
    )
    Medication.objects.create(
        patient=patient,
        kind=Medication.Kind.STATEMENT,
        display="Aspirin 81 mg",
        status="inactive",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2025, 1, 1),
    )
    Coverage.objects.create(
        patient=patient,
        kind=Coverage.Kind.DUAL,
        payer="Commonwealth Care Alliance",
        plan_name="One Care",
        member_id="CCA123",
        start_date=dt.date(2025, 1, 1),
    )
    Allergy.objects.create(
        patient=patient,
        code="91936005",
        display="Allergy to penicillin",
        category="medication",
        criticality="high",
    )
    Procedure.objects.create(
        patient=patient,
        code="40701008",
        display="Echocardiography",
        encounter=stay,
        performed_start=at("2026-10-03", 11),
    )
    Caregiver.objects.create(
        patient=patient, name="Lucía Muñoz", relationship="Daughter", phone="555-0111", is_primary=True
    )
    return patient


def observation_ids(patient: Patient) -> list[int]:
    return list(Observation.objects.filter(patient=patient, panel__isnull=True).values_list("pk", flat=True))


@pytest.fixture
def token(care_manager: User) -> str:
    return api_token_create(actor=care_manager, name="fhir test")[1]


@pytest.fixture
def client_for(live_server: Any) -> Any:
    def make(key: str | None) -> SyncFHIRClient:
        return SyncFHIRClient(f"{live_server.url}/fhir", authorization=f"Bearer {key}" if key else None)

    return make


@pytest.fixture
def fhir(client_for: Any, token: str) -> SyncFHIRClient:
    return client_for(token)
