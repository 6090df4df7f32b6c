import pytest

from carenav.audit.models import AuditEvent
from carenav.audit.selectors import patient_access_history
from carenav.core.errors import PermissionDenied
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_view_records_who_what_when_where(care_manager, patient) -> None:
    login(care_manager).get(
        f"/patients/{patient.pk}/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest-agent"
    )
    event = AuditEvent.objects.get(action="patient.view", patient_id=patient.pk)
    assert event.actor == care_manager
    assert event.organization_id == care_manager.organization_id
    assert event.ip_address == "10.1.2.3" and event.user_agent == "pytest-agent"
    assert event.channel == "web" and event.outcome == "allowed"


def test_audit_records_cannot_be_changed_or_deleted(care_manager, patient) -> None:
    login(care_manager).get(f"/patients/{patient.pk}/")
    event = AuditEvent.objects.first()
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="tampered")


def test_admin_offers_no_change_or_delete(org_admin, patient) -> None:
    client = login(org_admin)
    client.get(f"/patients/{patient.pk}/")
    event = AuditEvent.objects.filter(patient_id=patient.pk).first()
    page = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and b"Save" not in page.content
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_auditor_lists_access_history_and_care_manager_may_not(
    auditor, care_manager, other_care_manager, patient
) -> None:
    login(care_manager).get(f"/patients/{patient.pk}/")
    login(other_care_manager).get(f"/patients/{patient.pk}/")
    page = login(auditor).get(f"/patients/{patient.pk}/access-log/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "nina" in body and "omar" in body and "Not found" in body
    history = patient_access_history(auditor, patient_id=patient.pk)
    assert {e.actor_username for e in history} >= {"nina", "omar", "audrey"}
    with pytest.raises(PermissionDenied):
        patient_access_history(care_manager, patient_id=patient.pk)
    assert login(care_manager).get(f"/patients/{patient.pk}/access-log/").status_code == 403
