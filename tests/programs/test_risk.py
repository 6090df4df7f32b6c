"""The population contract end to end: a real stratification run feeds the queue and the chart facts."""

import datetime as dt

import pytest

from carenav.patients.models import Encounter
from carenav.population.services import stratify_organization
from carenav.programs import risk, services
from carenav.programs.models import Candidate
from tests.factories import add_condition, add_encounter, make_patient
from tests.programs.conftest import offer

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 24)


@pytest.fixture
def population(org):  # type: ignore[no-untyped-def]
    heart = make_patient(org, family_name="Heart", birth_date=dt.date(1948, 1, 2))
    add_condition(heart, "I50.22", display="Chronic systolic heart failure")
    add_condition(heart, "E11.9", display="Type 2 diabetes")
    add_encounter(heart, Encounter.Class.INPATIENT, "2026-11-15", "2026-11-19", discharge_disposition="home")
    mood = make_patient(org, family_name="Mood", birth_date=dt.date(1980, 5, 6))
    add_condition(mood, "F32.9", display="Depression")
    facility = make_patient(org, family_name="Facility", birth_date=dt.date(1940, 7, 8))
    add_encounter(
        facility, Encounter.Class.INPATIENT, "2026-11-10", "2026-11-20", discharge_disposition="snf"
    )
    run = stratify_organization(actor=None, organization=org, as_of=AS_OF)
    return run, heart, mood, facility


def test_real_scores_become_candidates_with_reasons(org, supervisor, population) -> None:
    run, heart, mood, facility = population
    offer(org)
    summary = services.candidates_refresh(actor=supervisor, organization=org)
    assert summary.run_id == run.pk
    got = {(c.patient_id, c.program_code): c for c in Candidate.objects.all()}
    assert got[(heart.pk, "CCM")].reasons == [
        "2 chronic conditions lasting 12+ months: diabetes mellitus, heart failure"
    ]
    assert got[(heart.pk, "TCM")].reasons == [
        "days since discharge 5 (≤ 29)",
        "discharged to a community setting (home)",
    ]
    assert (heart.pk, "PCM") in got
    assert got[(mood.pk, "BHI")].reasons == ["behavioral health condition"]
    assert (facility.pk, "TCM") not in got  # discharged to a skilled nursing facility
    assert all(c.risk_reasons for c in got.values() if c.priority > 0)


def test_facts_and_tiers_for_one_patient(org, population) -> None:
    run, heart, _, facility = population
    score, facts = risk.patient_facts(org.pk, heart.pk)
    assert score is not None and score.run_id == run.pk
    assert facts["days_since_discharge"] == 5 and facts["discharge_disposition"] == "home"
    assert set(facts["chronic_categories"]) == {"heart_failure", "diabetes"}
    assert risk.patient_facts(org.pk, facility.pk)[1]["discharge_disposition"] == "snf"
    tiers = risk.current_tiers(org.pk, [heart.pk, facility.pk])
    assert set(tiers) == {heart.pk, facility.pk} and all(1 <= t <= 4 for t in tiers.values())
    assert risk.patient_facts(org.pk + 1000, heart.pk) == (None, {})
