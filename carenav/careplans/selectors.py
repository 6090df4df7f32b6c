"""Reads of care plans, scoped to the acting user: plan views with goal status and charts, snapshots
(the plain-dict form of a version used by the diff, the FHIR export and the patient copy), suggestions
from the record and the template library, and reviews due."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.assessments.codes import is_sdoh_domain
from carenav.assessments.selectors import finding_list_for
from carenav.audit.models import AuditEvent
from carenav.audit.services import audit_record
from carenav.careplans import charts, measures
from carenav.careplans.goal_status import (
    Measurement,
    Override,
    StatusResult,
    Target,
    TargetKind,
    compute_status,
    effective_status,
)
from carenav.careplans.goal_status import Status as Achievement
from carenav.careplans.library import PatientContext, Suggestion, suggest
from carenav.careplans.models import (
    FREQUENCY_LABELS,
    CarePlan,
    CareTeamMember,
    Goal,
    GoalMeasurement,
    Intervention,
    Problem,
)
from carenav.careplans.services import CODE_SYSTEMS
from carenav.core.dates import age_on
from carenav.core.errors import NotFound
from carenav.patients.models import Condition, Observation, Patient
from carenav.patients.selectors import MAX_ID, patient_get_for
from carenav.programs.models import Enrollment

OPEN_STATES = ("draft", "active")


def plans_for(user: User) -> QuerySet[CarePlan]:
    if not user.is_authenticated or not user.has_perm_enum(Permission.VIEW_PATIENT):
        return CarePlan.objects.none()
    assert user.organization_id is not None  # has_perm_enum requires an organization
    return CarePlan.objects.filter(patient__organization_id=user.organization_id)


def plan_get_for(user: User, plan_id: int, *, action: str = "careplan.view") -> CarePlan:
    """One plan version, or NotFound when absent or outside the user's scope; both audited."""
    in_range = 0 < plan_id <= MAX_ID
    plan = plans_for(user).filter(pk=plan_id).select_related("patient").first() if in_range else None
    if plan is None:
        audit_record(
            actor=user,
            action=action,
            object_type="careplan",
            object_id=plan_id if in_range else "",
            outcome=AuditEvent.Outcome.NOT_FOUND,
        )
        raise NotFound("No such care plan.")
    audit_record(
        actor=user, action=action, patient_id=plan.patient_id, object_type="careplan", object_id=plan.pk
    )
    return plan


def plan_list_for_patient(user: User, patient_id: int) -> tuple[Patient, list[CarePlan]]:
    """Every version of every plan of the patient, newest first within each plan."""
    patient = patient_get_for(user, patient_id, action="careplan.list")
    plans = list(
        CarePlan.objects.filter(patient=patient)
        .select_related("activated_by")
        .order_by("-created_at", "-version")
    )
    return patient, plans


def versions_of(plan: CarePlan) -> list[CarePlan]:
    return list(
        CarePlan.objects.filter(series=plan.series)
        .select_related("activated_by", "created_by")
        .order_by("-version")
    )


# --- goal progress ---------------------------------------------------------------------------------


def target_of(goal: Goal) -> Target:
    return Target(
        kind=TargetKind(goal.target_kind),
        comparator=goal.target_comparator or None,
        value=goal.target_value,
        low=goal.target_low,
        high=goal.target_high,
        direction=goal.target_direction or None,
        change=goal.target_change,
        change_pct=goal.target_change_pct,
    )


def measure_of(goal: Goal) -> measures.Measure | None:
    if not goal.is_measured:
        return None
    return measures.resolve(goal.measure_system, goal.measure_code, goal.measure_display, goal.measure_unit)


@dataclass
class Point:
    on: dt.date
    value: float
    source: str  # observation | entered
    note: str = ""


@dataclass
class GoalView:
    goal: Goal
    target: Target
    measure: measures.Measure | None
    target_text: str
    threshold: float | None
    status: Achievement
    reason: str
    overridden: bool
    status_date: dt.date
    points: list[Point] = field(default_factory=list)
    latest: Point | None = None
    chart_svg: str = ""
    steps_done: int = 0
    steps_total: int = 0

    @property
    def key(self) -> str:
        return str(self.goal.key)


def _obs_value(obs: Observation, measure: measures.Measure) -> float | None:
    """An imported observation's value in the measure's unit, or None when it has none we can convert."""
    if obs.value_num is None:
        return None
    try:
        return measure.to_canonical(float(obs.value_num), obs.unit)
    except measures.UnitError:
        return None


def _series(plan: CarePlan, goals: list[Goal]) -> dict[str, list[Point]]:
    """Each measured goal's values since its baseline: imported observations + values the team entered."""
    measured = [g for g in goals if g.is_measured]
    out: dict[str, list[Point]] = {str(g.key): [] for g in measured}
    if not measured:
        return out
    loinc = {g.measure_code for g in measured if g.measure_system == measures.LOINC}
    by_code: dict[str, list[Observation]] = defaultdict(list)
    if loinc:
        for obs in Observation.objects.filter(
            patient_id=plan.patient_id, loinc__in=loinc, value_num__isnull=False
        ):
            by_code[obs.loinc].append(obs)
    entered: dict[str, list[GoalMeasurement]] = defaultdict(list)
    for row in GoalMeasurement.objects.filter(
        patient_id=plan.patient_id, goal_key__in=[g.key for g in measured]
    ):
        entered[str(row.goal_key)].append(row)
    for g in measured:
        measure = measure_of(g)
        assert measure is not None
        since = g.baseline_date or g.start_date
        points = out[str(g.key)]
        if g.measure_system == measures.LOINC:
            for obs in by_code.get(g.measure_code, []):
                day = timezone.localdate(obs.effective)
                if day < since:
                    continue
                value = _obs_value(obs, measure)
                if value is not None:  # an imported value in a unit we cannot convert is left off the chart
                    points.append(Point(day, value, "observation"))
        points += [Point(r.observed_on, r.value, "entered", r.note) for r in entered.get(str(g.key), [])]
        points.sort(key=lambda p: (p.on, p.source))
    return out


def goal_view(goal: Goal, points: list[Point], today: dt.date, steps: tuple[int, int] = (0, 0)) -> GoalView:
    target = target_of(goal)
    measure = measure_of(goal)

    def fmt(v: float | None) -> str:
        if v is None:
            return ""
        return measure.format(v) if measure else f"{v:g}"

    # Points on the baseline day are the baseline itself, not progress.
    progress = [
        p for p in points if goal.baseline_value is None or p.on > (goal.baseline_date or goal.start_date)
    ]
    done, total = steps
    result: StatusResult = compute_status(
        target=target,
        measurements=[Measurement(p.on, p.value, p.source) for p in progress],
        today=today,
        due_date=goal.due_date,
        baseline=goal.baseline_value,
        milestone_done=total > 0 and done == total,
        fmt=fmt,
    )
    override = (
        Override(Achievement(goal.status_override), goal.status_override_reason, goal.status_override_on)
        if goal.status_override and goal.status_override_on
        else None
    )
    status, reason, overridden = effective_status(result, override)
    latest = points[-1] if points else None
    status_date = (
        goal.status_override_on
        if overridden and goal.status_override_on
        else (latest.on if latest else goal.start_date)
    )
    baseline = goal.baseline_value
    if baseline is None and target.kind == TargetKind.DIRECTION and points:
        baseline = points[0].value
    view = GoalView(
        goal=goal,
        target=target,
        measure=measure,
        target_text=target.describe(fmt, baseline) if target.is_measured else "done when its steps are done",
        threshold=target.threshold(baseline),
        status=status,
        reason=reason,
        overridden=overridden,
        status_date=status_date,
        points=points,
        latest=latest,
        steps_done=done,
        steps_total=total,
    )
    if measure is not None:
        view.chart_svg = charts.goal_chart(
            points=[Measurement(p.on, p.value, p.source) for p in points],
            target=target,
            baseline=baseline,
            start=goal.baseline_date or goal.start_date,
            due=goal.due_date,
            today=today,
            unit=measure.unit_label,
            title=f"{measure.label()}: {view.target_text}",
        )
    return view


@dataclass
class PlanView:
    plan: CarePlan
    members: list[CareTeamMember]
    problems: list[Problem]
    goals: list[GoalView]
    interventions: list[Intervention]
    today: dt.date

    @property
    def review_overdue(self) -> bool:
        return self.plan.is_active and self.plan.review_due is not None and self.plan.review_due < self.today

    @property
    def review_soon(self) -> bool:
        due = self.plan.review_due
        return (
            self.plan.is_active
            and due is not None
            and self.today <= due <= self.today + dt.timedelta(days=30)
        )

    def member(self, pk: int | None) -> CareTeamMember | None:
        return next((m for m in self.members if m.pk == pk), None)


def plan_view(plan: CarePlan, today: dt.date) -> PlanView:
    """A version with its items and each goal's status and chart, in a fixed number of queries."""
    members = list(plan.care_team.select_related("user").order_by("position", "id"))
    problems = list(plan.problems.select_related("condition").order_by("position", "id"))
    goals = list(
        plan.goals.select_related("owner_member").prefetch_related(
            Prefetch("problems", queryset=Problem.objects.order_by("position"))
        )
    )
    interventions = list(
        plan.interventions.select_related("goal", "problem", "performer_member").order_by("position", "id")
    )
    steps: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for item in interventions:
        if item.goal_id and item.status != "cancelled":
            steps[item.goal_id][1] += 1
            steps[item.goal_id][0] += item.status == "completed"
    series = _series(plan, goals)
    views = [goal_view(g, series.get(str(g.key), []), today, (steps[g.pk][0], steps[g.pk][1])) for g in goals]
    return PlanView(
        plan=plan, members=members, problems=problems, goals=views, interventions=interventions, today=today
    )


# --- snapshot --------------------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def snapshot(view: PlanView) -> dict[str, Any]:
    """The plain-dict form of one version (see tests/careplans/snapshots.py for an example)."""
    plan, patient = view.plan, view.plan.patient
    keys = {m.pk: str(m.key) for m in view.members}
    goal_keys = {gv.goal.pk: gv.key for gv in view.goals}
    problem_keys = {p.pk: str(p.key) for p in view.problems}
    activated = plan.activated_by.display_name if plan.activated_by else ""
    return {
        "id": str(plan.uid),
        "series": str(plan.series),
        "version": plan.version,
        "status": plan.status,
        "title": plan.title,
        "program_codes": list(plan.program_codes),
        "patient": {
            "id": patient.pk,
            "name": f"{patient.given_name} {patient.family_name}".strip(),
            "birth_date": _date(patient.birth_date),
            "reference": f"Patient/{patient.pk}",
        },
        "created_at": _when(plan.created_at),
        "activated_at": _when(plan.activated_at),
        "ended_at": _when(plan.ended_at),
        "review_due": _date(plan.review_due),
        "replaces": str(plan.previous.uid) if plan.previous_id and plan.previous else None,
        "agreement": {
            "agreed_by": plan.agreed_by,
            "representative_name": plan.representative_name,
            "method": plan.agreement_method,
            "care_manager": activated,
            "pcp": plan.pcp_agreed_name,
            "agreed_on": _when(plan.agreed_at),
        }
        if plan.agreed_at
        else None,
        "preferences": {
            "what_matters": plan.what_matters,
            "language": plan.preferred_language,
            "contact_times": plan.contact_times,
            "contact_method": plan.contact_method,
            "cultural": plan.cultural_preferences,
            "involved": plan.involved_people,
            "barriers": list(plan.barriers),
            "barriers_note": plan.barriers_note,
        },
        "problems": [
            {
                "key": str(p.key),
                "rank": i,
                "source": p.source,
                "category": p.category_key,
                "sdoh_category": p.sdoh_category or None,
                "system": p.system,
                "code": p.code,
                "display": p.display,
                "note": p.note,
                "recorded_on": _date(p.recorded_on),
            }
            for i, p in enumerate(view.problems, start=1)
        ],
        "goals": [
            {
                "key": gv.key,
                "description": gv.goal.description,
                "template_ref": gv.goal.template_ref,
                "measure": {
                    "system": gv.measure.system,
                    "code": gv.measure.code,
                    "display": gv.measure.display,
                    "unit": gv.measure.unit,
                    "unit_label": gv.measure.unit_label,
                }
                if gv.measure
                else None,
                "baseline": gv.goal.baseline_value,
                "baseline_date": _date(gv.goal.baseline_date),
                "target": _target_dict(gv.target),
                "target_text": gv.target_text,
                "target_threshold": gv.threshold,
                "start_date": _date(gv.goal.start_date),
                "due_date": _date(gv.goal.due_date),
                "priority": gv.goal.priority,
                "owner_role": gv.goal.owner_role,
                "owner_key": keys.get(gv.goal.owner_member_id) if gv.goal.owner_member_id else None,
                "problem_keys": [problem_keys[p.pk] for p in gv.goal.problems.all() if p.pk in problem_keys],
                "sdoh_category": gv.goal.sdoh_category
                or next((p.sdoh_category for p in gv.goal.problems.all() if p.sdoh_category), None),
                "status": {
                    "code": gv.status.value,
                    "label": gv.status.label,
                    "reason": gv.reason,
                    "date": _date(gv.status_date),
                    "overridden": gv.overridden,
                    "latest_value": gv.latest.value if gv.latest else None,
                },
            }
            for gv in view.goals
        ],
        "interventions": [
            {
                "key": str(i.key),
                "description": i.description,
                "template_ref": i.template_ref,
                "performer_role": i.performer_role,
                "performer_key": keys.get(i.performer_member_id) if i.performer_member_id else None,
                "frequency": i.frequency,
                "frequency_text": FREQUENCY_LABELS.get(i.frequency, i.frequency),
                "details": i.details,
                "start_date": _date(i.start_date),
                "due_date": _date(i.due_date),
                "goal_key": goal_keys.get(i.goal_id) if i.goal_id else None,
                "problem_key": problem_keys.get(i.problem_id) if i.problem_id else None,
                "status": i.status,
            }
            for i in view.interventions
        ],
        "care_team": [
            {
                "key": str(m.key),
                "role": m.role,
                "name": m.name,
                "organization": m.organization_name,
                "phone": m.phone,
                "email": m.email,
                "relationship": m.relationship,
                "is_user": m.is_user,
                "note": m.note,
                "is_primary_contact": m.is_primary_contact,
            }
            for m in view.members
        ],
    }


def _target_dict(target: Target) -> dict[str, Any]:
    raw = {
        "kind": target.kind.value,
        "comparator": target.comparator,
        "value": target.value,
        "low": target.low,
        "high": target.high,
        "direction": target.direction,
        "change": target.change,
        "change_pct": target.change_pct,
    }
    return {k: v for k, v in raw.items() if v is not None}


# --- suggestions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemSuggestion:
    source: str  # condition | finding
    display: str
    system: str
    code: str
    category_key: str
    sdoh_category: str
    why: str
    condition_id: int | None = None
    finding_ref: str = ""


def _condition_categories(condition: Condition) -> list[tuple[str, str, str]]:
    """(category key, SDOH category, reason) for each care-plan-relevant category of the condition."""
    from carenav.terminology import valuesets

    out = []
    for match in valuesets.classify(condition.system, condition.code):
        if match.valueset == "chronic" or match.valueset == "behavioral_risk":
            out.append((match.category, "", match.reason))
        elif match.valueset == "sdoh":
            gravity = (
                valuesets.get_valueset("sdoh").category(match.category).attributes.get("gravity_category", "")
            )
            key = gravity if gravity and gravity != "sdoh-category-unspecified" else match.category
            out.append((key, gravity, match.reason))
    return out


def _findings(user: User, patient: Patient) -> list[tuple[Any, bool]]:
    """Active assessment findings with whether each is a social need."""
    return [(f, is_sdoh_domain(f.domain)) for f in finding_list_for(user, patient, active_only=True)]


def patient_context(patient: Patient, today: dt.date) -> PatientContext:
    chronic: set[str] = set()
    for condition in patient.conditions.filter(clinical_status__in=Condition.ACTIVE_STATUSES):
        chronic.update(key for key, sdoh, _ in _condition_categories(condition) if not sdoh)
    return PatientContext(
        age=age_on(patient.birth_date, today),
        sex=patient.sex,
        categories=frozenset(chronic),
        chronic_count=len(chronic),
    )


@dataclass
class Suggestions:
    problems: list[ProblemSuggestion]
    goals: list[tuple[Suggestion, Problem | None]]
    context: PatientContext


def suggestions_for(user: User, plan: CarePlan, today: dt.date) -> Suggestions:
    """Problems from the record not yet in the plan, and template goals for the plan's problems."""
    patient = plan.patient
    existing = list(plan.problems.order_by("position", "id"))
    have_conditions = {p.condition_id for p in existing if p.condition_id}
    have_codes = {(p.system, p.code) for p in existing if p.code}
    have_keys = {p.category_key for p in existing if p.category_key}
    problems: list[ProblemSuggestion] = []
    for condition in patient.conditions.filter(clinical_status__in=Condition.ACTIVE_STATUSES).order_by(
        "display"
    ):
        system = CODE_SYSTEMS.get(condition.system, condition.system)
        if condition.pk in have_conditions or (system, condition.code) in have_codes:
            continue
        for key, sdoh, reason in _condition_categories(condition)[:1]:
            problems.append(
                ProblemSuggestion(
                    "condition",
                    condition.display or condition.code,
                    system,
                    condition.code,
                    key,
                    sdoh,
                    reason,
                    condition_id=condition.pk,
                )
            )
    seen_domains: set[str] = set()
    for finding, social in _findings(user, patient):
        if finding.domain in have_keys or finding.domain in seen_domains:
            continue
        seen_domains.add(finding.domain)
        problems.append(
            ProblemSuggestion(
                "finding",
                finding.display,
                finding.code_system,
                finding.code,
                finding.domain,
                finding.domain if social else "",
                f"{finding.instrument_id} on {timezone.localdate(finding.created_at):%Y-%m-%d}"
                + (f" ({finding.severity})" if finding.severity else ""),
                finding_ref=str(finding.response_id),
            )
        )
    context = patient_context(patient, today)
    keys = [p.category_key for p in existing if p.category_key]
    in_plan = list(plan.goals.exclude(template_ref="").values_list("template_ref", flat=True))
    baselines = _latest_values(patient)
    goal_suggestions = suggest(keys, context, today, baselines=baselines, exclude_refs=in_plan)
    by_key = {p.category_key: p for p in existing}
    return Suggestions(
        problems=problems,
        goals=[(s, by_key.get(s.trigger)) for s in goal_suggestions],
        context=context,
    )


def _latest_values(patient: Patient) -> dict[tuple[str, str], float]:
    """Latest imported value of each catalog LOINC measure, in the measure's unit (baselines)."""
    codes = {m.code: m for m in measures.catalog().measures if m.system == measures.LOINC}
    latest: dict[tuple[str, str], float] = {}
    observations = Observation.objects.filter(patient=patient, loinc__in=codes, value_num__isnull=False)
    for obs in observations.order_by("-effective"):
        key = (measures.LOINC, obs.loinc)
        value = None if key in latest else _obs_value(obs, codes[obs.loinc])
        if value is not None:
            latest[key] = value
    return latest


def latest_measurement(patient: Patient, system: str, code: str) -> tuple[float, dt.date] | None:
    """The newest imported or entered value of a measure for the patient (a baseline to start from)."""
    measure = measures.catalog().get(system, code)
    best: tuple[float, dt.date] | None = None
    if system == measures.LOINC and measure is not None:
        observations = Observation.objects.filter(patient=patient, loinc=code, value_num__isnull=False)
        for obs in observations.order_by("-effective")[:5]:
            value = _obs_value(obs, measure)
            if value is not None:
                best = (value, timezone.localdate(obs.effective))
                break
    entered = (
        GoalMeasurement.objects.filter(patient=patient, measure_system=system, measure_code=code)
        .order_by("-observed_on", "-id")
        .first()
    )
    if entered is not None and (best is None or entered.observed_on > best[1]):
        best = (entered.value, entered.observed_on)
    return best


# --- reviews ---------------------------------------------------------------------------------------


def reviews_due_for(user: User, today: dt.date, *, within_days: int = 30) -> QuerySet[CarePlan]:
    """Active plans whose review is overdue or due within ``within_days``, most overdue first."""
    horizon = today + dt.timedelta(days=within_days)
    audit_record(actor=user, action="careplan.reviews")
    return (
        plans_for(user)
        .filter(status="active", review_due__lte=horizon)
        .select_related("patient", "patient__care_manager")
        .order_by("review_due", "id")
    )


def enrolled_programs(patient: Patient) -> list[str]:
    """Codes of the programs the patient is actively enrolled in."""
    codes = Enrollment.objects.filter(patient=patient, status="active").values_list("program_code", flat=True)
    return sorted(set(codes))


def current_plans_for_patient(patient: Patient) -> list[CarePlan]:
    """The open versions (active and drafts) of the patient's plans, actives first."""
    return list(
        CarePlan.objects.filter(patient=patient, status__in=OPEN_STATES).order_by("status", "-created_at")
    )
