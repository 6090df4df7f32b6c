"""Task reads are scoped to the user's organization."""

import datetime as dt

import pytest

from carenav.tasks.selectors import task_list_for
from carenav.tasks.services import task_create, task_transition

pytestmark = pytest.mark.django_db


def test_scoped_filtered_and_soonest_first(care_manager, supervisor, other_care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    later = task_create(
        actor=care_manager,
        patient=patient,
        title="later",
        reason="",
        due_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        assigned_to=care_manager,
    )
    sooner = task_create(
        actor=care_manager,
        patient=patient,
        title="sooner",
        reason="",
        due_at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
        assigned_to=supervisor,
    )
    closed = task_create(
        actor=care_manager,
        patient=patient,
        title="closed",
        reason="",
        due_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    task_transition(actor=care_manager, task=closed, to_status="cancelled")
    assert list(task_list_for(care_manager)) == [sooner, later]
    assert list(task_list_for(care_manager, assigned_to=care_manager)) == [later]
    assert list(task_list_for(care_manager, patient_id=patient.pk, open_only=False))[0].title == "closed"
    assert list(task_list_for(other_care_manager)) == []
