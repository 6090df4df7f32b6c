"""The compact validator agrees with fhir.resources (pydantic, R4B classes) on valid and broken resources."""

import copy
import importlib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pydantic
import pytest

from carenav.interop.fhirspec import reference_type_error, type_spec, validate_resource
from tests.interop.conftest import read_ndjson

PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "p1",
    "identifier": [{"system": "http://example.org/mrn", "value": "M1"}],
    "name": [{"family": "Muñoz", "given": ["Rosa"], "_given": [{"extension": []}]}],
    "gender": "female",
    "birthDate": "1948-02-29",
    "extension": [{"url": "http://example.org/x", "valueBoolean": True}],
}
ENCOUNTER: dict[str, Any] = {
    "resourceType": "Encounter",
    "id": "e1",
    "status": "finished",
    "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
    "subject": {"reference": "Patient/p1"},
    "period": {"start": "2026-10-01T08:00:00-04:00", "end": "2026-10-05"},
}
OBSERVATION: dict[str, Any] = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
    "subject": {"reference": "Patient/p1"},
    "effectiveDateTime": "2026-10-01T08:00:00Z",
    "component": [
        {"code": {"text": "systolic"}, "valueQuantity": {"value": 150, "unit": "mm[Hg]"}},
        {"code": {"text": "diastolic"}, "valueQuantity": {"value": 90.5, "unit": "mm[Hg]"}},
    ],
}
MEDICATION_REQUEST: dict[str, Any] = {
    "resourceType": "MedicationRequest",
    "status": "active",
    "intent": "order",
    "medicationCodeableConcept": {"text": "metformin"},
    "subject": {"reference": "Patient/p1"},
}


def broken(base: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A copy of `base` with the element at `path` set to `value` (or removed, for `...`)."""
    resource = copy.deepcopy(base)
    node = resource
    for step in path[:-1]:
        node = node[step]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return resource


# (resource, the FHIR path we report, words of our reason)
BROKEN = [
    pytest.param(broken(ENCOUNTER, ("status",), ...), "Encounter.status", "required", id="missing-required"),
    pytest.param(
        broken(MEDICATION_REQUEST, ("medicationCodeableConcept",), ...),
        "MedicationRequest.medication[x]",
        "required",
        id="missing-required-choice",
    ),
    pytest.param(
        broken(PATIENT, ("name",), "Rosa"), "Patient.name", "must be an array", id="wrong-type-array"
    ),
    pytest.param(
        broken(PATIENT, ("birthDate",), 19480229),
        "Patient.birthDate",
        "must be a string",
        id="wrong-type-number",
    ),
    pytest.param(
        broken(PATIENT, ("name", 0, "family"), ["Muñoz"]),
        "Patient.name[0].family",
        "not an array",
        id="wrong-type-list",
    ),
    pytest.param(
        broken(PATIENT, ("birthDate",), "1948-02-30"), "Patient.birthDate", "calendar date", id="bad-date-day"
    ),
    pytest.param(
        broken(PATIENT, ("birthDate",), "29/02/1948"),
        "Patient.birthDate",
        "not a valid date",
        id="bad-date-format",
    ),
    pytest.param(
        broken(ENCOUNTER, ("period", "start"), "2026-10-01T08:00:00"),
        "Encounter.period.start",
        "time zone",
        id="datetime-without-zone",
    ),
    pytest.param(
        broken(PATIENT, ("nickname",), "Rosie"), "Patient.nickname", "unknown element", id="unknown-element"
    ),
    pytest.param(
        broken(ENCOUNTER, ("class", "colour"), "red"),
        "Encounter.class.colour",
        "unknown element",
        id="unknown-nested-element",
    ),
    pytest.param(
        broken(ENCOUNTER, ("status",), "in progress  now"),
        "Encounter.status",
        "not a valid code",
        id="bad-code-format",
    ),
    pytest.param(broken(PATIENT, ("gender",), ""), "Patient.gender", "not a valid code", id="empty-code"),
    pytest.param(broken(PATIENT, ("id",), "p 1"), "Patient.id", "not a valid id", id="bad-id"),
    pytest.param(
        broken(PATIENT, ("extension", 0, "url"), ...),
        "Patient.extension[0].url",
        "required",
        id="extension-without-url",
    ),
    pytest.param(
        broken(OBSERVATION, ("valueString",), "high"),
        "Observation.valueString",
        "",
        id="valid-choice-control",
    ),
    pytest.param(
        broken(broken(OBSERVATION, ("valueString",), "high"), ("valueBoolean",), True),
        "Observation.valueBoolean",
        "only one of value[x]",
        id="two-choices",
    ),
    pytest.param(
        broken(PATIENT, ("name", 0, "given"), [""]), "Patient.name[0].given[0]", "empty", id="empty-string"
    ),
]


def pydantic_errors(resource: dict[str, Any]) -> list[Any]:
    module = importlib.import_module(f"fhir.resources.R4B.{resource['resourceType'].lower()}")
    try:
        getattr(module, resource["resourceType"]).model_validate(resource)
    except pydantic.ValidationError as exc:
        return exc.errors()
    return []


@pytest.mark.parametrize("resource", [PATIENT, ENCOUNTER, OBSERVATION, MEDICATION_REQUEST])
def test_valid_resources_pass_both(resource: dict[str, Any]) -> None:
    assert pydantic_errors(resource) == []
    assert validate_resource(resource) == []


@pytest.mark.parametrize(("resource", "path", "reason"), BROKEN)
def test_broken_resources_fail_both_and_we_name_the_path(
    resource: dict[str, Any], path: str, reason: str
) -> None:
    ours = validate_resource(resource)
    theirs = pydantic_errors(resource)
    if not reason:  # the control case: one choice is fine
        assert ours == theirs == []
        return
    assert theirs, "fhir.resources accepted it"
    assert any(p == path and reason in r for p, r in ours), ours


def test_agreement_on_real_synthea_resources(synthea_dir: Path) -> None:
    for path in sorted(synthea_dir.glob("*.ndjson.gz")):
        for resource in read_ndjson(path)[:25]:
            assert validate_resource(resource) == [] == pydantic_errors(resource), resource["id"]


def test_agreement_on_clinosim_sample_valid_and_invalid() -> None:
    sample = Path(__file__).parent / "data" / "clinosim"
    checked = {True: 0, False: 0}
    for path in sorted(sample.glob("*.ndjson.gz")):
        for resource in read_ndjson(path)[:40]:
            ours_ok = validate_resource(resource) == []
            theirs_ok = pydantic_errors(resource) == []
            # the one thing we check that fhir.resources does not: a reference's target type
            wrong_target = any("not an allowed target" in r for _, r in validate_resource(resource))
            assert ours_ok == theirs_ok or (wrong_target and theirs_ok), resource["id"]
            checked[ours_ok] += 1
    assert checked[True] > 300 and checked[False] >= 10


def test_beyond_fhir_resources_reference_targets_and_null() -> None:
    wrong_target = broken(ENCOUNTER, ("subject",), {"reference": "Practitioner/d1"})
    assert pydantic_errors(wrong_target) == []
    assert validate_resource(wrong_target) == [
        (
            "Encounter.subject.reference",
            "Practitioner is not an allowed target here (allowed: Group, Patient)",
        )
    ]
    assert validate_resource(broken(PATIENT, ("gender",), None)) == [
        ("Patient.gender", "null is not allowed")
    ]


def test_reference_forms() -> None:
    allowed = frozenset({"Patient"})
    assert reference_type_error("Patient/1", allowed) is None
    assert reference_type_error("https://ehr.example.org/fhir/Patient/1/_history/2", allowed) is None
    assert reference_type_error("Patient?identifier=http://x|1", allowed) is None
    assert reference_type_error("urn:uuid:1f0e", allowed) is None
    assert reference_type_error("#contained", allowed) is None
    assert "not an allowed target" in (reference_type_error("Location/1", allowed) or "")
    assert "does not name a FHIR resource type" in (reference_type_error("Frog/1", allowed) or "")


def test_spec_is_read_from_the_model_metadata() -> None:
    spec = type_spec("Encounter")
    assert "class" in spec.fields and "class_fhir" not in spec.fields
    assert set(spec.required) == {"status", "class"}
    assert spec.fields["subject"].ref_types == frozenset({"Patient", "Group"})
    assert spec.fields["identifier"].is_list and not spec.fields["period"].is_list
    assert type_spec("MedicationRequest").required_choices == ("medication",)
    assert validate_resource({"resourceType": "Frog"}) == [("resourceType", "unknown resourceType 'Frog'")]


def test_derived_specs_are_cached_on_disk_per_fhir_resources_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carenav.interop import fhirspec

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(fhirspec, "_specs", {})
    monkeypatch.setattr(fhirspec, "_disk", None)
    built = type_spec("Encounter")
    assert fhirspec.cache_file().parent == tmp_path / "carenav"
    assert (
        version("fhir.resources") in fhirspec.cache_file().name
        and "Encounter" in fhirspec.cache_file().read_text()
    )
    monkeypatch.setattr(fhirspec, "_specs", {})
    monkeypatch.setattr(fhirspec, "_disk", None)
    assert type_spec("Encounter") == built
    assert not fhirspec.is_resource_type("Period") and not fhirspec.is_resource_type("http:")
