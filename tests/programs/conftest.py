"""Fixtures for programs: the organization runs every program; risk runs and scores built by hand."""

import datetime as dt
from typing import Any

import pytest

from carenav.accounts.models import Organization, User
from carenav.accounts.permissions import Role
from carenav.core import clock
from carenav.patients.models import Patient
from carenav.population.models import RiskRun, RiskScore
from carenav.programs.definitions import program_codes
from carenav.programs.models import OrganizationProgram
from tests.factories import at, make_user

TODAY = "2026-11-24"


@pytest.fixture(autouse=True)
def _pinned_clock() -> Any:
    with clock.pinned(at(TODAY, 10)):
        yield


def offer(org: Organization, *codes: str) -> None:
    for code in codes or program_codes():
        OrganizationProgram.objects.get_or_create(organization=org, program_code=code)


@pytest.fixture
def programs_on(org: Organization) -> None:
    offer(org)


def make_run(org: Organization, *, days_ago: int = 0) -> RiskRun:
    finished = clock.now() - dt.timedelta(days=days_ago)
    return RiskRun.objects.create(
        organization=org,
        started_at=finished - dt.timedelta(seconds=5),
        finished_at=finished,
        engine="duckdb",
        config_version="test",
        as_of=finished.date(),
        population_size=0,
        duration_seconds=5.0,
        status=RiskRun.Status.COMPLETED,
    )


def add_score(run: RiskRun, patient: Patient, **fields: Any) -> RiskScore:
    values: dict[str, Any] = {
        "tier": 3,
        "priority": 10.0,
        "age": 70,
        "chronic_categories": [],
        "chronic_count": 0,
        "charlson_1987": 0,
        "charlson_quan2011": 0,
        "charlson_age_adjusted": 0,
        "ip_6m": 0,
        "ip_12m": 0,
        "ed_6m": 0,
        "ed_12m": 0,
        "days_since_discharge": None,
        "readmissions_30d": 0,
        "lace": None,
        "hospital_score": None,
        "cost_12m": None,
        "flags": [],
        "reasons": [],
        **fields,
    }
    values["chronic_count"] = len(values["chronic_categories"])
    return RiskScore.objects.create(run=run, patient=patient, **values)


CCM_FACTS: dict[str, Any] = {
    "tier": 2,
    "priority": 55.0,
    "chronic_categories": ["heart_failure", "diabetes"],
    "flags": ["high_risk_condition:heart_failure"],
    "reasons": [
        {
            "score": "chronic",
            "points": 1,
            "text": "Heart failure: I50.22 → chronic condition",
            "evidence": {},
        },
        {"score": "priority", "points": 2.0, "text": "ED visits in 12 months: 2 → +2", "evidence": {}},
        {"score": "priority", "points": 3.0, "text": "Charlson (Quan 2011): 3 → +3", "evidence": {}},
    ],
}


@pytest.fixture
def lcsw(org: Organization) -> User:
    return make_user(
        org, Role.CARE_MANAGER, "lena", discipline="LCSW", languages=["en", "es"], first_name="Lena"
    )
