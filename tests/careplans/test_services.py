"""Care plan services with a pinned clock: state machine, validation, locking, versions, goal status."""

import datetime as dt

import pytest
from django.test import override_settings

from carenav.accounts.models import User
from carenav.audit.models import AuditEvent
from carenav.careplans import selectors, services
from carenav.careplans.models import CarePlan, Goal, GoalMeasurement, Intervention
from carenav.core import clock
from carenav.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from carenav.patients.models import Patient
from tests.careplans.conftest import NOW, TODAY, fresh, hba1c_goal

pytestmark = pytest.mark.django_db

AGREED = services.Agreement(agreed_by="patient", method="verbally")


def add_problem(actor: User, plan: CarePlan, **kw: object):
    data = services.ProblemData(**{"display": "Type 2 diabetes", "category_key": "diabetes", **kw})
    return services.problem_add(actor=actor, plan=plan, lock_version=fresh(plan).lock_version, data=data)


def add_goal(actor: User, plan: CarePlan, data: services.GoalData | None = None, **kw: object) -> Goal:
    return services.goal_add(
        actor=actor, plan=plan, lock_version=fresh(plan).lock_version, data=data or hba1c_goal(), **kw
    )


def activate(actor: User, plan: CarePlan, agreement: services.Agreement = AGREED) -> CarePlan:
    return services.careplan_activate(
        actor=actor, plan=plan, lock_version=fresh(plan).lock_version, agreement=agreement
    )


def ready_plan(actor: User, plan: CarePlan) -> Goal:
    problem = add_problem(actor, plan)
    return add_goal(actor, plan, hba1c_goal(problem_keys=[str(problem.key)]))


def test_create_seeds_the_care_team(plan: CarePlan, care_manager: User) -> None:
    team = {m.role: m for m in plan.care_team.all()}
    assert team["patient"].name == "Rosa Muñoz"
    assert team["care_manager"].user == care_manager and team["care_manager"].is_primary_contact
    assert team["caregiver"].name == "Lucía Muñoz" and team["caregiver"].relationship == "daughter"
    assert (plan.status, plan.version, plan.program_codes, plan.preferred_language) == (
        "draft",
        1,
        ["CCM"],
        "es",
    )
    assert AuditEvent.objects.filter(action="careplan.create", patient_id=plan.patient_id).exists()


def test_one_open_plan_per_program(plan: CarePlan, care_manager: User, chronic_patient: Patient) -> None:
    with pytest.raises(DomainError) as err:
        services.careplan_create(actor=care_manager, patient=chronic_patient, program_codes=["ccm", "BHI"])
    assert err.value.field == "program_codes" and "CCM" in err.value.message
    # A separate plan for another program is allowed; so is one general plan (no program), but only one.
    services.careplan_create(actor=care_manager, patient=chronic_patient, program_codes=["TCM"])
    services.careplan_create(actor=care_manager, patient=chronic_patient, program_codes=[])
    with pytest.raises(DomainError, match="no specific program"):
        services.careplan_create(actor=care_manager, patient=chronic_patient, program_codes=[])
    with pytest.raises(DomainError, match="not a program code"):
        services.careplan_create(actor=care_manager, patient=chronic_patient, program_codes=["C C M!"])


def test_only_clinical_staff_of_the_organization_may_write(
    plan: CarePlan, auditor: User, other_care_manager: User, chronic_patient: Patient
) -> None:
    with pytest.raises(PermissionDenied):
        services.careplan_create(actor=auditor, patient=chronic_patient, program_codes=["PCM"])
    with pytest.raises(NotFound):
        add_problem(other_care_manager, plan)


def test_problem_from_a_condition_uses_its_code(plan: CarePlan, care_manager: User) -> None:
    condition = plan.patient.conditions.get(code="E11.9")
    problem = add_problem(care_manager, plan, display="", source="condition", condition_id=condition.pk)
    assert (problem.system, problem.code, problem.display) == (
        "http://hl7.org/fhir/sid/icd-10-cm",
        "E11.9",
        "Type 2 diabetes mellitus without complications",
    )
    with pytest.raises(DomainError, match="already in the plan"):
        add_problem(care_manager, plan, display="", source="condition", condition_id=condition.pk)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"measure_code": ""}, "measure_code", "needs a measure"),
        ({"unit": "mg/dL"}, "unit", "HbA1c is measured in %"),
        ({"due_date": dt.date(2026, 11, 23)}, "due_date", "in the past"),
        ({"due_date": None}, "due_date", "due date"),
        ({"target_value": None}, "target_value", "Enter the target value"),
        ({"target_comparator": ""}, "target_comparator", "compares"),
        ({"target_value": 70.0}, "target_value", "plausible range"),
        ({"description": "  "}, "description", "patient's words"),
        ({"target_kind": "milestone"}, "target_kind", "milestone goal has no measure"),
        ({"baseline_date": dt.date(2026, 12, 1)}, "baseline_date", "future"),
        ({"problem_keys": ["7f1e3c52-0d6b-4f4e-8a8e-3c9f1b2a6d10"]}, "problem_keys", "problems of this plan"),
    ],
)
def test_bad_goal_input_names_the_field_and_saves_nothing(
    plan: CarePlan, care_manager: User, changes: dict, field: str, message: str
) -> None:
    before = fresh(plan).lock_version
    with pytest.raises(DomainError) as err:
        add_goal(care_manager, plan, hba1c_goal(**changes))
    assert err.value.field == field and message in err.value.message
    assert Goal.objects.count() == 0 and fresh(plan).lock_version == before


def test_target_in_another_accepted_unit_is_converted(plan: CarePlan, care_manager: User) -> None:
    goal = add_goal(
        care_manager,
        plan,
        services.GoalData(
            description="Lose some weight",
            target_kind="value",
            measure_code="29463-7",
            unit="[lb_av]",
            target_comparator="<=",
            target_value=176.0,
            baseline_value=190.0,
            due_date=dt.date(2027, 3, 1),
        ),
    )
    assert goal.measure_unit == "kg" and goal.target_value == pytest.approx(79.832, abs=0.001)
    assert goal.baseline_value == pytest.approx(86.183, abs=0.001) and goal.baseline_date == TODAY


def test_custom_measure_goal(plan: CarePlan, care_manager: User) -> None:
    goal = add_goal(
        care_manager,
        plan,
        services.GoalData(
            description="Walk to church and back",
            target_kind="value",
            measure_system="https://carenav.org/fhir/CodeSystem/care-measure",
            measure_code="walks-per-week",
            measure_display="Walks per week",
            unit="{#}/wk",
            target_comparator=">=",
            target_value=3,
            due_date=dt.date(2027, 1, 31),
        ),
    )
    assert (goal.measure_display, goal.measure_unit) == ("Walks per week", "{#}/wk")


def test_template_goal_brings_its_interventions_for_the_right_people(
    plan: CarePlan, care_manager: User
) -> None:
    problem = add_problem(care_manager, plan)
    goal = add_goal(
        care_manager,
        plan,
        hba1c_goal(template_ref="diabetes/dm-hba1c@2026.1", problem_keys=[str(problem.key)]),
    )
    steps = {i.template_ref: i for i in Intervention.objects.filter(goal=goal)}
    assert set(steps) == {
        "diabetes/dm-check-glucose@2026.1",
        "diabetes/dm-hba1c-lab@2026.1",
        "diabetes/dm-dsmes@2026.1",
    }
    dsmes = steps["diabetes/dm-dsmes@2026.1"]
    assert dsmes.performer_member.user == care_manager and dsmes.due_date == TODAY + dt.timedelta(days=30)
    assert steps["diabetes/dm-check-glucose@2026.1"].performer_member.role == "patient"
    assert steps["diabetes/dm-hba1c-lab@2026.1"].performer_member is None  # no PCP on the team yet
    assert all(i.problem == problem for i in steps.values())
    with pytest.raises(DomainError, match="Unknown template"):
        add_goal(care_manager, plan, hba1c_goal(template_ref="diabetes/nope@1"))


def test_stale_lock_version_is_a_conflict_and_saves_nothing(
    plan: CarePlan, care_manager: User, supervisor: User
) -> None:
    seen = fresh(plan).lock_version
    services.careplan_update(
        actor=supervisor, plan=plan, lock_version=seen, what_matters="Dancing at my granddaughter's wedding"
    )
    with pytest.raises(Conflict) as err:
        services.careplan_update(actor=care_manager, plan=plan, lock_version=seen, what_matters="Gardening")
    assert err.value.status_code == 409 and "changed this plan" in err.value.message
    assert fresh(plan).what_matters == "Dancing at my granddaughter's wedding"
    with pytest.raises(Conflict):
        services.problem_add(
            actor=care_manager, plan=plan, lock_version=seen, data=services.ProblemData(display="Falls")
        )
    assert plan.problems.count() == 0


def test_activation_needs_content_and_a_complete_agreement(plan: CarePlan, care_manager: User) -> None:
    with pytest.raises(DomainError) as err:
        activate(care_manager, plan)
    assert err.value.field == "problems"
    ready_plan(care_manager, plan)
    with pytest.raises(DomainError) as err:
        activate(care_manager, plan, services.Agreement(agreed_by="representative", method="signed"))
    assert err.value.field == "representative_name"
    with pytest.raises(DomainError) as err:
        activate(care_manager, plan, services.Agreement(agreed_by="patient", method="telepathy"))
    assert err.value.field == "agreement_method"
    with pytest.raises(DomainError) as err:
        activate(
            care_manager,
            plan,
            services.Agreement(agreed_by="patient", method="signed", review_due=dt.date(2028, 1, 1)),
        )
    assert err.value.field == "review_due"
    active = activate(
        care_manager,
        plan,
        services.Agreement(
            agreed_by="representative",
            method="signed",
            representative_name="Lucía Muñoz",
            pcp_name="Dr. Patel",
        ),
    )
    assert (active.status, active.agreed_by, active.representative_name, active.pcp_agreed_name) == (
        "active",
        "representative",
        "Lucía Muñoz",
        "Dr. Patel",
    )
    assert active.activated_by == care_manager and active.review_due == dt.date(2027, 11, 24)
    with pytest.raises(DomainError, match="Cannot activate a care plan that is active"):
        activate(care_manager, active)


@override_settings(CAREPLAN_REVIEW_MONTHS=6)
def test_review_can_be_configured_sooner(plan: CarePlan, care_manager: User) -> None:
    ready_plan(care_manager, plan)
    assert activate(care_manager, plan).review_due == dt.date(2027, 5, 24)


def test_revision_copies_items_and_supersedes_on_activation(plan: CarePlan, care_manager: User) -> None:
    goal = ready_plan(care_manager, plan)
    v1 = activate(care_manager, plan)
    with pytest.raises(DomainError, match="only a draft can be edited"):
        add_problem(care_manager, v1, display="Falls")
    v2 = services.careplan_revise(actor=care_manager, plan=v1, lock_version=fresh(v1).lock_version)
    assert (v2.version, v2.status, v2.series, v2.previous_id) == (2, "draft", v1.series, v1.pk)
    copied = v2.goals.get()
    assert copied.key == goal.key and copied.pk != goal.pk
    assert [p.key for p in copied.problems.all()] == [p.key for p in goal.problems.all()]
    assert {m.key for m in v2.care_team.all()} == {m.key for m in v1.care_team.all()}
    with pytest.raises(DomainError, match="already being written"):
        services.careplan_revise(actor=care_manager, plan=v1, lock_version=fresh(v1).lock_version)
    services.goal_update(
        actor=care_manager,
        plan=v2,
        lock_version=fresh(v2).lock_version,
        key=goal.key,
        data=hba1c_goal(target_value=7.5, problem_keys=[str(p.key) for p in copied.problems.all()]),
    )
    assert (
        fresh(v1).status == "active" and v1.goals.get().target_value == 8.0
    )  # the active version is untouched
    activate(care_manager, v2)
    assert fresh(v1).status == "revised" and fresh(v1).end_reason == "Revised by version 2."
    assert CarePlan.objects.filter(series=v1.series, status="active").get().pk == v2.pk


def test_end_of_plan(plan: CarePlan, care_manager: User) -> None:
    ready_plan(care_manager, plan)
    active = activate(care_manager, plan)
    with pytest.raises(DomainError) as err:
        services.careplan_end(
            actor=care_manager,
            plan=active,
            lock_version=fresh(active).lock_version,
            action="cancel",
            reason="",
        )
    assert err.value.field == "reason"
    done = services.careplan_end(
        actor=care_manager,
        plan=active,
        lock_version=fresh(active).lock_version,
        action="complete",
        reason="Goals met; moved to maintenance",
    )
    assert done.status == "completed" and done.ended_at is not None
    with pytest.raises(DomainError, match="Cannot complete"):
        services.careplan_end(
            actor=care_manager,
            plan=done,
            lock_version=fresh(done).lock_version,
            action="complete",
            reason="x",
        )


def status_of(plan: CarePlan, key) -> tuple[str, str]:
    view = selectors.plan_view(fresh(plan), TODAY)
    gv = next(g for g in view.goals if g.goal.key == key)
    return gv.status.value, gv.reason


def test_goal_status_follows_measurements_and_overrides(plan: CarePlan, care_manager: User) -> None:
    goal = ready_plan(care_manager, plan)
    active = activate(care_manager, plan)
    assert status_of(active, goal.key)[0] == "in-progress"
    services.measurement_record(
        actor=care_manager, plan=active, key=goal.key, value=8.1, unit="%", observed_on=dt.date(2026, 11, 20)
    )
    assert status_of(active, goal.key) == (
        "improving",
        "Closer to the target below 8.0 %: latest 8.1 % on 2026-11-20, was the baseline 8.4 %.",
    )
    services.goal_set_status(
        actor=care_manager,
        plan=active,
        lock_version=fresh(active).lock_version,
        key=goal.key,
        status="achieved",
        reason="PCP agrees 8.1% is right for her",
    )
    assert status_of(active, goal.key) == ("achieved", "PCP agrees 8.1% is right for her")
    services.measurement_record(
        actor=care_manager, plan=active, key=goal.key, value=8.6, unit="", observed_on=TODAY
    )
    assert status_of(active, goal.key)[0] == "achieved"  # same day as the override: it still holds
    with clock.pinned(NOW + dt.timedelta(days=7)):
        services.measurement_record(
            actor=care_manager,
            plan=active,
            key=goal.key,
            value=8.8,
            unit="",
            observed_on=TODAY + dt.timedelta(days=7),
        )
    assert status_of(active, goal.key)[0] == "worsening"  # a later measurement ends the override
    with pytest.raises(DomainError) as err:
        services.goal_set_status(
            actor=care_manager,
            plan=active,
            lock_version=fresh(active).lock_version,
            key=goal.key,
            status="achieved",
            reason="",
        )
    assert err.value.field == "reason"


def test_measurement_validation(plan: CarePlan, care_manager: User) -> None:
    goal = ready_plan(care_manager, plan)
    with pytest.raises(DomainError, match="Progress is recorded on the active plan"):
        services.measurement_record(
            actor=care_manager, plan=plan, key=goal.key, value=7.9, unit="%", observed_on=TODAY
        )
    active = activate(care_manager, plan)
    for value, unit, on, field in [
        (7.9, "mmol/mol", TODAY, "unit"),
        (7.9, "%", TODAY + dt.timedelta(days=1), "observed_on"),
        (None, "%", TODAY, "value"),
        (45.0, "%", TODAY, "value"),
    ]:
        with pytest.raises(DomainError) as err:
            services.measurement_record(
                actor=care_manager, plan=active, key=goal.key, value=value, unit=unit, observed_on=on
            )
        assert err.value.field == field
    assert GoalMeasurement.objects.count() == 0


def test_milestone_goal_is_achieved_when_its_steps_are_done(plan: CarePlan, care_manager: User) -> None:
    problem = add_problem(
        care_manager,
        plan,
        display="Food insecurity",
        category_key="food-insecurity",
        sdoh_category="food-insecurity",
    )
    goal = add_goal(
        care_manager,
        plan,
        services.GoalData(
            description="Have enough healthy food",
            target_kind="milestone",
            due_date=dt.date(2027, 1, 31),
            template_ref="food_insecurity/food-enough@2026.1",
            problem_keys=[str(problem.key)],
        ),
    )
    active = activate(care_manager, plan)
    steps = list(active.interventions.filter(goal=goal))
    assert len(steps) == 3
    for step in steps[:-1]:
        services.intervention_transition(
            actor=care_manager,
            plan=active,
            lock_version=fresh(active).lock_version,
            key=step.key,
            action="complete",
        )
    assert status_of(active, goal.key)[0] == "in-progress"
    services.intervention_transition(
        actor=care_manager,
        plan=active,
        lock_version=fresh(active).lock_version,
        key=steps[-1].key,
        action="cancel",
        note="Pantry closed; enrolled in SNAP instead",
    )
    assert status_of(active, goal.key)[0] == "achieved"  # cancelled steps do not count
    with pytest.raises(DomainError) as err:
        services.intervention_transition(
            actor=care_manager,
            plan=active,
            lock_version=fresh(active).lock_version,
            key=steps[0].key,
            action="start",
        )
    assert err.value.field == "action"


def test_move_and_remove(plan: CarePlan, care_manager: User) -> None:
    first = add_problem(care_manager, plan, display="Diabetes")
    second = add_problem(care_manager, plan, display="Falls")
    services.item_move(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        kind="problem",
        key=second.key,
        direction="up",
    )
    assert [p.display for p in plan.problems.order_by("position")] == ["Falls", "Diabetes"]
    services.item_remove(
        actor=care_manager, plan=plan, lock_version=fresh(plan).lock_version, kind="problem", key=first.key
    )
    assert [p.display for p in plan.problems.all()] == ["Falls"]
    patient_member = plan.care_team.get(role="patient")
    with pytest.raises(DomainError, match="always on their own care team"):
        services.item_remove(
            actor=care_manager,
            plan=plan,
            lock_version=fresh(plan).lock_version,
            kind="member",
            key=patient_member.key,
        )


def test_care_team_members(
    plan: CarePlan, care_manager: User, supervisor: User, other_care_manager: User
) -> None:
    pharmacist = services.member_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=services.MemberData(
            role="pharmacist", name="Ali Haddad", phone="555-0133", is_primary_contact=True
        ),
    )
    assert list(plan.care_team.filter(is_primary_contact=True)) == [pharmacist]
    member = services.member_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=services.MemberData(role="care_manager", user_id=supervisor.pk),
    )
    assert member.is_user and member.name == supervisor.display_name
    for data, field in [
        (services.MemberData(role="pcp", name="Dr. X", email="not-an-email"), "email"),
        (services.MemberData(role="pcp", name=""), "name"),
        (services.MemberData(role="wizard", name="Merlin"), "role"),
        (services.MemberData(role="care_manager", user_id=other_care_manager.pk), "user_id"),
    ]:
        with pytest.raises(DomainError) as err:
            services.member_add(
                actor=care_manager, plan=plan, lock_version=fresh(plan).lock_version, data=data
            )
        assert err.value.field == field


def test_preferences_update(plan: CarePlan, care_manager: User) -> None:
    services.careplan_update(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        barriers=["cost", "transport"],
        contact_times="Mornings",
        preferred_language="es-MX",
    )
    plan = fresh(plan)
    assert plan.barriers == ["transport", "cost"] and plan.preferred_language == "es-MX"
    for changes, field in [
        ({"barriers": ["moon"]}, "barriers"),
        ({"preferred_language": "Spanish"}, "preferred_language"),
        ({"title": ""}, "title"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ]:
        with pytest.raises(DomainError) as err:
            services.careplan_update(
                actor=care_manager, plan=plan, lock_version=fresh(plan).lock_version, **changes
            )
        assert err.value.field == field


def test_add_months_clamps_to_month_end() -> None:
    assert services.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert services.add_months(dt.date(2026, 11, 24), 12) == dt.date(2027, 11, 24)
