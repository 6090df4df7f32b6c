"""The persona matrix: who may see which patient, in the UI, the API and the admin."""

import pytest
from django.test import Client

from carenav.audit.models import AuditEvent
from tests.conftest import login, token_headers

pytestmark = pytest.mark.django_db

PERSONAS = ["care_manager", "supervisor", "org_admin", "auditor", "other_care_manager"]
SAME_ORG = {"care_manager", "supervisor", "org_admin", "auditor"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_chart_page_is_visible_only_inside_the_organization(request, persona, patient) -> None:
    user = request.getfixturevalue(persona)
    response = login(user).get(f"/patients/{patient.pk}/")
    assert response.status_code == (200 if persona in SAME_ORG else 404)
    outcome = AuditEvent.Outcome.ALLOWED if persona in SAME_ORG else AuditEvent.Outcome.NOT_FOUND
    assert AuditEvent.objects.filter(
        actor=user, patient_id=patient.pk, action="patient.view", outcome=outcome
    ).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_detail_is_visible_only_inside_the_organization(request, persona, patient) -> None:
    user = request.getfixturevalue(persona)
    response = Client().get(f"/api/patients/{patient.pk}", **token_headers(user))
    assert response.status_code == (200 if persona in SAME_ORG else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_only_own_organization(request, persona, patient, other_patient) -> None:
    user = request.getfixturevalue(persona)
    body = login(user).get("/patients/").content.decode()
    assert ("Muñoz" in body) == (persona in SAME_ORG)
    assert ("Elsewhere" in body) == (persona == "other_care_manager")


def test_anonymous_is_sent_to_login_and_api_says_401(patient) -> None:
    response = Client().get(f"/patients/{patient.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = Client().get(f"/api/patients/{patient.pk}")
    assert response.status_code == 401
    assert "Authentication" in response.json()["detail"]


def test_admin_hides_other_organizations_patients(org_admin, patient, other_patient) -> None:
    client = login(org_admin)
    assert client.get(f"/admin/patients/patient/{patient.pk}/change/").status_code == 200
    assert client.get(f"/admin/patients/patient/{other_patient.pk}/change/").status_code == 404
    listing = client.get("/admin/patients/patient/").content.decode()
    assert "Muñoz" in listing and "Elsewhere" not in listing
    assert AuditEvent.objects.filter(actor=org_admin, patient_id=patient.pk, channel="admin").exists()
    assert AuditEvent.objects.filter(
        actor=org_admin, patient_id=other_patient.pk, outcome=AuditEvent.Outcome.NOT_FOUND
    ).exists()


def test_care_manager_cannot_use_the_admin(care_manager, patient) -> None:
    response = login(care_manager).get(f"/admin/patients/patient/{patient.pk}/change/")
    assert response.status_code == 302  # to the admin login: not staff
