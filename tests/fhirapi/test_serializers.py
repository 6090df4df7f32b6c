"""Model → FHIR R4: every resource validates (fhir.resources R4B), codes go back to their URIs, statuses
are never "unknown", and the shapes care-management consumers rely on are there."""

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from carenav.accounts.models import Organization, User
from carenav.fhirapi import serializers
from carenav.fhirapi.selectors import patient_everything_for
from carenav.interop.services import import_paths
from carenav.patients.models import Condition, Encounter, Medication, Observation, Patient
from carenav.synth.generate import generate
from tests.factories import add_encounter, at
from tests.fhirapi.conftest import assert_valid

pytestmark = pytest.mark.django_db


def by_type(resources: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["resourceType"] == kind]


@pytest.fixture
def resources(care_manager: User, record: Patient) -> list[dict[str, Any]]:
    return patient_everything_for(care_manager, str(record.pk))


def test_every_resource_of_a_full_record_validates(resources: list[dict[str, Any]]) -> None:
    kinds = {r["resourceType"] for r in resources}
    assert kinds == {
        "Patient",
        "Condition",
        "Encounter",
        "Observation",
        "MedicationRequest",
        "MedicationStatement",
        "Coverage",
        "AllergyIntolerance",
        "Procedure",
        "RelatedPerson",
    }
    for resource in resources:
        assert_valid(resource)


def test_patient_ids_identifiers_and_source_id(resources: list[dict[str, Any]], record: Patient) -> None:
    (patient,) = by_type(resources, "Patient")
    assert patient["id"] == str(record.pk)
    assert patient["meta"]["lastUpdated"] == timezone.localtime(record.updated_at).isoformat(
        timespec="seconds"
    )
    idents = {(i.get("system"), i["value"]) for i in patient["identifier"]}
    assert (serializers.SOURCE_ID, "synthea-7f3a") in idents
    assert ("urn:oid:1.2.3.4", record.mrn) in idents
    medicare = next(i for i in patient["identifier"] if i["value"] == "1EG4TE5MK73")
    assert medicare["type"]["coding"][0]["code"] == "MB"
    assert patient["name"] == [{"use": "official", "family": "Muñoz", "given": ["Rosa"]}]
    assert patient["birthDate"] == "1950-03-04" and patient["gender"] == "female"
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "es"
    assert patient["extension"] == [{"url": serializers.INTERPRETER_REQUIRED, "valueBoolean": True}]


def test_condition_codes_statuses_and_categories(resources: list[dict[str, Any]]) -> None:
    conditions = {c["code"]["coding"][0]["code"]: c for c in by_type(resources, "Condition")}
    hf = conditions["I50.9"]
    assert hf["code"]["coding"][0]["system"] == "http://hl7.org/fhir/sid/icd-10-cm"
    assert hf["category"][0]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
        "code": "encounter-diagnosis",
        "display": "Encounter Diagnosis",
    }
    assert hf["clinicalStatus"]["coding"][0]["code"] == "active"
    assert hf["encounter"]["reference"].startswith("Encounter/")
    assert hf["identifier"] == [{"system": serializers.SOURCE_ID, "value": "cond-1"}]
    htn = conditions["38341003"]
    assert htn["code"]["coding"][0]["system"] == "http://snomed.info/sct"
    assert htn["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert htn["abatementDateTime"] == "2024-01-01"


def test_encounter_class_disposition_and_diagnosis(resources: list[dict[str, Any]]) -> None:
    encounters = {e["class"]["code"]: e for e in by_type(resources, "Encounter")}
    assert set(encounters) == {"IMP", "AMB", "EMER"}
    stay = encounters["IMP"]
    assert stay["class"]["system"] == "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    assert stay["status"] == "finished"
    assert stay["hospitalization"]["dischargeDisposition"]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/discharge-disposition",
        "code": "snf",
    }
    assert stay["hospitalization"]["admitSource"]["coding"][0]["code"] == "emd"
    assert stay["priority"]["coding"][0]["code"] == "EM"
    assert stay["diagnosis"][0]["condition"]["reference"].startswith("Condition/")
    assert stay["diagnosis"][0]["rank"] == 1
    assert stay["serviceProvider"] == {"display": "Springfield General"}
    assert stay["period"]["start"].startswith("2026-10-02T09:00:00")
    # A status outside the value set becomes what the row tells: it ended, so it is finished.
    assert encounters["AMB"]["status"] == "finished"


def test_blood_pressure_is_one_panel_with_components(resources: list[dict[str, Any]]) -> None:
    observations = by_type(resources, "Observation")
    assert len(observations) == 4  # the panel, two HbA1c, one weight: components are not resources
    (bp,) = [o for o in observations if o["code"]["coding"][0]["code"] == "85354-9"]
    assert "valueQuantity" not in bp
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"]) for c in bp["component"]] == [
        ("8480-6", 150.0),
        ("8462-4", 92.0),
    ]
    assert bp["category"][0]["coding"][0]["code"] == "vital-signs"
    high = next(o for o in observations if o.get("interpretation"))
    assert high["interpretation"][0]["coding"][0]["code"] == "H"
    assert high["code"]["coding"][0]["system"] == "http://loinc.org"


def test_medications_by_kind_with_rxnorm(resources: list[dict[str, Any]]) -> None:
    (request,) = by_type(resources, "MedicationRequest")
    assert request["intent"] == "order" and request["status"] == "active"
    assert request["medicationCodeableConcept"]["coding"][0] == {
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
        "code": "860975",
        "display": "Metformin 500 MG Oral Tablet",
    }
    assert request["dosageInstruction"][0]["text"] == "1 tablet twice daily"
    (statement,) = by_type(resources, "MedicationStatement")
    assert statement["status"] == "completed"  # stored "inactive", ended in 2025
    assert statement["effectivePeriod"] == {"start": "2024-01-01", "end": "2025-01-01"}


def test_coverage_allergy_procedure_related_person(resources: list[dict[str, Any]]) -> None:
    (coverage,) = by_type(resources, "Coverage")
    assert coverage["type"]["coding"][0]["code"] == "14"
    assert coverage["payor"] == [{"display": "Commonwealth Care Alliance"}]
    assert coverage["class"][0]["value"] == "One Care"
    (allergy,) = by_type(resources, "AllergyIntolerance")
    assert allergy["criticality"] == "high" and allergy["category"] == ["medication"]
    assert allergy["code"]["coding"][0]["system"] == "http://snomed.info/sct"
    (procedure,) = by_type(resources, "Procedure")
    assert procedure["status"] == "completed" and procedure["performedDateTime"].startswith("2026-10-03")
    (person,) = by_type(resources, "RelatedPerson")
    assert person["relationship"][0]["coding"][0]["code"] == "DAU"
    assert person["patient"]["reference"].startswith("Patient/")


def test_unusual_rows_still_validate(record: Patient) -> None:
    odd = add_encounter(
        record, Encounter.Class.OTHER, "2026-11-20", None, status="", discharge_disposition="01"
    )
    rendered = serializers.encounter(odd, {})
    assert rendered["status"] == "in-progress" and rendered["class"]["code"] == "OTH"
    assert (
        rendered["hospitalization"]["dischargeDisposition"]["coding"][0]["system"]
        == serializers.NUBC_DISCHARGE
    )
    assert_valid(rendered)
    condition = Condition.objects.create(
        patient=record,
        system="other",
        code="X1",
        clinical_status="",
        verification_status="entered-in-error",
        abatement_date=dt.date(2020, 1, 1),
    )
    rendered = serializers.condition(condition)
    assert "clinicalStatus" not in rendered  # con-5
    assert rendered["code"]["coding"] == [{"code": "X1"}]
    assert_valid(rendered)
    text_only = Observation.objects.create(
        patient=record, loinc="72166-2", value_text="Never smoker", effective=at("2026-01-01")
    )
    assert serializers.observation(text_only, [])["valueString"] == "Never smoker"
    unknown_status = Medication.objects.create(patient=record, display="Lisinopril", status="unknown")
    assert serializers.medication(unknown_status, dt.date(2026, 11, 24))["status"] == "active"


SYNTHEA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "synthea-bulk-10"


def _imported(org: Organization, source: Path) -> list[Patient]:
    run = import_paths([source], organization=org, progress=False, workers=1)
    assert run.status == "completed"
    return list(Patient.objects.filter(organization=org))


def _everything_validates(user: User, patients: list[Patient]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for p in patients:
        for resource in patient_everything_for(user, str(p.pk)):
            assert_valid(resource)
            kinds[resource["resourceType"]] += 1
    return kinds


def test_imported_synthea_records_validate(org: Organization, care_manager: User) -> None:
    """Real external data (a Synthea bulk export, SNOMED-coded) comes back out as valid R4."""
    if not SYNTHEA.is_dir():
        pytest.skip(f"{SYNTHEA} is not present")
    kinds = _everything_validates(care_manager, _imported(org, SYNTHEA))
    assert kinds["Patient"] == 13 and kinds["Condition"] > 500 and kinds["MedicationRequest"] > 1000


def test_imported_synthetic_population_validates(
    org: Organization, care_manager: User, tmp_path: Path
) -> None:
    """carenav's generator writes admissions, BP panels, coverage and caregivers: all validate on the way out."""
    generate(tmp_path, patients=8, seed=5, as_of=dt.date(2026, 11, 1), workers=1)
    kinds = _everything_validates(care_manager, _imported(org, tmp_path))
    assert kinds["Patient"] == 8 and kinds["Observation"] > 0 and kinds["Coverage"] > 0
