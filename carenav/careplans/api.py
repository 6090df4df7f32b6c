"""JSON API for care plans: plans and versions, problems, goals (status, measurements), interventions,
care team, suggestions, diff and FHIR export. Every write takes the plan's ``lock_version`` and answers
409 when someone changed the plan in between; bad input is a 400 naming the field."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import Router, Status

from carenav.accounts.models import User
from carenav.careplans import fhir, selectors, services
from carenav.careplans.diff import diff
from carenav.careplans.models import CarePlan
from carenav.careplans.schemas import (
    ActivateIn,
    ChangeOut,
    EndIn,
    GoalIn,
    GoalStatusIn,
    InterventionIn,
    MeasurementIn,
    MeasurementOut,
    MemberIn,
    MoveIn,
    PlanCreateIn,
    PlanOut,
    PlanUpdateIn,
    ProblemIn,
    ProblemUpdateIn,
    SuggestionsOut,
    TransitionIn,
    VersionOut,
)
from carenav.core import clock
from carenav.core.errors import NotFound
from carenav.core.http import ApiRequest
from carenav.patients.selectors import patient_get_for

router = Router(tags=["care plans"])


def _out(plan: CarePlan, changed_key: Any = None) -> dict[str, Any]:
    plan.refresh_from_db()
    view = selectors.plan_view(plan, clock.today())
    data = selectors.snapshot(view)
    data.update(
        pk=plan.pk,
        lock_version=plan.lock_version,
        review_overdue=view.review_overdue,
        changed_key=str(changed_key) if changed_key else None,
    )
    return data


def _plan(user: User, plan_id: int, action: str = "careplan.view") -> CarePlan:
    return selectors.plan_get_for(user, plan_id, action=action)


@router.get(
    "/patients/{patient_id}/careplans", response=list[VersionOut], summary="A patient's plans, every version"
)
def list_plans(request: ApiRequest, patient_id: int) -> list[CarePlan]:
    return selectors.plan_list_for_patient(request.auth, patient_id)[1]


@router.post("/patients/{patient_id}/careplans", response={201: PlanOut}, summary="Start a draft care plan")
def create_plan(request: ApiRequest, patient_id: int, payload: PlanCreateIn) -> Status:
    patient = patient_get_for(request.auth, patient_id, action="careplan.create")
    plan = services.careplan_create(
        actor=request.auth, patient=patient, program_codes=payload.program_codes, title=payload.title
    )
    return Status(201, _out(plan))


@router.get("/careplans/reviews-due", response=list[VersionOut], summary="Active plans whose review is due")
def reviews_due(request: ApiRequest, within_days: int = 30) -> list[CarePlan]:
    return list(
        selectors.reviews_due_for(request.auth, clock.today(), within_days=max(0, min(within_days, 366)))[
            :500
        ]
    )


@router.get("/careplans/{plan_id}", response=PlanOut, summary="One plan version with goal status")
def get_plan(request: ApiRequest, plan_id: int) -> dict[str, Any]:
    return _out(_plan(request.auth, plan_id))


@router.patch(
    "/careplans/{plan_id}", response=PlanOut, summary="Change title, programs or preferences (draft)"
)
def update_plan(request: ApiRequest, plan_id: int, payload: PlanUpdateIn) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    changes = payload.dict(exclude_unset=True)
    lock = changes.pop("lock_version")
    services.careplan_update(actor=request.auth, plan=plan, lock_version=lock, **changes)
    return _out(plan)


@router.post("/careplans/{plan_id}/activate", response=PlanOut, summary="Record the agreement and activate")
def activate(request: ApiRequest, plan_id: int, payload: ActivateIn) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    agreement = services.Agreement(
        agreed_by=payload.agreed_by,
        method=payload.method,
        representative_name=payload.representative_name,
        pcp_name=payload.pcp_name,
        agreed_at=payload.agreed_at,
        review_due=payload.review_due,
    )
    return _out(
        services.careplan_activate(
            actor=request.auth, plan=plan, lock_version=payload.lock_version, agreement=agreement
        )
    )


@router.post("/careplans/{plan_id}/revise", response={201: PlanOut}, summary="Start a new draft version")
def revise(request: ApiRequest, plan_id: int, payload: EndIn) -> Status:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    return Status(
        201, _out(services.careplan_revise(actor=request.auth, plan=plan, lock_version=payload.lock_version))
    )


@router.post("/careplans/{plan_id}/complete", response=PlanOut, summary="Complete the active plan")
def complete(request: ApiRequest, plan_id: int, payload: EndIn) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    return _out(
        services.careplan_end(
            actor=request.auth,
            plan=plan,
            lock_version=payload.lock_version,
            action="complete",
            reason=payload.reason,
        )
    )


@router.post("/careplans/{plan_id}/cancel", response=PlanOut, summary="Cancel a draft or the active plan")
def cancel(request: ApiRequest, plan_id: int, payload: EndIn) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    return _out(
        services.careplan_end(
            actor=request.auth,
            plan=plan,
            lock_version=payload.lock_version,
            action="cancel",
            reason=payload.reason,
        )
    )


@router.get("/careplans/{plan_id}/versions", response=list[VersionOut], summary="Every version of this plan")
def versions(request: ApiRequest, plan_id: int) -> list[CarePlan]:
    return selectors.versions_of(_plan(request.auth, plan_id))


@router.get(
    "/careplans/{plan_id}/diff", response=list[ChangeOut], summary="Readable changes between versions"
)
def plan_diff(request: ApiRequest, plan_id: int, against: int | None = None) -> list[dict[str, Any]]:
    """Changes from the older to the newer of this version and ``against`` (default: the version it revises)."""
    plan = _plan(request.auth, plan_id)
    other_id = against or plan.previous_id
    if other_id is None:
        return []
    other = selectors.plan_get_for(request.auth, other_id)
    if other.series != plan.series:
        raise NotFound("That version belongs to another plan.")
    today = clock.today()
    old, new = sorted([other, plan], key=lambda p: p.version)
    changes = diff(
        selectors.snapshot(selectors.plan_view(old, today)),
        selectors.snapshot(selectors.plan_view(new, today)),
    )
    return [{**c.__dict__, "text": c.text} for c in changes]


@router.get("/careplans/{plan_id}/fhir", summary="FHIR R4 Bundle: CarePlan, Goals, CareTeam, Conditions")
def export_fhir(request: ApiRequest, plan_id: int) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.export")
    return fhir.bundle(selectors.snapshot(selectors.plan_view(plan, clock.today())), now=clock.now())


@router.get("/careplans/{plan_id}/suggestions", response=SuggestionsOut, summary="Problems and goals to add")
def suggestions(request: ApiRequest, plan_id: int) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id)
    found = selectors.suggestions_for(request.auth, plan, clock.today())
    return {
        "problems": [p.__dict__ for p in found.problems],
        "goals": [
            {
                "template_ref": s.ref,
                "template": s.template.title["en"],
                "description": s.goal.description["en"],
                "measure": {"system": s.goal.measure[0], "code": s.goal.measure[1]}
                if s.goal.measure
                else None,
                "target": s.resolved.target.describe() if s.resolved.target else None,
                "target_kind": s.resolved.target.kind.value if s.resolved.target else "value",
                "baseline_offset": s.resolved.baseline_offset,
                "why": s.resolved.why["en"],
                "due_date": s.due_date,
                "priority": s.goal.priority,
                "owner_role": s.goal.owner,
                "problem_key": str(problem.key) if problem else None,
                "steps": [i.description["en"] for i in s.goal.interventions],
            }
            for s, problem in found.goals
        ],
    }


# --- items -----------------------------------------------------------------------------------------


@router.post(
    "/careplans/{plan_id}/problems", response={201: PlanOut}, summary="Add a problem or health concern"
)
def add_problem(request: ApiRequest, plan_id: int, payload: ProblemIn) -> Status:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    data = services.ProblemData(**payload.dict(exclude={"lock_version"}))
    problem = services.problem_add(
        actor=request.auth, plan=plan, lock_version=payload.lock_version, data=data
    )
    return Status(201, _out(plan, problem.key))


@router.put("/careplans/{plan_id}/problems/{key}", response=PlanOut, summary="Reword a problem")
def update_problem(request: ApiRequest, plan_id: int, key: UUID, payload: ProblemUpdateIn) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    services.problem_update(
        actor=request.auth,
        plan=plan,
        lock_version=payload.lock_version,
        key=key,
        display=payload.display,
        note=payload.note,
    )
    return _out(plan, key)


@router.post("/careplans/{plan_id}/move", response=PlanOut, summary="Reprioritize an item (up or down)")
def move(request: ApiRequest, plan_id: int, payload: MoveIn) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    services.item_move(
        actor=request.auth,
        plan=plan,
        lock_version=payload.lock_version,
        kind=payload.kind,
        key=payload.key,
        direction=payload.direction,
    )
    return _out(plan, payload.key)


def _remove(request: ApiRequest, plan_id: int, kind: str, key: UUID, lock_version: int) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    services.item_remove(actor=request.auth, plan=plan, lock_version=lock_version, kind=kind, key=key)
    return _out(plan)


@router.delete("/careplans/{plan_id}/problems/{key}", response=PlanOut, summary="Remove a problem (draft)")
def remove_problem(request: ApiRequest, plan_id: int, key: UUID, lock_version: int) -> dict[str, Any]:
    return _remove(request, plan_id, "problem", key, lock_version)


@router.post(
    "/careplans/{plan_id}/goals", response={201: PlanOut}, summary="Add a goal (from a template or not)"
)
def add_goal(request: ApiRequest, plan_id: int, payload: GoalIn) -> Status:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    data = services.GoalData(**payload.dict(exclude={"lock_version", "with_template_steps"}))
    goal = services.goal_add(
        actor=request.auth,
        plan=plan,
        lock_version=payload.lock_version,
        data=data,
        with_template_steps=payload.with_template_steps,
    )
    return Status(201, _out(plan, goal.key))


@router.put("/careplans/{plan_id}/goals/{key}", response=PlanOut, summary="Replace a goal's content (draft)")
def update_goal(request: ApiRequest, plan_id: int, key: UUID, payload: GoalIn) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    data = services.GoalData(**payload.dict(exclude={"lock_version", "with_template_steps"}))
    services.goal_update(actor=request.auth, plan=plan, lock_version=payload.lock_version, key=key, data=data)
    return _out(plan, key)


@router.delete("/careplans/{plan_id}/goals/{key}", response=PlanOut, summary="Remove a goal (draft)")
def remove_goal(request: ApiRequest, plan_id: int, key: UUID, lock_version: int) -> dict[str, Any]:
    return _remove(request, plan_id, "goal", key, lock_version)


@router.post(
    "/careplans/{plan_id}/goals/{key}/status", response=PlanOut, summary="Set a goal's status by hand"
)
def set_goal_status(request: ApiRequest, plan_id: int, key: UUID, payload: GoalStatusIn) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    services.goal_set_status(
        actor=request.auth,
        plan=plan,
        lock_version=payload.lock_version,
        key=key,
        status=payload.status,
        reason=payload.reason,
    )
    return _out(plan, key)


@router.get(
    "/careplans/{plan_id}/goals/{key}/measurements",
    response=list[MeasurementOut],
    summary="A goal's values over time (imported and entered)",
)
def goal_measurements(request: ApiRequest, plan_id: int, key: UUID) -> list[selectors.Point]:
    view = selectors.plan_view(_plan(request.auth, plan_id), clock.today())
    found = next((g for g in view.goals if g.goal.key == key), None)
    if found is None:
        raise NotFound("No such goal in this plan.")
    return found.points


@router.post(
    "/careplans/{plan_id}/goals/{key}/measurements",
    response={201: PlanOut},
    summary="Record a value for a goal (active plan)",
)
def record_measurement(request: ApiRequest, plan_id: int, key: UUID, payload: MeasurementIn) -> Status:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    services.measurement_record(
        actor=request.auth,
        plan=plan,
        key=key,
        value=payload.value,
        unit=payload.unit,
        observed_on=payload.observed_on,
        note=payload.note,
    )
    return Status(201, _out(plan, key))


@router.post("/careplans/{plan_id}/interventions", response={201: PlanOut}, summary="Add an intervention")
def add_intervention(request: ApiRequest, plan_id: int, payload: InterventionIn) -> Status:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    data = services.InterventionData(**payload.dict(exclude={"lock_version"}))
    item = services.intervention_add(
        actor=request.auth, plan=plan, lock_version=payload.lock_version, data=data
    )
    return Status(201, _out(plan, item.key))


@router.put(
    "/careplans/{plan_id}/interventions/{key}", response=PlanOut, summary="Replace an intervention (draft)"
)
def update_intervention(
    request: ApiRequest, plan_id: int, key: UUID, payload: InterventionIn
) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    data = services.InterventionData(**payload.dict(exclude={"lock_version"}))
    services.intervention_update(
        actor=request.auth, plan=plan, lock_version=payload.lock_version, key=key, data=data
    )
    return _out(plan, key)


@router.delete("/careplans/{plan_id}/interventions/{key}", response=PlanOut, summary="Remove an intervention")
def remove_intervention(request: ApiRequest, plan_id: int, key: UUID, lock_version: int) -> dict[str, Any]:
    return _remove(request, plan_id, "intervention", key, lock_version)


@router.post(
    "/careplans/{plan_id}/interventions/{key}/transition",
    response=PlanOut,
    summary="Move an intervention through its states",
)
def transition(request: ApiRequest, plan_id: int, key: UUID, payload: TransitionIn) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    services.intervention_transition(
        actor=request.auth,
        plan=plan,
        lock_version=payload.lock_version,
        key=key,
        action=payload.action,
        note=payload.note,
    )
    return _out(plan, key)


@router.post("/careplans/{plan_id}/care-team", response={201: PlanOut}, summary="Add a care team member")
def add_member(request: ApiRequest, plan_id: int, payload: MemberIn) -> Status:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    data = services.MemberData(**payload.dict(exclude={"lock_version"}))
    member = services.member_add(actor=request.auth, plan=plan, lock_version=payload.lock_version, data=data)
    return Status(201, _out(plan, member.key))


@router.put("/careplans/{plan_id}/care-team/{key}", response=PlanOut, summary="Replace a care team member")
def update_member(request: ApiRequest, plan_id: int, key: UUID, payload: MemberIn) -> dict[str, Any]:
    plan = _plan(request.auth, plan_id, "careplan.edit")
    data = services.MemberData(**payload.dict(exclude={"lock_version"}))
    services.member_update(
        actor=request.auth, plan=plan, lock_version=payload.lock_version, key=key, data=data
    )
    return _out(plan, key)


@router.delete("/careplans/{plan_id}/care-team/{key}", response=PlanOut, summary="Remove a care team member")
def remove_member(request: ApiRequest, plan_id: int, key: UUID, lock_version: int) -> dict[str, Any]:
    return _remove(request, plan_id, "member", key, lock_version)
