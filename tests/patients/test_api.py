import pytest
from django.test import Client

from carenav.accounts.models import ApiToken
from tests.conftest import login, token_headers
from tests.factories import add_condition, make_patient

pytestmark = pytest.mark.django_db


def test_list_is_paged_and_searchable(care_manager, org) -> None:
    for i in range(60):
        make_patient(org, family_name=f"Page{i:02d}")
    headers = token_headers(care_manager)
    first = Client().get("/api/patients", **headers).json()
    assert first["count"] == 60 and len(first["items"]) == 50
    second = Client().get("/api/patients?page=2", **headers).json()
    assert len(second["items"]) == 10
    found = Client().get("/api/patients?q=page05", **headers).json()
    assert [p["family_name"] for p in found["items"]] == ["Page05"]


def test_detail_has_the_chart(care_manager, patient) -> None:
    add_condition(patient, "I50.22", display="Chronic systolic heart failure")
    body = Client().get(f"/api/patients/{patient.pk}", **token_headers(care_manager)).json()
    assert body["family_name"] == "Muñoz"
    assert body["preferred_language"] == "es"
    assert body["problems"][0]["code"] == "I50.22"


def test_malformed_requests_name_the_field(care_manager, patient) -> None:
    headers = token_headers(care_manager)
    response = Client().get("/api/patients/not-a-number", **headers)
    assert response.status_code in (404, 422)
    response = Client().get("/api/patients?page=zero", **headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page"
    response = Client().post("/api/account/tokens", data="{}", content_type="application/json", **headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"
    response = Client().post(
        "/api/account/tokens", data="{not json", content_type="application/json", **headers
    )
    assert 400 <= response.status_code < 500


def test_unknown_route_is_404(care_manager) -> None:
    assert Client().get("/api/nothing-here", **token_headers(care_manager)).status_code == 404
    assert login(care_manager).get("/nothing-here/").status_code == 404


def test_tokens_are_stored_hashed_and_can_be_revoked(care_manager, patient) -> None:
    session = login(care_manager)
    created = session.post("/api/account/tokens", data={"name": "export"}, content_type="application/json")
    assert created.status_code == 201
    key = created.json()["key"]
    token = ApiToken.objects.get(pk=created.json()["id"])
    assert key not in (token.key_digest, token.key_prefix) and token.key_digest == ApiToken.digest(key)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get(f"/api/patients/{patient.pk}", **headers).status_code == 200
    assert Client().get(f"/api/patients/{patient.pk}", HTTP_X_API_KEY=key).status_code == 200
    assert session.delete(f"/api/account/tokens/{token.pk}").status_code == 200
    assert Client().get(f"/api/patients/{patient.pk}", **headers).status_code == 401


def test_session_writes_need_csrf(care_manager) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(care_manager)
    response = client.post("/api/account/tokens", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_openapi_document_and_docs(care_manager) -> None:
    spec = Client().get("/api/openapi.json").json()
    assert "/api/patients/{patient_id}" in spec["paths"]
    assert login(care_manager).get("/api/docs").status_code == 200


def test_another_users_token_cannot_be_revoked(care_manager, supervisor) -> None:
    session = login(care_manager)
    token_id = session.post(
        "/api/account/tokens", data={"name": "mine"}, content_type="application/json"
    ).json()["id"]
    response = login(supervisor).delete(f"/api/account/tokens/{token_id}")
    assert response.status_code == 404
