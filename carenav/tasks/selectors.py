"""Reads of tasks, scoped to the acting user's organization."""

from django.db.models import QuerySet

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.tasks.models import Task


def task_list_for(
    user: User, *, patient_id: int | None = None, assigned_to: User | None = None, open_only: bool = True
) -> QuerySet[Task]:
    """Tasks of the user's organization, optionally for one patient or one assignee, soonest due first."""
    if not user.is_authenticated or not user.has_perm_enum(Permission.VIEW_PATIENT):
        return Task.objects.none()
    assert user.organization_id is not None  # has_perm_enum requires an organization
    tasks = Task.objects.filter(organization_id=user.organization_id)
    if patient_id is not None:
        tasks = tasks.filter(patient_id=patient_id)
    if assigned_to is not None:
        tasks = tasks.filter(assigned_to=assigned_to)
    if open_only:
        tasks = tasks.filter(status=Task.Status.OPEN)
    return tasks.select_related("assigned_to", "patient").order_by("due_at", "id")
