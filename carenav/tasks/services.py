"""Writes to tasks: create and close, each in a transaction with an audit event."""

import datetime as dt

from django.db import transaction

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.audit.services import audit_record
from carenav.core import clock
from carenav.core.errors import Conflict, DomainError, PermissionDenied
from carenav.patients.models import Patient
from carenav.tasks.models import Task

# The allowed transitions, as data (DESIGN.md convention 4).
TRANSITIONS: dict[str, frozenset[str]] = {
    Task.Status.OPEN: frozenset({Task.Status.DONE, Task.Status.CANCELLED}),
    Task.Status.DONE: frozenset(),
    Task.Status.CANCELLED: frozenset(),
}


def _check_actor(actor: User, patient: Patient) -> None:
    if not actor.has_perm_enum(Permission.MANAGE_TASKS) or patient.organization_id != actor.organization_id:
        raise PermissionDenied("You cannot manage tasks for this patient.")


@transaction.atomic
def task_create(
    *,
    actor: User,
    patient: Patient,
    title: str,
    reason: str,
    due_at: dt.datetime,
    priority: str = Task.Priority.NORMAL,
    assigned_to: User | None = None,
    source: str = "",
) -> Task:
    """Create an open task for a patient of the actor's organization."""
    _check_actor(actor, patient)
    if assigned_to is not None and assigned_to.organization_id != patient.organization_id:
        raise DomainError(
            "Tasks can only be assigned within the patient's organization.", field="assigned_to"
        )
    if priority not in Task.Priority.values:
        raise DomainError(f"Unknown priority {priority!r}.", field="priority")
    task = Task.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        assigned_to=assigned_to,
        title=title[:200],
        reason=reason,
        priority=priority,
        due_at=due_at,
        source=source[:80],
        created_by=actor,
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="task.create",
        patient_id=patient.pk,
        object_type="task",
        object_id=task.pk,
        detail={
            "priority": priority,
            "assigned_to": assigned_to.pk if assigned_to else None,
            "source": task.source,
            "due_at": due_at.isoformat(),
        },
    )
    return task


@transaction.atomic
def task_transition(*, actor: User, task: Task, to_status: str, outcome: str = "") -> Task:
    """Move a task along TRANSITIONS (open → done | cancelled), recording what was done."""
    _check_actor(actor, task.patient)
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if to_status not in TRANSITIONS.get(locked.status, frozenset()):
        raise Conflict(f"A {locked.get_status_display().lower()} task cannot become {to_status}.")
    previous = locked.status
    locked.status = to_status
    locked.outcome = outcome
    locked.closed_at = clock.now()
    locked.save(update_fields=["status", "outcome", "closed_at"])
    audit_record(
        actor=actor,
        action="task.transition",
        patient_id=locked.patient_id,
        object_type="task",
        object_id=locked.pk,
        detail={"from": previous, "to": to_status},
    )
    return locked
