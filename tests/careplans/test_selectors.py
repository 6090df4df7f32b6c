"""Selectors: scope, suggestions from conditions and assessment findings, goal series, snapshot -> FHIR."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carenav.accounts.models import User
from carenav.assessments import services as assessments
from carenav.careplans import fhir, selectors, services
from carenav.careplans.models import CarePlan
from carenav.core.errors import NotFound
from carenav.patients.models import Patient
from tests.careplans.conftest import NOW, TODAY, add_problem_and_goal, fresh, hba1c_goal
from tests.factories import add_condition, add_observation

pytestmark = pytest.mark.django_db


def test_plans_are_scoped_to_the_organization(
    plan: CarePlan, care_manager: User, other_care_manager: User
) -> None:
    assert selectors.plan_get_for(care_manager, plan.pk) == plan
    with pytest.raises(NotFound):
        selectors.plan_get_for(other_care_manager, plan.pk)
    with pytest.raises(NotFound):
        selectors.plan_get_for(care_manager, 2**70)


def test_problem_suggestions_from_conditions_with_their_categories(
    plan: CarePlan, care_manager: User
) -> None:
    found = selectors.suggestions_for(care_manager, plan, TODAY)
    by_code = {s.code: s for s in found.problems}
    assert set(by_code) == {"E11.9", "I10", "N18.3"}
    assert by_code["E11.9"].category_key == "diabetes" and "E11" in by_code["E11.9"].why
    assert found.context.age == 76 and found.context.chronic_count == 3
    assert found.goals == []  # no problems in the plan yet


def test_goal_suggestions_individualize_and_skip_goals_in_the_plan(
    plan: CarePlan, care_manager: User
) -> None:
    services.problem_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=services.ProblemData(display="Diabetes", category_key="diabetes"),
    )
    goals = selectors.suggestions_for(care_manager, plan, TODAY).goals
    refs = [s.ref for s, _ in goals]
    assert refs == ["diabetes/dm-hba1c@2026.1", "diabetes/dm-eye-foot@2026.1"]
    hba1c, problem = goals[0]
    assert (
        hba1c.resolved.target.value == 8.0 and problem.display == "Diabetes"
    )  # 76 with 3 chronic conditions
    services.goal_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=hba1c_goal(template_ref="diabetes/dm-hba1c@2026.1"),
    )
    assert [s.ref for s, _ in selectors.suggestions_for(care_manager, plan, TODAY).goals] == [
        "diabetes/dm-eye-foot@2026.1"
    ]


def test_social_need_finding_from_an_assessment_is_suggested(plan: CarePlan, care_manager: User) -> None:
    assessments.assessment_record(
        actor=care_manager,
        patient=plan.patient,
        instrument_id="hunger-vital-sign",
        answers={"hvs-worry": "LA28397-0", "hvs-didnt-last": "LA28398-8"},
    )
    found = [
        s for s in selectors.suggestions_for(care_manager, plan, TODAY).problems if s.source == "finding"
    ]
    assert len(found) == 1
    assert (found[0].category_key, found[0].sdoh_category, found[0].code) == (
        "food-insecurity",
        "food-insecurity",
        "Z59.41",
    )
    services.problem_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=services.ProblemData(
            display=found[0].display,
            source="finding",
            category_key=found[0].category_key,
            sdoh_category=found[0].sdoh_category,
            system=found[0].system,
            code=found[0].code,
            finding_ref=found[0].finding_ref,
        ),
    )
    suggestions = selectors.suggestions_for(care_manager, plan, TODAY)
    assert not [s for s in suggestions.problems if s.source == "finding"]
    assert [s.ref for s, _ in suggestions.goals] == ["food_insecurity/food-enough@2026.1"]


def test_sdoh_condition_maps_to_its_gravity_category(care_manager: User, patient: Patient) -> None:
    add_condition(patient, "Z59.82", display="Transportation insecurity")
    plan = services.careplan_create(actor=care_manager, patient=patient, program_codes=[])
    (suggestion,) = selectors.suggestions_for(care_manager, plan, TODAY).problems
    assert (suggestion.category_key, suggestion.sdoh_category) == (
        "transportation-insecurity",
        "transportation-insecurity",
    )


def test_goal_series_merges_imported_and_entered_values_in_the_goal_unit(
    plan: CarePlan, care_manager: User
) -> None:
    add_observation(plan.patient, "29463-7", 180.0, "[lb_av]", "2026-10-01")
    add_observation(plan.patient, "29463-7", 81.0, "kg", "2026-11-01")
    add_observation(plan.patient, "29463-7", 80.0, "stone", "2026-11-02")  # unconvertible: left off
    add_observation(plan.patient, "29463-7", 90.0, "kg", "2026-08-01")  # before the baseline: left off
    services.problem_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=services.ProblemData(display="Heart failure", category_key="heart_failure"),
    )
    goal = services.goal_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=services.GoalData(
            description="Keep my weight steady",
            target_kind="value",
            measure_code="29463-7",
            target_comparator="<=",
            target_value=83.0,
            baseline_value=81.6,
            baseline_date=dt.date(2026, 10, 1),
            due_date=dt.date(2027, 2, 1),
        ),
    )
    plan = services.careplan_activate(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        agreement=services.Agreement(agreed_by="patient", method="verbally"),
    )
    services.measurement_record(
        actor=care_manager,
        plan=plan,
        key=goal.key,
        value=184.0,
        unit="lb",
        observed_on=TODAY,
        note="home scale",
    )
    (gv,) = selectors.plan_view(fresh(plan), TODAY).goals
    assert [(p.on.isoformat(), round(p.value, 1), p.source) for p in gv.points] == [
        ("2026-10-01", 81.6, "observation"),
        ("2026-11-01", 81.0, "observation"),
        ("2026-11-24", 83.5, "entered"),
    ]
    assert gv.status.value == "worsening" and "83.5 kg" in gv.reason
    assert gv.chart_svg.startswith("<svg") and "home scale" not in gv.chart_svg


def test_plan_view_query_count_does_not_grow_with_items(plan: CarePlan, care_manager: User) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.snapshot(selectors.plan_view(fresh(plan), TODAY))
        return len(captured)

    add_problem_and_goal(
        plan,
        care_manager,
        services.ProblemData(display="Diabetes", category_key="diabetes"),
        hba1c_goal(template_ref="diabetes/dm-hba1c@2026.1"),
    )
    few = count()
    for name in ("Hypertension", "Falls", "Loneliness"):
        add_problem_and_goal(
            plan,
            care_manager,
            services.ProblemData(display=name),
            hba1c_goal(
                description=f"Goal for {name}",
                template_ref="diabetes/dm-eye-foot@2026.1",
                target_kind="milestone",
                measure_code="",
            ),
        )
    assert count() == few


def test_snapshot_of_a_real_plan_exports_valid_fhir(plan: CarePlan, care_manager: User) -> None:
    problem = services.problem_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=services.ProblemData(
            display="", source="condition", condition_id=plan.patient.conditions.get(code="E11.9").pk
        ),
    )
    services.goal_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=hba1c_goal(template_ref="diabetes/dm-hba1c@2026.1", problem_keys=[str(problem.key)]),
    )
    active = services.careplan_activate(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        agreement=services.Agreement(agreed_by="patient", method="signed"),
    )
    snap = selectors.snapshot(selectors.plan_view(fresh(active), TODAY))
    bundle = fhir.bundle(snap, now=NOW)
    fhir.validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Goal") == 1 and kinds.count("Condition") == 1 and "CareTeam" in kinds
    careplan = bundle["entry"][0]["resource"]
    assert careplan["status"] == "active" and len(careplan["activity"]) == 3
    assert careplan["subject"]["reference"] == f"Patient/{plan.patient_id}"


def test_reviews_due(plan: CarePlan, care_manager: User, other_care_manager: User) -> None:
    services.problem_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=services.ProblemData(display="Diabetes"),
    )
    services.goal_add(actor=care_manager, plan=plan, lock_version=fresh(plan).lock_version, data=hba1c_goal())
    services.careplan_activate(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        agreement=services.Agreement(
            agreed_by="patient", method="verbally", review_due=dt.date(2026, 12, 10)
        ),
    )
    assert list(selectors.reviews_due_for(care_manager, TODAY)) == [fresh(plan)]
    assert list(selectors.reviews_due_for(care_manager, TODAY, within_days=7)) == []
    assert list(selectors.reviews_due_for(other_care_manager, dt.date(2027, 1, 1))) == []
    view = selectors.plan_view(fresh(plan), dt.date(2026, 12, 11))
    assert view.review_overdue and not view.review_soon
