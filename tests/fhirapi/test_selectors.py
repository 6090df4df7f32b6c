"""Scoped, audited reads: CarePlan, Goal and QuestionnaireResponse from their apps' builders, constant
query counts per search page, out-of-scope ids behaving exactly like absent ones."""

import datetime as dt
from typing import Any

import pytest

from carenav.accounts.models import User
from carenav.accounts.permissions import Role
from carenav.assessments import services as assessment_services
from carenav.audit.models import AuditEvent
from carenav.careplans import services as careplan_services
from carenav.careplans.models import CarePlan, Goal
from carenav.core.errors import NotFound
from carenav.fhirapi.selectors import UnknownType, resource_read_for, resource_search_for
from carenav.patients.models import Caregiver, Condition, Patient
from tests.factories import add_observation, make_patient, make_user
from tests.fhirapi.conftest import assert_valid

pytestmark = pytest.mark.django_db

PHQ9_MODERATE = {f"phq9-{n}": code for n, code in enumerate(["LA6570-1"] * 4 + ["LA6569-3"] * 5, start=1)}


@pytest.fixture
def active_plan(care_manager: User, record: Patient) -> CarePlan:
    """An agreed plan: heart failure from the record and a food-insecurity concern, one goal for each."""
    plan = careplan_services.careplan_create(actor=care_manager, patient=record, program_codes=["CCM"])

    def lock() -> int:
        return CarePlan.objects.get(pk=plan.pk).lock_version

    hf = Condition.objects.get(patient=record, code="I50.9")
    from_record = careplan_services.problem_add(
        actor=care_manager,
        plan=plan,
        lock_version=lock(),
        data=careplan_services.ProblemData(
            display="Heart failure", source="condition", condition_id=hf.pk, system="icd10cm", code="I50.9"
        ),
    )
    food = careplan_services.problem_add(
        actor=care_manager,
        plan=plan,
        lock_version=lock(),
        data=careplan_services.ProblemData(
            display="Food insecurity", category_key="food-insecurity", sdoh_category="food-insecurity"
        ),
    )
    for description, problem in (
        ("Weigh myself every morning", from_record),
        ("Enough food every week", food),
    ):
        careplan_services.goal_add(
            actor=care_manager,
            plan=plan,
            lock_version=lock(),
            data=careplan_services.GoalData(
                description=description,
                target_kind="milestone",
                due_date=dt.date(2027, 2, 1),
                problem_keys=[str(problem.key)],
            ),
        )
    return careplan_services.careplan_activate(
        actor=care_manager,
        plan=plan,
        lock_version=lock(),
        agreement=careplan_services.Agreement(agreed_by="patient", method="verbally"),
    )


def test_careplan_from_the_careplans_export_with_rest_references(
    care_manager: User, active_plan: CarePlan
) -> None:
    careplan = resource_read_for(care_manager, "CarePlan", str(active_plan.pk))
    assert_valid(careplan)
    assert careplan["id"] == str(active_plan.pk) and careplan["status"] == "active"
    goals = {g.description: g.pk for g in Goal.objects.filter(plan=active_plan)}
    assert sorted(g["reference"] for g in careplan["goal"]) == sorted(f"Goal/{pk}" for pk in goals.values())
    contained = {c["id"]: c for c in careplan["contained"]}
    hf = Condition.objects.get(code="I50.9")
    addresses = [a["reference"] for a in careplan["addresses"]]
    assert f"Condition/{hf.pk}" in addresses  # a problem from the record is the served Condition
    concern = next(contained[ref[1:]] for ref in addresses if ref.startswith("#"))
    assert concern["resourceType"] == "Condition" and concern["code"]["text"] == "Food insecurity"
    careteam = contained[careplan["careTeam"][0]["reference"][1:]]
    assert careteam["resourceType"] == "CareTeam"
    caregiver = Caregiver.objects.get(patient=active_plan.patient)
    members = {p["member"]["reference"] for p in careteam["participant"]}
    assert {f"Patient/{active_plan.patient_id}", f"RelatedPerson/{caregiver.pk}"} < members
    assert all(ref[1:] in contained for ref in members if ref.startswith("#"))
    assert {"urn:uuid:" + str(active_plan.uid)} <= {i["value"] for i in careplan["identifier"]}
    assert not any(
        "urn:uuid:" in str(v) for v in (careplan["goal"], careplan["addresses"], careplan["careTeam"])
    )


def test_goal_read_and_search_follow_the_plan_in_force(care_manager: User, active_plan: CarePlan) -> None:
    goal = Goal.objects.filter(plan=active_plan).order_by("position").first()
    assert goal is not None
    resource = resource_read_for(care_manager, "Goal", str(goal.pk))
    assert_valid(resource)
    assert resource["lifecycleStatus"] == "active" and resource["description"]["text"] == goal.description
    careplan_services.careplan_revise(
        actor=care_manager,
        plan=active_plan,
        lock_version=CarePlan.objects.get(pk=active_plan.pk).lock_version,
    )
    # The revision draft copies the goals; a search still lists the active version's two goals once.
    found = resource_search_for(care_manager, "Goal", [("patient", str(active_plan.patient_id))])
    assert found.total == 2
    assert {r["id"] for r in found.resources} == {
        str(pk) for pk in Goal.objects.filter(plan=active_plan).values_list("pk", flat=True)
    }
    plans = resource_search_for(care_manager, "CarePlan", [("subject", f"Patient/{active_plan.patient_id}")])
    assert sorted(r["status"] for r in plans.resources) == ["active", "draft"]
    for plan in plans.resources:
        assert_valid(plan)


def test_questionnaire_response_from_the_assessments_builder(care_manager: User, record: Patient) -> None:
    response = assessment_services.assessment_record(
        actor=care_manager, patient=record, instrument_id="phq-9", answers=PHQ9_MODERATE
    )
    resource = resource_read_for(care_manager, "QuestionnaireResponse", str(response.pk))
    assert_valid(resource)
    assert resource["id"] == str(response.pk) and resource["status"] == "completed"
    assert resource["subject"] == {"reference": f"Patient/{record.pk}"}
    assert resource["questionnaire"].endswith(f"|{response.instrument_version}")
    found = resource_search_for(care_manager, "QuestionnaireResponse", [("patient", str(record.pk))])
    assert [r["id"] for r in found.resources] == [str(response.pk)]


def test_out_of_scope_and_absent_ids_are_the_same_not_found(
    care_manager: User, other_patient: Patient, auditor: User, record: Patient
) -> None:
    foreign = Condition.objects.create(patient=other_patient, system="icd10cm", code="I10")
    for resource_type, resource_id in (
        ("Patient", str(other_patient.pk)),
        ("Condition", str(foreign.pk)),
        ("Condition", "999999"),
        ("Condition", "not-a-number"),
        ("Observation", "99999999999999999999999"),
    ):
        with pytest.raises(NotFound) as raised:
            resource_read_for(care_manager, resource_type, resource_id)
        assert "other" not in raised.value.message.lower()
    with pytest.raises(UnknownType):
        resource_read_for(care_manager, "Practitioner", "1")
    assert AuditEvent.objects.filter(actor=care_manager, outcome=AuditEvent.Outcome.NOT_FOUND).count() == 5
    # Scope comes from patients_for: a colleague (auditor) sees the patient, a user of no organization nothing.
    assert resource_search_for(auditor, "Patient", [("_id", str(record.pk))]).total == 1
    drifter = make_user(None, Role.CARE_MANAGER, "drifter")
    assert resource_search_for(drifter, "Patient", [("_id", str(record.pk))]).total == 0


def test_search_page_query_count_is_constant(
    care_manager: User, org: Any, django_assert_max_num_queries: Any
) -> None:
    def populate(n: int) -> None:
        for i in range(n):
            p = make_patient(org, family_name=f"Query{i}", given_name="Count")
            add_observation(p, "4548-4", 7.0 + i / 10, "%", "2026-11-01", category="laboratory")
            bp = add_observation(p, "85354-9", None, "", "2026-11-01", category="vital-signs")
            add_observation(p, "8480-6", 140.0, "mm[Hg]", "2026-11-01", panel=bp)
            add_observation(p, "8462-4", 85.0, "mm[Hg]", "2026-11-01", panel=bp)

    populate(3)
    with django_assert_max_num_queries(5) as small:
        resource_search_for(care_manager, "Patient", [("given", "count")])
    with django_assert_max_num_queries(5):
        resource_search_for(care_manager, "Observation", [("date", "ge2026-01-01")])
    populate(12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = resource_search_for(care_manager, "Patient", [("given", "count")])
    assert page.total == 15 and len(page.resources) == 15
    with django_assert_max_num_queries(5):
        observations = resource_search_for(
            care_manager, "Observation", [("date", "ge2026-01-01"), ("_count", "20")]
        )
    assert observations.total == 30 and len(observations.resources) == 20


def test_code_tokens_with_and_without_system(care_manager: User, record: Patient) -> None:
    Condition.objects.create(patient=record, system="other", code="I10", display="Local hypertension code")

    def codes(value: str) -> list[str]:
        found = resource_search_for(care_manager, "Condition", [("code", value)]).resources
        return sorted(c["code"].get("coding", [{}])[0].get("system", "none") for c in found)

    assert codes("I10") == ["none"]
    assert codes("|I10") == ["none"]
    assert codes("http://hl7.org/fhir/sid/icd-10-cm|I10") == []
    assert codes("http://hl7.org/fhir/sid/icd-10-cm|E11.9,http://snomed.info/sct|38341003") == [
        "http://hl7.org/fhir/sid/icd-10-cm",
        "http://snomed.info/sct",
    ]
    assert codes("http://example.org/unknown|E11.9") == []
