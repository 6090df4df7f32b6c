"""The FHIR REST interface through a real FHIR client (fhirpy) against a live server."""

from typing import Any

import pytest
import requests
from django.test import Client
from fhirpy.base.exceptions import AuthorizationError, OperationOutcome, ResourceNotFound

from carenav.accounts.models import User
from carenav.accounts.services import api_token_create
from carenav.audit.models import AuditEvent
from carenav.patients.models import Condition, Patient
from tests.conftest import login, token_headers
from tests.factories import make_patient
from tests.fhirapi.conftest import MEDICARE_ID, assert_valid

pytestmark = pytest.mark.django_db(transaction=True)


def test_metadata_is_public_and_lists_what_is_supported(live_server: Any) -> None:
    response = requests.get(f"{live_server.url}/fhir/metadata", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    statement = response.json()
    assert_valid(statement)
    assert statement["fhirVersion"] == "4.0.1"
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert "Patient" in resources and "QuestionnaireResponse" in resources
    assert {p["name"] for p in resources["Patient"]["searchParam"]} == {
        "_id",
        "name",
        "family",
        "given",
        "birthdate",
        "identifier",
        "gender",
    }
    assert {p["name"] for p in resources["Encounter"]["searchParam"]} >= {"patient", "class", "date"}


def test_read_a_patient(fhir: Any, record: Patient) -> None:
    patient = fhir.reference("Patient", str(record.pk)).to_resource()
    assert patient["name"][0]["family"] == "Muñoz"
    assert_valid(patient.serialize())


def test_search_patients_by_name_birthdate_and_identifier(fhir: Any, record: Patient, org: Any) -> None:
    make_patient(org, family_name="Munroe", given_name="Ana")
    make_patient(org, family_name="Smith", given_name="Rosalind", birth_date=None)
    assert {p["name"][0]["family"] for p in fhir.resources("Patient").search(name="mun").fetch()} == {
        "Muñoz",
        "Munroe",
    }
    assert [p.id for p in fhir.resources("Patient").search(family="muñoz", given="ros").fetch()] == [
        str(record.pk)
    ]
    assert len(fhir.resources("Patient").search(name="ros").fetch()) == 2
    assert len(fhir.resources("Patient").search(birthdate="1950-03-04").fetch()) == 2
    assert len(fhir.resources("Patient").search(birthdate="1950").fetch()) == 2
    assert fhir.resources("Patient").search(birthdate="gt1950-03-04").fetch() == []
    by_medicare = fhir.resources("Patient").search(identifier=f"{MEDICARE_ID}|1EG4TE5MK73").fetch()
    assert [p.id for p in by_medicare] == [str(record.pk)]
    assert [p.id for p in fhir.resources("Patient").search(identifier=record.mrn).fetch()] == [str(record.pk)]
    assert fhir.resources("Patient").search(identifier="http://other.example|1EG4TE5MK73").fetch() == []


def test_clinical_searches_by_patient_code_and_date(fhir: Any, record: Patient) -> None:
    conditions = fhir.resources("Condition").search(patient=f"Patient/{record.pk}").fetch()
    assert len(conditions) == 3
    icd = (
        fhir.resources("Condition")
        .search(patient=record.pk, code="http://hl7.org/fhir/sid/icd-10-cm|E11.9")
        .fetch()
    )
    assert [c["code"]["coding"][0]["code"] for c in icd] == ["E11.9"]
    assert (
        fhir.resources("Condition").search(subject=record.pk, code="http://snomed.info/sct|E11.9").fetch()
        == []
    )
    active = fhir.resources("Condition").search(patient=record.pk, **{"clinical-status": "active"}).fetch()
    assert len(active) == 2
    problems = fhir.resources("Condition").search(patient=record.pk, category="problem-list-item").fetch()
    assert len(problems) == 2
    a1c = fhir.resources("Observation").search(patient=record.pk, code="http://loinc.org|4548-4").fetch()
    assert sorted(o["valueQuantity"]["value"] for o in a1c) == [7.9, 8.4]
    recent = (
        fhir.resources("Observation").search(patient=record.pk, code="4548-4", date="ge2026-10-01").fetch()
    )
    assert [o["valueQuantity"]["value"] for o in recent] == [7.9]
    vitals = fhir.resources("Observation").search(patient=record.pk, category="vital-signs").fetch()
    assert len(vitals) == 2
    inpatient = fhir.resources("Encounter").search(patient=record.pk, **{"class": "IMP"}).fetch()
    assert len(inpatient) == 1
    this_year = (
        fhir.resources("Encounter")
        .search(patient=record.pk)
        .search(date="ge2026-01-01")
        .search(date="le2026-12-31")
    )
    assert this_year.count() == 2
    for kind in (
        "MedicationRequest",
        "MedicationStatement",
        "Coverage",
        "AllergyIntolerance",
        "Procedure",
        "RelatedPerson",
    ):
        (resource,) = fhir.resources(kind).search(patient=record.pk).fetch()
        assert_valid(resource.serialize())


def test_paging_follows_next_links(fhir: Any, org: Any) -> None:
    for n in range(7):
        make_patient(org, family_name=f"Pager{n}", given_name="Test")
    first = fhir.resources("Patient").search(family="pager").limit(3)
    bundle = fhir.execute("Patient", method="get", params={"family": "pager", "_count": "3"})
    assert bundle["total"] == 7 and len(bundle["entry"]) == 3
    relations = {link["relation"] for link in bundle["link"]}
    assert relations == {"self", "next"}
    everyone = first.fetch_all()
    assert [p["name"][0]["family"] for p in everyone] == [f"Pager{n}" for n in range(7)]
    assert first.count() == 7


def test_other_organizations_patient_is_not_found(
    fhir: Any, other_patient: Patient, care_manager: User
) -> None:
    with pytest.raises(ResourceNotFound) as raised:
        fhir.reference("Patient", str(other_patient.pk)).to_resource()
    assert '"OperationOutcome"' in str(raised.value)
    condition = Condition.objects.create(patient=other_patient, system="icd10cm", code="I10")
    with pytest.raises(ResourceNotFound):
        fhir.reference("Condition", str(condition.pk)).to_resource()
    assert fhir.resources("Condition").search(patient=other_patient.pk).fetch() == []
    denied = AuditEvent.objects.filter(actor=care_manager, outcome=AuditEvent.Outcome.NOT_FOUND)
    assert denied.count() == 2


def test_missing_or_bad_token_is_401(client_for: Any, record: Patient) -> None:
    with pytest.raises(AuthorizationError):
        client_for(None).resources("Patient").fetch()
    with pytest.raises(AuthorizationError):
        client_for("cn_not-a-token").reference("Patient", str(record.pk)).to_resource()


def test_unknown_search_parameter_is_400_naming_it(fhir: Any, record: Patient) -> None:
    with pytest.raises(OperationOutcome) as raised:
        fhir.resources("Patient").search(nickname="rosie").fetch()
    assert "nickname" in str(raised.value)
    with pytest.raises(OperationOutcome) as raised:
        fhir.resources("Condition").search(**{"code:text": "heart"}).fetch()
    assert "code:text" in str(raised.value)
    with pytest.raises(OperationOutcome):
        fhir.resources("Observation").search(date="ne2026-01-01").fetch()


def test_unknown_type_is_404(fhir: Any, live_server: Any, token: str) -> None:
    with pytest.raises(ResourceNotFound):
        fhir.resources("Basic").fetch()
    response = requests.get(
        f"{live_server.url}/fhir/Patient",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
        params={"_id": "0"},
    )
    assert response.status_code == 200 and response.json()["total"] == 0
    posted = requests.post(
        f"{live_server.url}/fhir/Patient", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert posted.status_code == 405 and posted.json()["resourceType"] == "OperationOutcome"


def test_reads_and_searches_are_audited(fhir: Any, record: Patient, care_manager: User) -> None:
    fhir.reference("Patient", str(record.pk)).to_resource()
    fhir.resources("Observation").search(patient=record.pk, code="4548-4").fetch()
    read = AuditEvent.objects.get(actor=care_manager, action="fhir.read")
    assert (
        read.patient_id == record.pk and read.channel == "api" and read.path == f"/fhir/Patient/{record.pk}"
    )
    search = AuditEvent.objects.get(actor=care_manager, action="fhir.search")
    assert search.object_type == "Observation" and search.patient_id == record.pk
    assert search.detail["patient_ids"] == [record.pk] and search.detail["total"] == 2
    assert ["code", "4548-4"] in search.detail["query"]


def test_patient_everything(fhir: Any, record: Patient, live_server: Any, token: str) -> None:
    response = requests.get(
        f"{live_server.url}/fhir/Patient/{record.pk}/$everything",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    bundle = response.json()
    assert_valid(bundle)
    assert (
        bundle["total"] == len(bundle["entry"]) == 17
    )  # patient, 3 conditions, 3 encounters, 4 observations, 6 others
    assert bundle["entry"][0]["resource"]["resourceType"] == "Patient"


def test_session_and_api_key_header_also_authenticate(care_manager: User, record: Patient) -> None:
    response = login(care_manager).get(f"/fhir/Patient/{record.pk}")
    assert response.status_code == 200 and response.json()["id"] == str(record.pk)
    key = api_token_create(actor=care_manager, name="header")[1]
    response = Client().get("/fhir/Condition", {"patient": record.pk}, HTTP_X_API_KEY=key)
    assert response.status_code == 200 and response.json()["total"] == 3


def test_search_request_query_count_does_not_grow_with_the_page(
    care_manager: User, org: Any, django_assert_max_num_queries: Any
) -> None:
    headers = token_headers(care_manager)
    for n in range(3):
        make_patient(org, family_name=f"Count{n}")
    with django_assert_max_num_queries(8) as small:
        assert Client().get("/fhir/Patient", {"family": "count"}, **headers).json()["total"] == 3
    for n in range(3, 40):
        make_patient(org, family_name=f"Count{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        bundle = Client().get("/fhir/Patient", {"family": "count", "_count": "40"}, **headers).json()
    assert bundle["total"] == 40 and len(bundle["entry"]) == 40
