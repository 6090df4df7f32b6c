"""Care plan fixtures: a pinned clock, a patient with diabetes, hypertension and CKD, and a draft plan."""

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from carenav.accounts.models import User
from carenav.careplans import services
from carenav.careplans.models import CarePlan
from carenav.core import clock
from carenav.patients.models import Caregiver, Patient
from tests.factories import add_condition, add_observation

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("America/New_York"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[dt.datetime]:
    with clock.pinned(NOW) as now:
        yield now


@pytest.fixture
def chronic_patient(patient: Patient) -> Patient:
    """Rosa Muñoz, 76, Spanish-speaking: diabetes, hypertension and CKD; HbA1c 8.4 % in September."""
    add_condition(patient, "E11.9", display="Type 2 diabetes mellitus without complications")
    add_condition(patient, "I10", display="Essential (primary) hypertension")
    add_condition(patient, "N18.3", display="Chronic kidney disease, stage 3")
    add_observation(patient, "4548-4", 8.4, "%", "2026-09-01", display="Hemoglobin A1c")
    Caregiver.objects.create(
        patient=patient, name="Lucía Muñoz", relationship="daughter", phone="555-0111", is_primary=True
    )
    return patient


@pytest.fixture
def plan(care_manager: User, chronic_patient: Patient) -> CarePlan:
    return services.careplan_create(actor=care_manager, patient=chronic_patient, program_codes=["CCM"])


def hba1c_goal(**changes: object) -> services.GoalData:
    values: dict = {
        "description": "Get my blood sugar under control",
        "target_kind": "value",
        "measure_code": "4548-4",
        "target_comparator": "<",
        "target_value": 8.0,
        "baseline_value": 8.4,
        "baseline_date": dt.date(2026, 9, 1),
        "due_date": dt.date(2027, 5, 24),
        "priority": "high",
    }
    values.update(changes)
    return services.GoalData(**values)


def fresh(plan: CarePlan) -> CarePlan:
    return CarePlan.objects.get(pk=plan.pk)


def add_problem_and_goal(
    plan: CarePlan, actor: User, problem: services.ProblemData, goal: services.GoalData
) -> None:
    """One problem and one goal, each at the plan's current lock version (query-count tests)."""
    services.problem_add(actor=actor, plan=plan, lock_version=fresh(plan).lock_version, data=problem)
    services.goal_add(actor=actor, plan=plan, lock_version=fresh(plan).lock_version, data=goal)
