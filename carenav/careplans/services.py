"""Every write to a care plan: transactional, audited, checked against the state machine and the lock.

Rules that live here (and nowhere else, so the pages and the API agree):

- A draft takes content edits (problems, preferences, goals, interventions, care team); the active version
  takes progress (measurements, goal status overrides, intervention status). Changing an active plan means
  revising it: a new draft version, activated with a fresh agreement.
- Every write names the ``lock_version`` it was based on; a stale one is a 409 conflict, nothing saved.
- One open (draft or active) plan per patient per program. A plan lists the programs it serves, so a
  patient in CCM and BHI has one comprehensive plan serving both; a plan with no program is the patient's
  general plan and counts as its own program.
- Input is validated before anything is written; a broken rule raises DomainError naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.audit.services import audit_record
from carenav.careplans import measures
from carenav.careplans.goal_status import Status as Achievement
from carenav.careplans.goal_status import Target, TargetError, TargetKind
from carenav.careplans.library import FREQUENCIES, PRIORITIES, ROLES, library
from carenav.careplans.machines import (
    CONTENT_EDITABLE,
    INTERVENTION,
    PLAN,
    PROGRESS_EDITABLE,
    TransitionError,
)
from carenav.careplans.models import (
    BARRIERS,
    CarePlan,
    CareTeamMember,
    Goal,
    GoalMeasurement,
    Intervention,
    Problem,
)
from carenav.core import clock
from carenav.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from carenav.patients.models import Condition, Patient

PROGRAM_CODE = re.compile(r"^[A-Z][A-Z0-9_-]{1,15}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
CODE_SYSTEMS = {
    "icd10cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "icd10": "http://hl7.org/fhir/sid/icd-10",
    "snomed": "http://snomed.info/sct",
    "loinc": "http://loinc.org",
}


def review_months() -> int:
    """Months from activation to the plan's review (CAREPLAN_REVIEW_MONTHS, at most and by default 12)."""
    return min(int(getattr(settings, "CAREPLAN_REVIEW_MONTHS", 12)), 12)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- guards ----------------------------------------------------------------------------------------


def _require(actor: User, patient: Patient, permission: Permission = Permission.EDIT_CAREPLAN) -> None:
    if patient.organization_id != actor.organization_id:
        raise NotFound("No such care plan.")
    if not actor.has_perm_enum(permission):
        raise PermissionDenied("You cannot change care plans.")


def _lock(actor: User, plan: CarePlan, lock_version: int | None) -> CarePlan:
    """Claim the version for this write, or refuse if someone changed it since the editor loaded it."""
    _require(actor, plan.patient)
    if lock_version is None:
        raise DomainError("The request must say which version of the plan it edits.", field="lock_version")
    claimed = CarePlan.objects.filter(pk=plan.pk, lock_version=lock_version).update(
        lock_version=F("lock_version") + 1, updated_at=clock.now(), updated_by=actor
    )
    if not claimed:
        current = CarePlan.objects.select_related("updated_by").get(pk=plan.pk)
        who = current.updated_by.display_name if current.updated_by else "someone else"
        when = timezone.localtime(current.updated_at).strftime("%H:%M")
        raise Conflict(
            f"{who} changed this plan at {when}, after you opened it. Nothing was saved: "
            f"reload the plan to see their changes, then make yours again.",
            field="lock_version",
        )
    plan.refresh_from_db()
    return plan


def _content(plan: CarePlan) -> None:
    if plan.status not in CONTENT_EDITABLE:
        raise DomainError(
            f"Version {plan.version} is {plan.status}; only a draft can be edited. "
            "Start a revision to change an active plan."
        )


def _progress(plan: CarePlan) -> None:
    if plan.status not in PROGRESS_EDITABLE:
        raise DomainError(f"Progress is recorded on the active plan; this version is {plan.status}.")


def _audit(actor: User, plan: CarePlan, action: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=f"careplan.{action}",
        patient_id=plan.patient_id,
        object_type="careplan",
        object_id=plan.pk,
        detail={"version": plan.version, **detail},
    )


def _next_position(items: Any) -> int:
    return (items.aggregate(m=Max("position"))["m"] or 0) + 1


def _text(value: str | None, field_name: str, label: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(f"Enter {label}.", field=field_name)
    if len(text) > limit:
        raise DomainError(f"{label.capitalize()} is too long (at most {limit} characters).", field=field_name)
    return text


def _choice(value: str, allowed: tuple[str, ...] | list[str], field_name: str) -> str:
    if value not in allowed:
        raise DomainError(f"'{value}' is not one of: {', '.join(allowed)}.", field=field_name)
    return value


def _programs(codes: list[str]) -> list[str]:
    cleaned = sorted({c.strip().upper() for c in codes if c.strip()})
    for code in cleaned:
        if not PROGRAM_CODE.match(code):
            raise DomainError(f"'{code}' is not a program code (e.g. CCM, PCM, BHI).", field="program_codes")
    return cleaned


def _program_clash(patient: Patient, programs: list[str], series: Any = None) -> None:
    """One open plan per patient per program (no program = the patient's general plan)."""
    wanted = set(programs) or {""}
    others = CarePlan.objects.filter(patient=patient, status__in=["draft", "active"]).exclude(series=series)
    for other in others:
        shared = wanted & (set(other.program_codes) or {""})
        if shared:
            names = ", ".join(sorted(shared)) or "no specific program"
            raise DomainError(
                f"{patient.display_name} already has an open plan for {names} ('{other.title}', version "
                f"{other.version}, {other.status}); add to that plan instead.",
                field="program_codes",
            )


# --- plan lifecycle --------------------------------------------------------------------------------


@transaction.atomic
def careplan_create(*, actor: User, patient: Patient, program_codes: list[str], title: str = "") -> CarePlan:
    """A new draft plan, version 1, with the patient, the care manager and recorded caregivers on the team."""
    _require(actor, patient)
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # serialize creations per patient
    programs = _programs(program_codes)
    _program_clash(patient, programs)
    now = clock.now()
    plan = CarePlan.objects.create(
        patient=patient,
        title=_text(title, "title", "a title", 120) or "Comprehensive care plan",
        program_codes=programs,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
        preferred_language=patient.preferred_language or "en",
    )
    manager = actor if actor.role == "care_manager" else patient.care_manager or actor
    team = [
        CareTeamMember(
            plan=plan,
            role="patient",
            name=f"{patient.given_name} {patient.family_name}".strip(),
            phone=patient.phone,
            email=patient.email,
            position=1,
        ),
        CareTeamMember(
            plan=plan,
            role="care_manager",
            name=manager.display_name,
            user=manager,
            email=manager.email,
            organization_name=str(actor.organization or ""),
            is_primary_contact=True,
            position=2,
        ),
    ]
    for i, caregiver in enumerate(patient.caregivers.all(), start=3):
        team.append(
            CareTeamMember(
                plan=plan,
                role="caregiver",
                name=caregiver.name,
                phone=caregiver.phone,
                email=caregiver.email,
                relationship=caregiver.relationship,
                caregiver=caregiver,
                position=i,
            )
        )
    CareTeamMember.objects.bulk_create(team)
    _audit(actor, plan, "create", programs=programs)
    return plan


PLAN_FIELDS = {
    "title": ("a title", 120),
    "what_matters": ("what matters most", 4000),
    "contact_times": ("contact times", 200),
    "contact_method": ("a contact method", 60),
    "cultural_preferences": ("cultural or religious preferences", 4000),
    "involved_people": ("who may be involved", 4000),
    "barriers_note": ("barrier notes", 4000),
}


@transaction.atomic
def careplan_update(*, actor: User, plan: CarePlan, lock_version: int | None, **changes: Any) -> CarePlan:
    """Title, programs and the patient's priorities and preferences (draft only)."""
    unknown = set(changes) - set(PLAN_FIELDS) - {"program_codes", "preferred_language", "barriers"}
    if unknown:
        raise DomainError(f"Unknown plan field(s): {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    _content(plan)
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name in PLAN_FIELDS:
            label, limit = PLAN_FIELDS[name]
            cleaned[name] = _text(value, name, label, limit, required=name == "title")
        elif name == "program_codes":
            cleaned[name] = _programs(value)
            _program_clash(plan.patient, cleaned[name], series=plan.series)
        elif name == "preferred_language":
            if not LANGUAGE_CODE.match(value or ""):
                raise DomainError("Use a language code such as en, es or es-MX.", field=name)
            cleaned[name] = value
        elif name == "barriers":
            bad = [b for b in value if b not in BARRIERS]
            if bad:
                raise DomainError(f"Unknown barrier(s): {', '.join(bad)}.", field=name)
            cleaned[name] = [b for b in BARRIERS if b in value]
    _lock(actor, plan, lock_version)
    for name, value in cleaned.items():
        setattr(plan, name, value)
    plan.save(update_fields=list(cleaned) or None)
    _audit(actor, plan, "update", fields=sorted(cleaned))
    return plan


@dataclass(frozen=True)
class Agreement:
    agreed_by: str  # patient | representative
    method: str  # verbally | signed
    representative_name: str = ""
    pcp_name: str = ""
    agreed_at: dt.datetime | None = None
    review_due: dt.date | None = None


@transaction.atomic
def careplan_activate(
    *, actor: User, plan: CarePlan, lock_version: int | None, agreement: Agreement
) -> CarePlan:
    """Record the agreement and make this version the active plan; the version it revises is superseded."""
    _require(actor, plan.patient)
    try:
        PLAN.apply(plan.status, "activate")
    except TransitionError as exc:
        raise DomainError(str(exc)) from exc
    _choice(agreement.agreed_by, list(CarePlan.AgreedBy.values), "agreed_by")
    _choice(agreement.method, list(CarePlan.AgreementMethod.values), "agreement_method")
    representative = _text(
        agreement.representative_name, "representative_name", "the representative's name", 200
    )
    if agreement.agreed_by == "representative" and not representative:
        raise DomainError("Enter the name of the representative who agreed.", field="representative_name")
    now, today = clock.now(), clock.today()
    agreed_at = agreement.agreed_at or now
    if agreed_at > now:
        raise DomainError("The agreement cannot be in the future.", field="agreed_at")
    default_review = add_months(today, review_months())
    review_due = agreement.review_due or default_review
    if not today < review_due <= default_review:
        raise DomainError(
            f"The review must fall after today and no later than {default_review:%Y-%m-%d}.",
            field="review_due",
        )
    if not plan.problems.exists():
        raise DomainError("Add at least one problem or health concern before activating.", field="problems")
    if not plan.goals.exists():
        raise DomainError("Add at least one goal before activating.", field="goals")
    _program_clash(plan.patient, plan.program_codes, series=plan.series)
    _lock(actor, plan, lock_version)
    current = CarePlan.objects.select_for_update().filter(series=plan.series, status="active").first()
    if current is not None:
        current.status = PLAN.apply(current.status, "supersede")
        current.ended_at = now
        current.end_reason = f"Revised by version {plan.version}."
        current.save(update_fields=["status", "ended_at", "end_reason"])
        _audit(actor, current, "supersede", by_version=plan.version)
    plan.status = "active"
    plan.activated_at, plan.activated_by = now, actor
    plan.agreed_by, plan.agreement_method = agreement.agreed_by, agreement.method
    plan.representative_name = representative
    plan.pcp_agreed_name = _text(agreement.pcp_name, "pcp_name", "the primary care provider's name", 200)
    plan.agreed_at, plan.review_due = agreed_at, review_due
    plan.save()
    _audit(
        actor,
        plan,
        "activate",
        agreed_by=agreement.agreed_by,
        method=agreement.method,
        review_due=review_due.isoformat(),
    )
    return plan


@transaction.atomic
def careplan_revise(*, actor: User, plan: CarePlan, lock_version: int | None) -> CarePlan:
    """Start a new draft version from the active one, copying every item with its key."""
    _require(actor, plan.patient)
    try:
        PLAN.apply(plan.status, "revise")
    except TransitionError as exc:
        raise DomainError(str(exc)) from exc
    existing = CarePlan.objects.filter(series=plan.series, status="draft").first()
    if existing is not None:
        raise DomainError(f"Version {existing.version} is already being written as a revision of this plan.")
    _lock(actor, plan, lock_version)
    now = clock.now()
    copy_fields = {
        f.name: getattr(plan, f.name)
        for f in CarePlan._meta.concrete_fields
        if f.name in {"series", "patient", "title", "program_codes", "preferred_language", "barriers"}
        or f.name in PLAN_FIELDS
    }
    draft = CarePlan.objects.create(
        **copy_fields,
        version=plan.version + 1,
        previous=plan,
        status="draft",
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    _copy_items(plan, draft)
    _audit(actor, draft, "revise", from_version=plan.version)
    return draft


def _clone(obj: Any, **overrides: Any) -> Any:
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}
    values.update(overrides)
    return type(obj)(**values)


def _copy_items(source: CarePlan, target: CarePlan) -> None:
    members = {m.pk: _clone(m, plan_id=target.pk) for m in source.care_team.all()}
    CareTeamMember.objects.bulk_create(members.values())
    problems = {p.pk: _clone(p, plan_id=target.pk) for p in source.problems.all()}
    Problem.objects.bulk_create(problems.values())
    goals_src = list(source.goals.prefetch_related("problems"))
    goals = {
        g.pk: _clone(
            g, plan_id=target.pk, owner_member_id=members[g.owner_member_id].pk if g.owner_member_id else None
        )
        for g in goals_src
    }
    Goal.objects.bulk_create(goals.values())
    links = [
        Goal.problems.through(goal_id=goals[g.pk].pk, problem_id=problems[p.pk].pk)
        for g in goals_src
        for p in g.problems.all()
    ]
    Goal.problems.through.objects.bulk_create(links)
    Intervention.objects.bulk_create(
        _clone(
            i,
            plan_id=target.pk,
            goal_id=goals[i.goal_id].pk if i.goal_id else None,
            problem_id=problems[i.problem_id].pk if i.problem_id else None,
            performer_member_id=members[i.performer_member_id].pk if i.performer_member_id else None,
        )
        for i in source.interventions.all()
    )


@transaction.atomic
def careplan_end(
    *, actor: User, plan: CarePlan, lock_version: int | None, action: str, reason: str
) -> CarePlan:
    """Complete (active only) or cancel (a draft, or an active plan, with a reason)."""
    _require(actor, plan.patient)
    if action not in ("complete", "cancel"):
        raise DomainError("The plan can be completed or cancelled.", field="action")
    try:
        new_status = PLAN.apply(plan.status, action)
    except TransitionError as exc:
        raise DomainError(str(exc)) from exc
    reason = _text(reason, "reason", "the reason", 2000, required=plan.status == "active")
    _lock(actor, plan, lock_version)
    plan.status, plan.ended_at, plan.end_reason = new_status, clock.now(), reason
    plan.save(update_fields=["status", "ended_at", "end_reason"])
    _audit(actor, plan, action, reason=reason[:200])
    return plan


# --- problems --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemData:
    display: str = ""
    system: str = ""
    code: str = ""
    category_key: str = ""
    sdoh_category: str = ""
    source: str = "manual"
    condition_id: int | None = None
    finding_ref: str = ""
    note: str = ""


def _problem_fields(plan: CarePlan, data: ProblemData) -> dict[str, Any]:
    values: dict[str, Any] = {
        "source": _choice(data.source, list(Problem.Source.values), "source"),
        "display": _text(data.display, "display", "the problem", 300),
        "system": _text(data.system, "system", "the code system", 120),
        "code": _text(data.code, "code", "the code", 40),
        "category_key": _text(data.category_key, "category_key", "the category", 60),
        "sdoh_category": _text(data.sdoh_category, "sdoh_category", "the SDOH category", 60),
        "finding_ref": _text(data.finding_ref, "finding_ref", "the finding", 64),
        "note": _text(data.note, "note", "the note", 4000),
        "condition": None,
    }
    if data.source == "condition":
        condition = (
            Condition.objects.filter(pk=data.condition_id, patient_id=plan.patient_id).first()
            if data.condition_id is not None
            else None
        )
        if condition is None:
            raise DomainError("That condition is not on this patient's record.", field="condition_id")
        values.update(
            condition=condition,
            system=CODE_SYSTEMS.get(condition.system, condition.system),
            code=condition.code,
            display=values["display"] or condition.display or condition.code,
            recorded_on=condition.recorded_date or condition.onset_date,
        )
    if not values["display"]:
        raise DomainError("Describe the problem or health concern.", field="display")
    return values


@transaction.atomic
def problem_add(*, actor: User, plan: CarePlan, lock_version: int | None, data: ProblemData) -> Problem:
    _content(plan)
    values = _problem_fields(plan, data)
    duplicate = (
        (values["condition"] is not None and plan.problems.filter(condition=values["condition"]).exists())
        or (values["code"] and plan.problems.filter(system=values["system"], code=values["code"]).exists())
        or plan.problems.filter(display__iexact=values["display"]).exists()
    )
    if duplicate:
        raise DomainError(f"'{values['display']}' is already in the plan.", field="display")
    _lock(actor, plan, lock_version)
    values.setdefault("recorded_on", clock.today())
    problem = Problem.objects.create(plan=plan, position=_next_position(plan.problems), **values)
    _audit(actor, plan, "problem_add", key=str(problem.key), display=problem.display[:100])
    return problem


def _item(model: Any, plan: CarePlan, key: Any, label: str) -> Any:
    item = model.objects.filter(plan=plan, key=key).first()
    if item is None:
        raise NotFound(f"No such {label} in this plan.")
    return item


@transaction.atomic
def problem_update(
    *, actor: User, plan: CarePlan, lock_version: int | None, key: Any, display: str, note: str
) -> Problem:
    _content(plan)
    problem = _item(Problem, plan, key, "problem")
    problem.display = _text(display, "display", "the problem", 300, required=True)
    problem.note = _text(note, "note", "the note", 4000)
    _lock(actor, plan, lock_version)
    problem.save(update_fields=["display", "note"])
    _audit(actor, plan, "problem_update", key=str(key))
    return problem


ITEM_MODELS: dict[str, Any] = {
    "problem": Problem,
    "goal": Goal,
    "intervention": Intervention,
    "member": CareTeamMember,
}


@transaction.atomic
def item_move(
    *, actor: User, plan: CarePlan, lock_version: int | None, kind: str, key: Any, direction: str
) -> None:
    """Prioritize: move a problem, goal, intervention or member one place up or down."""
    _content(plan)
    model = ITEM_MODELS.get(kind)
    if model is None or direction not in ("up", "down"):
        raise DomainError("Move a problem, goal, intervention or member up or down.", field="direction")
    items = list(model.objects.filter(plan=plan).order_by("position", "id"))
    index = next((i for i, it in enumerate(items) if str(it.key) == str(key)), None)
    if index is None:
        raise NotFound(f"No such {kind} in this plan.")
    other = index - 1 if direction == "up" else index + 1
    _lock(actor, plan, lock_version)
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, it in enumerate(items, start=1):
        it.position = position
    model.objects.bulk_update(items, ["position"])
    _audit(actor, plan, f"{kind}_move", key=str(key), direction=direction)


@transaction.atomic
def item_remove(*, actor: User, plan: CarePlan, lock_version: int | None, kind: str, key: Any) -> None:
    _content(plan)
    model = ITEM_MODELS.get(kind)
    if model is None:
        raise DomainError("Remove a problem, goal, intervention or member.", field="kind")
    item = _item(model, plan, key, kind)
    if kind == "member" and item.role == "patient":
        raise DomainError("The patient is always on their own care team.", field="role")
    _lock(actor, plan, lock_version)
    item.delete()
    _audit(actor, plan, f"{kind}_remove", key=str(key))


# --- goals -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalData:
    description: str = ""
    target_kind: str = ""
    measure_system: str = ""
    measure_code: str = ""
    measure_display: str = ""
    unit: str = ""  # unit the baseline and target are given in; empty = the measure's unit
    baseline_value: float | None = None
    baseline_date: dt.date | None = None
    target_comparator: str = ""
    target_value: float | None = None
    target_low: float | None = None
    target_high: float | None = None
    target_direction: str = ""
    target_change: float | None = None
    target_change_pct: float | None = None
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    priority: str = "medium"
    owner_role: str = "patient"
    owner_key: str = ""
    problem_keys: list[str] = field(default_factory=list)
    template_ref: str = ""
    rationale: str = ""
    sdoh_category: str = ""


def _goal_fields(plan: CarePlan, data: GoalData, today: dt.date, existing: Goal | None) -> dict[str, Any]:
    """Validate a goal completely before anything is written; returns model field values."""
    out: dict[str, Any] = {
        "description": _text(data.description, "description", "the goal in the patient's words", 4000, True),
        "template_ref": _text(data.template_ref, "template_ref", "the template", 120),
        "rationale": _text(data.rationale, "rationale", "the rationale", 4000),
        "sdoh_category": _text(data.sdoh_category, "sdoh_category", "the SDOH category", 60),
        "priority": _choice(data.priority, PRIORITIES, "priority"),
        "owner_role": _choice(data.owner_role, ROLES, "owner_role"),
    }
    kinds = [k.value for k in TargetKind]
    if data.target_kind not in kinds:
        raise DomainError(
            "Choose the kind of target: value, range, direction or milestone.", field="target_kind"
        )
    kind = TargetKind(data.target_kind)
    measure = None
    if kind != TargetKind.MILESTONE:
        if not data.measure_code.strip():
            raise DomainError(
                "A measurable target needs a measure (e.g. HbA1c, systolic blood pressure, weight, PHQ-9).",
                field="measure_code",
            )
        system = data.measure_system or measures.LOINC
        if measures.catalog().get(system, data.measure_code) is None and not data.unit.strip():
            raise DomainError("Give the unit of this measure (it is not in the catalog).", field="unit")
        try:
            measure = measures.resolve(system, data.measure_code.strip(), data.measure_display, data.unit)
        except ValueError as exc:
            raise DomainError(str(exc), field="measure_code") from exc
    elif data.measure_code.strip():
        raise DomainError(
            "A milestone goal has no measure: choose a value, range or direction target for the measure, "
            "or clear the measure.",
            field="target_kind",
        )

    def canonical(value: float | None, name: str, plausible: bool = True) -> float | None:
        if value is None or measure is None:
            return None
        try:
            converted = measure.to_canonical(float(value), data.unit)
            if plausible:
                measure.check_plausible(converted)
        except ValueError as exc:  # UnitError included
            raise DomainError(
                str(exc), field="unit" if isinstance(exc, measures.UnitError) else name
            ) from exc
        return converted

    target = Target(
        kind=kind,
        comparator=data.target_comparator or None,
        value=canonical(data.target_value, "target_value"),
        low=canonical(data.target_low, "target_low"),
        high=canonical(data.target_high, "target_high"),
        direction=data.target_direction or None,
        change=canonical(data.target_change, "target_change", plausible=False),
        change_pct=data.target_change_pct,
    )
    try:
        target.validate()
    except TargetError as exc:
        raise DomainError(str(exc), field=exc.field) from exc
    baseline = canonical(data.baseline_value, "baseline_value")
    if data.baseline_date and data.baseline_date > today:
        raise DomainError("The baseline cannot be in the future.", field="baseline_date")
    start = data.start_date or (existing.start_date if existing else today)
    if data.due_date is None:
        raise DomainError("Give the goal a due date (a SMART goal is time-bound).", field="due_date")
    due_changed = existing is None or existing.due_date != data.due_date
    if due_changed and data.due_date < today:
        raise DomainError("The due date is in the past; choose today or a later date.", field="due_date")
    if data.due_date <= start:
        raise DomainError("The due date must come after the start date.", field="due_date")
    owner = None
    if data.owner_key:
        owner = plan.care_team.filter(key=data.owner_key).first()
        if owner is None:
            raise DomainError("That person is not on this plan's care team.", field="owner_key")
        out["owner_role"] = owner.role
    problems = list(plan.problems.filter(key__in=data.problem_keys)) if data.problem_keys else []
    if len(problems) != len(set(data.problem_keys)):
        raise DomainError("A goal can only address problems of this plan.", field="problem_keys")
    out.update(
        measure_system=measure.system if measure else "",
        measure_code=measure.code if measure else "",
        measure_display=measure.display if measure else "",
        measure_unit=measure.unit if measure else "",
        baseline_value=baseline,
        baseline_date=(data.baseline_date or today) if baseline is not None else None,
        target_kind=kind.value,
        target_comparator=target.comparator or "",
        target_value=target.value,
        target_low=target.low,
        target_high=target.high,
        target_direction=target.direction or "",
        target_change=target.change,
        target_change_pct=target.change_pct,
        start_date=start,
        due_date=data.due_date,
        owner_member=owner,
        problems=problems,
    )
    return out


def member_for_role(plan: CarePlan, role: str) -> CareTeamMember | None:
    members = [m for m in plan.care_team.all() if m.role == role]
    return next((m for m in members if m.is_primary_contact), members[0] if members else None)


@transaction.atomic
def goal_add(
    *, actor: User, plan: CarePlan, lock_version: int | None, data: GoalData, with_template_steps: bool = True
) -> Goal:
    """Add a goal; from a template, also add the template's interventions for it (the team then tailors)."""
    _content(plan)
    today = clock.today()
    values = _goal_fields(plan, data, today, None)
    problems = values.pop("problems")
    template = library().lookup(values["template_ref"]) if values["template_ref"] else None
    if values["template_ref"] and template is None:
        raise DomainError("Unknown template.", field="template_ref")
    _lock(actor, plan, lock_version)
    goal = Goal.objects.create(plan=plan, position=_next_position(plan.goals), **values)
    goal.problems.set(problems)
    if template is not None and with_template_steps:
        plan_template, goal_template = template
        steps = [
            Intervention(
                plan=plan,
                position=_next_position(plan.interventions) + i,
                description=step.description["en"],
                template_ref=plan_template.intervention_ref(step),
                performer_role=step.performer,
                performer_member=member_for_role(plan, step.performer),
                frequency=step.frequency,
                due_date=today + dt.timedelta(days=step.due_in_days) if step.due_in_days else None,
                goal=goal,
                problem=problems[0] if problems else None,
            )
            for i, step in enumerate(getattr(goal_template, "interventions", ()))
        ]
        Intervention.objects.bulk_create(steps)
    _audit(actor, plan, "goal_add", key=str(goal.key), template=values["template_ref"])
    return goal


@transaction.atomic
def goal_update(*, actor: User, plan: CarePlan, lock_version: int | None, key: Any, data: GoalData) -> Goal:
    _content(plan)
    goal = _item(Goal, plan, key, "goal")
    values = _goal_fields(plan, data, clock.today(), goal)
    problems = values.pop("problems")
    values.pop("template_ref")
    _lock(actor, plan, lock_version)
    for name, value in values.items():
        setattr(goal, name, value)
    goal.save()
    goal.problems.set(problems)
    _audit(actor, plan, "goal_update", key=str(key))
    return goal


@transaction.atomic
def goal_set_status(
    *, actor: User, plan: CarePlan, lock_version: int | None, key: Any, status: str, reason: str
) -> Goal:
    """Override the computed status with a reason; it holds until a newer measurement arrives. '' clears."""
    _progress(plan)
    goal = _item(Goal, plan, key, "goal")
    if status:
        _choice(status, [s.value for s in Achievement], "status")
        reason = _text(reason, "reason", "the reason for changing the status", 1000, required=True)
    _lock(actor, plan, lock_version)
    goal.status_override = status
    goal.status_override_reason = reason if status else ""
    goal.status_override_on = clock.today() if status else None
    goal.status_override_by = actor if status else None
    goal.save(
        update_fields=[
            "status_override",
            "status_override_reason",
            "status_override_on",
            "status_override_by",
        ]
    )
    _audit(actor, plan, "goal_status", key=str(key), status=status or "computed")
    return goal


@transaction.atomic
def measurement_record(
    *,
    actor: User,
    plan: CarePlan,
    key: Any,
    value: float | None,
    unit: str,
    observed_on: dt.date | None,
    note: str = "",
) -> GoalMeasurement:
    """A value for a goal's measure, entered during a follow-up (append-only: no lock needed)."""
    _require(actor, plan.patient)
    _progress(plan)
    goal = _item(Goal, plan, key, "goal")
    if not goal.is_measured:
        raise DomainError("This goal is a milestone: complete its steps instead of recording a value.")
    if value is None:
        raise DomainError("Enter the measured value.", field="value")
    today = clock.today()
    observed_on = observed_on or today
    if observed_on > today:
        raise DomainError("The measurement cannot be in the future.", field="observed_on")
    measure = measures.resolve(
        goal.measure_system, goal.measure_code, goal.measure_display, goal.measure_unit
    )
    try:
        canonical = measure.to_canonical(float(value), unit)
        measure.check_plausible(canonical)
    except measures.UnitError as exc:
        raise DomainError(str(exc), field="unit") from exc
    except ValueError as exc:
        raise DomainError(str(exc), field="value") from exc
    row = GoalMeasurement.objects.create(
        patient_id=plan.patient_id,
        goal_key=goal.key,
        measure_system=goal.measure_system,
        measure_code=goal.measure_code,
        value=canonical,
        unit=goal.measure_unit,
        observed_on=observed_on,
        note=_text(note, "note", "the note", 300),
        entered_by=actor,
        entered_at=clock.now(),
    )
    _audit(actor, plan, "measurement_record", key=str(key), code=goal.measure_code)
    return row


# --- interventions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterventionData:
    description: str = ""
    performer_role: str = "care_manager"
    performer_key: str = ""
    frequency: str = "once"
    details: str = ""
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    goal_key: str = ""
    problem_key: str = ""


def _intervention_fields(
    plan: CarePlan, data: InterventionData, existing: Intervention | None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": _text(data.description, "description", "what will be done", 4000, required=True),
        "performer_role": _choice(data.performer_role, ROLES, "performer_role"),
        "frequency": _choice(data.frequency, FREQUENCIES, "frequency"),
        "details": _text(data.details, "details", "the details", 300),
        "start_date": data.start_date,
        "due_date": data.due_date,
        "performer_member": None,
        "goal": None,
        "problem": None,
    }
    if data.performer_key:
        member = plan.care_team.filter(key=data.performer_key).first()
        if member is None:
            raise DomainError("That person is not on this plan's care team.", field="performer_key")
        out["performer_member"], out["performer_role"] = member, member.role
    if data.goal_key:
        out["goal"] = plan.goals.filter(key=data.goal_key).first()
        if out["goal"] is None:
            raise DomainError("That goal is not in this plan.", field="goal_key")
    if data.problem_key:
        out["problem"] = plan.problems.filter(key=data.problem_key).first()
        if out["problem"] is None:
            raise DomainError("That problem is not in this plan.", field="problem_key")
    due_changed = existing is None or existing.due_date != data.due_date
    if data.due_date and due_changed and data.due_date < clock.today():
        raise DomainError("The due date is in the past; choose today or a later date.", field="due_date")
    if data.start_date and data.due_date and data.due_date < data.start_date:
        raise DomainError("The due date must not come before the start.", field="due_date")
    return out


@transaction.atomic
def intervention_add(
    *, actor: User, plan: CarePlan, lock_version: int | None, data: InterventionData
) -> Intervention:
    _content(plan)
    values = _intervention_fields(plan, data, None)
    _lock(actor, plan, lock_version)
    item = Intervention.objects.create(plan=plan, position=_next_position(plan.interventions), **values)
    _audit(actor, plan, "intervention_add", key=str(item.key))
    return item


@transaction.atomic
def intervention_update(
    *, actor: User, plan: CarePlan, lock_version: int | None, key: Any, data: InterventionData
) -> Intervention:
    _content(plan)
    item = _item(Intervention, plan, key, "intervention")
    values = _intervention_fields(plan, data, item)
    _lock(actor, plan, lock_version)
    for name, value in values.items():
        setattr(item, name, value)
    item.save()
    _audit(actor, plan, "intervention_update", key=str(key))
    return item


@transaction.atomic
def intervention_transition(
    *, actor: User, plan: CarePlan, lock_version: int | None, key: Any, action: str, note: str = ""
) -> Intervention:
    """Move an intervention through its state machine (on a draft or on the active plan)."""
    if plan.status not in CONTENT_EDITABLE | PROGRESS_EDITABLE:
        raise DomainError(f"Version {plan.version} is {plan.status}; its interventions are closed.")
    item = _item(Intervention, plan, key, "intervention")
    try:
        new_status = INTERVENTION.apply(item.status, action)
    except TransitionError as exc:
        raise DomainError(str(exc), field="action") from exc
    _lock(actor, plan, lock_version)
    item.status, item.status_changed_at = new_status, clock.now()
    item.status_note = _text(note, "note", "the note", 300)
    item.save(update_fields=["status", "status_changed_at", "status_note"])
    _audit(actor, plan, "intervention_status", key=str(key), transition=action, status=new_status)
    return item


# --- care team -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberData:
    role: str = "other"
    name: str = ""
    organization_name: str = ""
    phone: str = ""
    email: str = ""
    relationship: str = ""
    user_id: int | None = None
    is_primary_contact: bool = False
    note: str = ""


def _member_fields(plan: CarePlan, data: MemberData) -> dict[str, Any]:
    out: dict[str, Any] = {f.name: getattr(data, f.name) for f in fields(data) if f.name != "user_id"}
    out["role"] = _choice(data.role, ROLES, "role")
    if data.role == "patient":
        raise DomainError("The patient is already on the team.", field="role")
    user = None
    if data.user_id is not None:
        user = User.objects.filter(pk=data.user_id, organization_id=plan.patient.organization_id).first()
        if user is None:
            raise DomainError("No such carenav user in your organization.", field="user_id")
    out["user"] = user
    out["name"] = _text(
        data.name or (user.display_name if user else ""), "name", "a name", 200, required=True
    )
    for name, label, limit in (
        ("organization_name", "the organization", 200),
        ("phone", "the phone number", 40),
        ("relationship", "the relationship", 60),
        ("note", "the note", 300),
    ):
        out[name] = _text(getattr(data, name), name, label, limit)
    email = _text(data.email or (user.email if user else ""), "email", "the email", 254)
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise DomainError("That email address does not look right.", field="email")
    out["email"] = email
    return out


@transaction.atomic
def member_add(*, actor: User, plan: CarePlan, lock_version: int | None, data: MemberData) -> CareTeamMember:
    _content(plan)
    values = _member_fields(plan, data)
    _lock(actor, plan, lock_version)
    if values["is_primary_contact"]:
        plan.care_team.update(is_primary_contact=False)
    member = CareTeamMember.objects.create(plan=plan, position=_next_position(plan.care_team), **values)
    _audit(actor, plan, "member_add", key=str(member.key), role=member.role)
    return member


@transaction.atomic
def member_update(
    *, actor: User, plan: CarePlan, lock_version: int | None, key: Any, data: MemberData
) -> CareTeamMember:
    _content(plan)
    member = _item(CareTeamMember, plan, key, "care team member")
    if member.role == "patient":
        data = MemberData(**{**{f.name: getattr(data, f.name) for f in fields(data)}, "role": "other"})
    values = _member_fields(plan, data)
    if member.role == "patient":
        values["role"] = "patient"
    _lock(actor, plan, lock_version)
    if values["is_primary_contact"]:
        plan.care_team.exclude(pk=member.pk).update(is_primary_contact=False)
    for name, value in values.items():
        setattr(member, name, value)
    member.save()
    _audit(actor, plan, "member_update", key=str(key))
    return member
