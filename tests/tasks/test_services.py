"""Task services: create within the organization, transitions as data, every write audited."""

import datetime as dt

import pytest

from carenav.audit.models import AuditEvent
from carenav.core.errors import Conflict, DomainError, PermissionDenied
from carenav.tasks.models import Task
from carenav.tasks.services import TRANSITIONS, task_create, task_transition

pytestmark = pytest.mark.django_db
DUE = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def test_create_is_audited(care_manager, supervisor, patient) -> None:  # type: ignore[no-untyped-def]
    task = task_create(
        actor=supervisor,
        patient=patient,
        title="Call back",
        reason="Missed call",
        due_at=DUE,
        priority="high",
        assigned_to=care_manager,
        source="manual",
    )
    assert (task.organization_id, task.status, task.priority, task.assigned_to) == (
        patient.organization_id,
        "open",
        "high",
        care_manager,
    )
    event = AuditEvent.objects.get(action="task.create")
    assert event.patient_id == patient.pk and event.detail["assigned_to"] == care_manager.pk


def test_create_refuses_other_organizations_and_bad_priority(
    care_manager, auditor, other_care_manager, patient
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        task_create(actor=other_care_manager, patient=patient, title="x", reason="", due_at=DUE)
    with pytest.raises(PermissionDenied):
        task_create(actor=auditor, patient=patient, title="x", reason="", due_at=DUE)
    with pytest.raises(DomainError) as caught:
        task_create(
            actor=care_manager,
            patient=patient,
            title="x",
            reason="",
            due_at=DUE,
            assigned_to=other_care_manager,
        )
    assert caught.value.field == "assigned_to"
    with pytest.raises(DomainError, match="Unknown priority"):
        task_create(actor=care_manager, patient=patient, title="x", reason="", due_at=DUE, priority="asap")
    assert not Task.objects.exists()


def test_transitions_follow_the_table(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    assert TRANSITIONS["open"] == {"done", "cancelled"} and TRANSITIONS["done"] == frozenset()
    task = task_create(actor=care_manager, patient=patient, title="x", reason="", due_at=DUE)
    done = task_transition(actor=care_manager, task=task, to_status="done", outcome="Called; all well")
    assert done.status == "done" and done.outcome == "Called; all well" and done.closed_at is not None
    with pytest.raises(Conflict):
        task_transition(actor=care_manager, task=task, to_status="cancelled")
    assert AuditEvent.objects.filter(action="task.transition").get().detail == {"from": "open", "to": "done"}
