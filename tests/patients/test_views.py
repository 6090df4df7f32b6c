import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login
from tests.factories import add_condition, make_patient

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_page_query_count_is_constant(care_manager, org) -> None:
    client = login(care_manager)
    make_patient(org)
    few = _queries(client, "/patients/")
    for _ in range(60):
        add_condition(make_patient(org), "E11.9")
    assert _queries(client, "/patients/") == few
    assert _queries(client, "/patients/?page=3") == few


def test_list_search_returns_a_fragment_for_htmx(care_manager, org) -> None:
    make_patient(org, family_name="Fragmentson")
    response = login(care_manager).get("/patients/?q=fragm", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Fragmentson" in body and "<html" not in body


def test_chart_shows_sections(care_manager, patient) -> None:
    add_condition(patient, "E11.9", display="Type 2 diabetes mellitus without complications")
    body = login(care_manager).get(f"/patients/{patient.pk}/").content.decode()
    for section in (
        "Active problems",
        "Recent encounters",
        "Active medications",
        "Latest vital signs",
        "Latest labs",
        "Caregivers",
        "Coverage",
        "Identifiers",
    ):
        assert section in body
    assert "Type 2 diabetes" in body
    assert "No informal caregiver recorded" in body


def test_tokens_page_creates_and_revokes(care_manager) -> None:
    client = login(care_manager)
    body = client.post("/account/tokens/", {"name": "script", "action": "create"}).content.decode()
    assert "Your new key" in body and "cn_" in body
    token = care_manager.api_tokens.get()
    client.post("/account/tokens/", {"action": "revoke", "token_id": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        "Give the token a name"
        in client.post("/account/tokens/", {"name": " ", "action": "create"}).content.decode()
    )
