"""Mapping details that the end-to-end tests do not pin down (Django-free)."""

from zoneinfo import ZoneInfo

import pytest

from carenav.interop.mapping import (
    Mapper,
    MappingError,
    Times,
    coverage_kind,
    normalize_reference,
    resource_id,
)

NEW_YORK = ZoneInfo("America/New_York")


def test_times_are_stored_in_utc_and_dates_as_written() -> None:
    times = Times(NEW_YORK)
    assert times.datetime("2026-03-04T09:03:00Z") == "2026-03-04 09:03:00"
    assert times.datetime("1989-10-04T02:25:16-04:00") == "1989-10-04 06:25:16"
    assert times.datetime("2026-03-04T12:45:02.832395Z") == "2026-03-04 12:45:02.832395"
    assert times.datetime("2026-01-15") == "2026-01-15 05:00:00"  # local midnight
    assert times.datetime("2026-07") == "2026-07-01 04:00:00"
    assert times.date("1976-01-19T22:58:16-05:00") == "1976-01-19"
    assert (times.date("2019"), times.date("2019-05"), times.date(None)) == ("2019-01-01", "2019-05-01", None)


def test_references_are_normalized_for_resolution() -> None:
    index = {"urn:uuid:abc": "Patient/abc"}
    assert normalize_reference({"reference": "urn:uuid:abc"}, index) == "Patient/abc"
    assert normalize_reference({"reference": "urn:uuid:other"}, index) == "urn:uuid:other"
    assert normalize_reference("https://ehr.example.org/fhir/Patient/7/_history/3") == "Patient/7"
    assert normalize_reference("Patient?identifier=http://x%7C42") == "Patient?identifier=http://x|42"
    assert normalize_reference({"display": "no reference"}) is None
    assert normalize_reference("#med1") is None


def test_ids_come_from_the_resource_then_the_entry() -> None:
    assert resource_id({"id": "x"}, "urn:uuid:y") == "x"
    assert resource_id({}, "urn:uuid:y") == "y"
    assert resource_id({}, "https://ehr.example.org/fhir/Patient/9") == "9"
    assert resource_id({}, None, "Patient/12") == "12"
    with pytest.raises(MappingError, match="no id"):
        resource_id({"resourceType": "Patient"}, None, "Patient?identifier=a|b")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("medicare part b", "medicare"),
        ("humana medicare advantage hmo", "medicare_advantage"),
        ("medicare medicaid dual eligible", "dual"),
        ("chip state-chip", "medicaid"),
        ("blue cross ppo", "commercial"),
        ("self-pay", "self_pay"),
        ("workers compensation", "other"),
    ],
)
def test_coverage_kind(text: str, kind: str) -> None:
    assert coverage_kind(text) == kind


def test_encounter_class_priority_and_hospitalization() -> None:
    mapped = Mapper(NEW_YORK).encounter(
        {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"code": "EMER"},
            "priority": {"coding": [{"code": "EM"}]},
            "subject": {"reference": "Patient/p"},
            "period": {"start": "2026-01-01T10:00:00Z"},
            "hospitalization": {"dischargeDisposition": {"coding": [{"code": "home"}]}},
            "serviceProvider": {"display": "General Hospital"},
            "reasonCode": [{"coding": [{"code": "R55", "display": "Syncope"}]}],
        },
        "e1",
        None,
    )
    row = mapped.row
    assert (row["encounter_class"], row["priority"], row["discharge_disposition"]) == (
        "emergency",
        "emergency",
        "home",
    )
    assert (row["facility"], row["reason_code"], row["reason_display"], row["end"]) == (
        "General Hospital",
        "R55",
        "Syncope",
        None,
    )
    with pytest.raises(MappingError) as excinfo:
        Mapper(NEW_YORK).encounter(
            {"resourceType": "Encounter", "subject": {"reference": "Patient/p"}}, "e2", None
        )
    assert excinfo.value.path == "Encounter.period.start"


def test_condition_prefers_icd10cm_then_snomed() -> None:
    concept = {
        "coding": [
            {"system": "http://snomed.info/sct", "code": "44054006", "display": "Diabetes type 2"},
            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9", "display": "Type 2 DM"},
        ]
    }
    resource = {"resourceType": "Condition", "subject": {"reference": "Patient/p"}, "code": concept}
    row = Mapper(NEW_YORK).condition(resource, "c1", None).row
    assert (row["system"], row["code"], row["display"]) == ("icd10cm", "E11.9", "Type 2 DM")


def test_a_subject_that_is_not_a_patient_is_refused() -> None:
    resource = {"resourceType": "Condition", "subject": {"reference": "Group/g"}, "code": {"text": "x"}}
    with pytest.raises(MappingError, match="Group/g is not a Patient"):
        Mapper(NEW_YORK).map({**resource, "code": {"coding": [{"code": "1"}]}}, "c1")


def test_explanation_of_benefit_totals_and_diagnoses() -> None:
    eob = {
        "resourceType": "ExplanationOfBenefit",
        "status": "active",
        "type": {"coding": [{"code": "institutional"}]},
        "patient": {"reference": "Patient/p"},
        "billablePeriod": {"start": "2026-02-01", "end": "2026-02-05"},
        "item": [{"encounter": [{"reference": "Encounter/e1"}]}],
        "total": [
            {"category": {"coding": [{"code": "benefit"}]}, "amount": {"value": 900, "currency": "USD"}},
            {"category": {"coding": [{"code": "submitted"}]}, "amount": {"value": 1234.5, "currency": "USD"}},
        ],
        "diagnosis": [
            {
                "sequence": 1,
                "diagnosisCodeableConcept": {
                    "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I50.9"}]
                },
            },
            {"sequence": 2, "diagnosisReference": {"reference": "Condition/c7"}},
        ],
    }
    mapped = Mapper(NEW_YORK).map(eob, "x1")
    assert mapped is not None
    assert mapped.sid == "ExplanationOfBenefit/x1" and mapped.encounter_ref == "Encounter/e1"
    assert (mapped.row["total"], mapped.row["service_start"], mapped.row["service_end"]) == (
        "1234.50",
        "2026-02-01",
        "2026-02-05",
    )
    assert mapped.row["diagnoses"] == [{"system": "icd10cm", "code": "I50.9", "sequence": 1}]
    assert mapped.condition_refs == [("Condition/c7", 2)]


def test_unmapped_types_return_none() -> None:
    assert Mapper(NEW_YORK).map({"resourceType": "Immunization"}, "i1") is None
