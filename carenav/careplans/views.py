"""Care plan pages: the chart panel, the HTMX plan editor, versions and diff, patient copy, FHIR, reviews,
template library. Views parse the form, call one service or selector and render; rules live in services."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.careplans import fhir, measures, patient_copy, selectors, services
from carenav.careplans.diff import diff
from carenav.careplans.goal_status import Status as Achievement
from carenav.careplans.goal_status import TargetKind
from carenav.careplans.library import GoalTemplate, library, resolve_target
from carenav.careplans.machines import INTERVENTION, PLAN
from carenav.careplans.models import (
    BARRIERS,
    FREQUENCY_CHOICES,
    PRIORITY_CHOICES,
    ROLE_CHOICES,
    CarePlan,
)
from carenav.core import clock
from carenav.core.errors import Conflict, DomainError, NotFound
from carenav.core.http import AuthedRequest
from carenav.patients.selectors import patient_get_for

COMPARATOR_CHOICES = [
    ("<", "<  below"),
    ("<=", "≤  at most"),
    (">", ">  above"),
    (">=", "≥  at least"),
    ("=", "=  exactly"),
]
TARGET_KIND_CHOICES = [
    ("value", "A value (e.g. below 7 %)"),
    ("range", "A range (between … and …)"),
    ("direction", "A change from baseline (e.g. down 50 %)"),
    ("milestone", "A milestone (done when its steps are done)"),
]
FORM_FIELD = {"measure_code": "measure", "measure_system": "measure", "problem_keys": "problems"}


# --- chart panel -----------------------------------------------------------------------------------


def careplan_panel_context(user: User, patient: Any) -> dict[str, Any]:
    today = clock.today()
    plans = selectors.current_plans_for_patient(patient)
    active = [selectors.plan_view(p, today) for p in plans if p.is_active]
    covered = {code for p in plans for code in p.program_codes}
    return {
        "active_views": active,
        "drafts": [p for p in plans if p.is_draft],
        "uncovered_programs": [c for c in selectors.enrolled_programs(patient) if c not in covered],
        "can_edit": user.has_perm_enum(Permission.EDIT_CAREPLAN),
        "patient": patient,
        "today": today,
    }


@login_required
@require_POST
def plan_create(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for(request.user, patient_id, action="careplan.create")
    codes = re.split(r"[\s,]+", request.POST.get("program_codes", ""))
    plan = services.careplan_create(
        actor=request.user, patient=patient, program_codes=codes, title=request.POST.get("title", "")
    )
    return redirect("careplans:editor", plan_id=plan.pk)


# --- editor ----------------------------------------------------------------------------------------


def _measure_options() -> list[tuple[str, str]]:
    return [(f"{m.system}|{m.code}", f"{m.label()} ({m.unit_label})") for m in measures.catalog().measures]


def _goal_form_values(goal: Any = None, **overrides: Any) -> dict[str, Any]:
    """Form values for a goal: from an existing goal, or defaults for a new one."""
    today = clock.today()
    values: dict[str, Any] = {
        "description": "",
        "measure": "",
        "measure_custom_name": "",
        "measure_custom_unit": "",
        "unit": "",
        "baseline_value": "",
        "baseline_date": "",
        "target_kind": "value",
        "target_comparator": "<",
        "target_value": "",
        "target_low": "",
        "target_high": "",
        "target_direction": "decrease",
        "target_change": "",
        "target_change_pct": "",
        "due_date": (today + dt.timedelta(days=90)).isoformat(),
        "priority": "medium",
        "owner": "role:patient",
        "problems": [],
        "template_ref": "",
        "rationale": "",
        "sdoh_category": "",
        "with_steps": True,
    }
    if goal is not None:
        catalog = measures.catalog().get(goal.measure_system, goal.measure_code)
        values.update(
            description=goal.description,
            measure=f"{goal.measure_system}|{goal.measure_code}"
            if catalog
            else ("custom" if goal.measure_code else ""),
            measure_custom_name="" if catalog else goal.measure_display,
            measure_custom_unit="" if catalog else goal.measure_unit,
            unit=goal.measure_unit,
            baseline_value=_num_text(goal.baseline_value),
            baseline_date=goal.baseline_date.isoformat() if goal.baseline_date else "",
            target_kind=goal.target_kind,
            target_comparator=goal.target_comparator or "<",
            target_value=_num_text(goal.target_value),
            target_low=_num_text(goal.target_low),
            target_high=_num_text(goal.target_high),
            target_direction=goal.target_direction or "decrease",
            target_change=_num_text(goal.target_change),
            target_change_pct=_num_text(goal.target_change_pct),
            due_date=goal.due_date.isoformat(),
            priority=goal.priority,
            owner=f"member:{goal.owner_member.key}" if goal.owner_member else f"role:{goal.owner_role}",
            problems=[str(p.key) for p in goal.problems.all()],
            template_ref=goal.template_ref,
            rationale=goal.rationale,
            sdoh_category=goal.sdoh_category,
        )
    values.update(overrides)
    return values


def _intervention_values(item: Any) -> dict[str, Any]:
    return {
        "description": item.description,
        "performer": f"member:{item.performer_member.key}"
        if item.performer_member
        else f"role:{item.performer_role}",
        "frequency": item.frequency,
        "details": item.details,
        "start_date": item.start_date.isoformat() if item.start_date else "",
        "due_date": item.due_date.isoformat() if item.due_date else "",
        "goal_key": str(item.goal.key) if item.goal else "",
        "problem_key": str(item.problem.key) if item.problem else "",
    }


def _member_values(member: Any) -> dict[str, Any]:
    values = {
        name: getattr(member, name)
        for name in (
            "role",
            "name",
            "organization_name",
            "phone",
            "email",
            "relationship",
            "is_primary_contact",
            "note",
        )
    }
    values["user_id"] = str(member.user_id) if member.user_id else ""
    return values


def _num_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _suggested_goal_values(plan: CarePlan, ref: str, problem_key: str) -> dict[str, Any]:
    """A new-goal form filled from a template suggestion, individualized for this patient."""
    found = library().lookup(ref)
    if found is None:
        raise DomainError("That suggestion is no longer in the template library.")
    template, goal = found
    if not isinstance(goal, GoalTemplate):
        raise DomainError("That suggestion is not a goal template.")
    today = clock.today()
    ctx = selectors.patient_context(plan.patient, today)
    baseline = selectors.latest_measurement(plan.patient, *goal.measure) if goal.measure else None
    resolved = resolve_target(goal, ctx, baseline[0] if baseline else None)
    target = resolved.target
    why = resolved.why["en"]
    if target is None and resolved.baseline_offset is not None:
        why += f" No baseline on record yet: enter it, and set the target to baseline {resolved.baseline_offset:+g}."
    owner_member = services.member_for_role(plan, goal.owner)
    catalog_measure = measures.catalog().get(*goal.measure) if goal.measure else None
    return _goal_form_values(
        description=goal.description["en"],
        measure=f"{goal.measure[0]}|{goal.measure[1]}" if goal.measure else "",
        unit=catalog_measure.unit if catalog_measure else "",
        baseline_value=_num_text(baseline[0]) if baseline else "",
        baseline_date=baseline[1].isoformat() if baseline else "",
        target_kind=target.kind.value if target else "value",
        target_comparator=(target.comparator if target else None) or "<=",
        target_value=_num_text(target.value) if target else "",
        target_low=_num_text(target.low) if target else "",
        target_high=_num_text(target.high) if target else "",
        target_direction=(target.direction if target else None) or "decrease",
        target_change=_num_text(target.change) if target else "",
        target_change_pct=_num_text(target.change_pct) if target else "",
        due_date=(today + dt.timedelta(days=goal.due_in_days)).isoformat(),
        priority=goal.priority,
        owner=f"member:{owner_member.key}" if owner_member else f"role:{goal.owner}",
        problems=[problem_key] if problem_key else [],
        template_ref=ref,
        rationale=why,
        sdoh_category=template.sdoh_category or "",
    )


def _form_context(
    request: AuthedRequest, plan: CarePlan, failed: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the plan's forms need: the version's items and the choice lists."""
    today = clock.today()
    view = selectors.plan_view(plan, today)
    can_edit = request.user.has_perm_enum(Permission.EDIT_CAREPLAN)
    return {
        "plan": plan,
        "view": view,
        "patient": plan.patient,
        "can_edit": can_edit,
        "editable": can_edit and plan.is_draft,
        "progress": can_edit and plan.is_active,
        "failed": failed or {},
        "org_users": list(
            User.objects.filter(organization_id=plan.patient.organization_id, is_active=True).order_by(
                "last_name", "username"
            )[:200]
        )
        if plan.is_draft
        else [],
        "measure_options": _measure_options(),
        "role_choices": ROLE_CHOICES,
        "frequency_choices": FREQUENCY_CHOICES,
        "priority_choices": PRIORITY_CHOICES,
        "comparator_choices": COMPARATOR_CHOICES,
        "target_kind_choices": TARGET_KIND_CHOICES,
        "status_choices": [(s.value, s.label) for s in Achievement],
        "barrier_choices": list(BARRIERS.items()),
        "today": today,
    }


def _editor_context(
    request: AuthedRequest, plan: CarePlan, failed: dict[str, Any] | None = None
) -> dict[str, Any]:
    ctx = _form_context(request, plan, failed)
    today, view = ctx["today"], ctx["view"]
    changes = None
    if plan.previous_id:
        previous = CarePlan.objects.select_related("patient").get(pk=plan.previous_id)
        changes = diff(selectors.snapshot(selectors.plan_view(previous, today)), selectors.snapshot(view))
    manager = next((m for m in view.members if m.role == "care_manager"), None)
    ctx.update(
        versions=selectors.versions_of(plan),
        changes=changes,
        suggestions=selectors.suggestions_for(request.user, plan, today) if ctx["editable"] else None,
        plan_actions=PLAN.allowed_actions(plan.status),
        intervention_actions={s: INTERVENTION.allowed_actions(s) for s in INTERVENTION.states},
        new_goal=ctx["failed"].get("values")
        if ctx["failed"].get("form") == "goal-new"
        else _goal_form_values(),
        new_intervention={
            "performer": f"member:{manager.key}" if manager else "role:care_manager",
            "frequency": "once",
        },
        new_member={"role": "pcp"},
        review_default=services.add_months(today, services.review_months()),
    )
    return ctx


@login_required
@require_GET
def plan_editor(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, plan_id)
    return render(request, "careplans/editor.html", _editor_context(request, plan))


@login_required
@require_GET
def goal_form(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """The new-goal form, empty or filled from a template suggestion (swapped into the editor)."""
    plan = selectors.plan_get_for(request.user, plan_id, action="careplan.view")
    ref = request.GET.get("suggest", "")
    values = _suggested_goal_values(plan, ref, request.GET.get("problem", "")) if ref else _goal_form_values()
    ctx = _form_context(request, plan)
    ctx.update(goal_form_values=values, form_id="goal-new", action="goal_add", key="")
    return render(request, "careplans/_goal_form.html", ctx)


# kind -> (template, update action, the template's name for the values, values of an existing item)
ITEM_FORMS: dict[str, tuple[str, str, str, Callable[[Any], dict[str, Any]]]] = {
    "goal": ("careplans/_goal_form.html", "goal_update", "goal_form_values", lambda g: _goal_form_values(g)),
    "intervention": ("careplans/_intervention_form.html", "intervention_update", "v", _intervention_values),
    "member": ("careplans/_member_form.html", "member_update", "v", _member_values),
}


@login_required
@require_GET
def item_form(request: AuthedRequest, plan_id: int, kind: str, key: str) -> HttpResponse:
    """The edit form of one goal, intervention or member, loaded when its "Edit" is opened."""
    plan = selectors.plan_get_for(request.user, plan_id)
    if kind not in ITEM_FORMS:
        raise DomainError("Unknown kind of item.")
    template, action, values_name, values_of = ITEM_FORMS[kind]
    item = services.ITEM_MODELS[kind].objects.filter(plan=plan, key=key).first()
    if item is None:
        raise NotFound(f"No such {kind} in this plan.")
    ctx = _form_context(request, plan)
    ctx.update(
        {
            "form_id": f"{kind}-{item.key}",
            "action": action,
            "key": str(item.key),
            values_name: values_of(item),
        }
    )
    return render(request, template, ctx)


# --- form parsing ----------------------------------------------------------------------------------


def _num(post: QueryDict, name: str) -> float | None:
    text = post.get(name, "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise DomainError("Enter a number.", field=name) from None


def _date(post: QueryDict, name: str) -> dt.date | None:
    text = post.get(name, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError("Enter a date as YYYY-MM-DD.", field=name) from None


def _lock_version(post: QueryDict) -> int | None:
    text = post.get("lock_version", "")
    return int(text) if text.isdigit() else None


def _owner(post: QueryDict, field_name: str) -> tuple[str, str]:
    """('role', key) from a select whose options are 'member:<key>' or 'role:<role>'."""
    kind, _, value = post.get(field_name, "").partition(":")
    return (value, "") if kind == "role" else ("", value)


def _goal_data(post: QueryDict) -> services.GoalData:
    measure = post.get("measure", "")
    system, code, display, unit = "", "", "", post.get("unit", "").strip()
    if measure == "custom":
        display = post.get("measure_custom_name", "").strip()
        system, code = measures.catalog().custom_system, slugify(display)[:60]
        unit = post.get("measure_custom_unit", "").strip() or unit
        if not display:
            raise DomainError("Name the custom measure.", field="measure_custom_name")
        if not unit:
            raise DomainError("Give the custom measure's unit.", field="measure_custom_unit")
    elif measure:
        system, _, code = measure.partition("|")
    role, member_key = _owner(post, "owner")
    return services.GoalData(
        description=post.get("description", ""),
        target_kind=post.get("target_kind", ""),
        measure_system=system,
        measure_code=code,
        measure_display=display,
        unit=unit,
        baseline_value=_num(post, "baseline_value"),
        baseline_date=_date(post, "baseline_date"),
        target_comparator=post.get("target_comparator", ""),
        target_value=_num(post, "target_value"),
        target_low=_num(post, "target_low"),
        target_high=_num(post, "target_high"),
        target_direction=post.get("target_direction", ""),
        target_change=_num(post, "target_change"),
        target_change_pct=_num(post, "target_change_pct"),
        due_date=_date(post, "due_date"),
        priority=post.get("priority", "medium"),
        owner_role=role or "patient",
        owner_key=member_key,
        problem_keys=post.getlist("problems"),
        template_ref=post.get("template_ref", ""),
        rationale=post.get("rationale", ""),
        sdoh_category=post.get("sdoh_category", ""),
    )


def _goal_data_for_kind(post: QueryDict) -> services.GoalData:
    """Fields of other target kinds are ignored, so a half-filled alternative never blocks a save."""
    data = _goal_data(post)
    kind = data.target_kind
    blank: dict[str, Any] = {}
    if kind != TargetKind.VALUE:
        blank.update(target_comparator="", target_value=None)
    if kind != TargetKind.RANGE:
        blank.update(target_low=None, target_high=None)
    if kind != TargetKind.DIRECTION:
        blank.update(target_direction="", target_change=None, target_change_pct=None)
    return services.GoalData(**{**data.__dict__, **blank})


def _intervention_data(post: QueryDict) -> services.InterventionData:
    role, member_key = _owner(post, "performer")
    return services.InterventionData(
        description=post.get("description", ""),
        performer_role=role or "care_manager",
        performer_key=member_key,
        frequency=post.get("frequency", "once"),
        details=post.get("details", ""),
        start_date=_date(post, "start_date"),
        due_date=_date(post, "due_date"),
        goal_key=post.get("goal_key", ""),
        problem_key=post.get("problem_key", ""),
    )


def _member_data(post: QueryDict) -> services.MemberData:
    user_id = post.get("user_id", "")
    return services.MemberData(
        role=post.get("role", "other"),
        name=post.get("name", ""),
        organization_name=post.get("organization_name", ""),
        phone=post.get("phone", ""),
        email=post.get("email", ""),
        relationship=post.get("relationship", ""),
        user_id=int(user_id) if user_id.isdigit() else None,
        is_primary_contact=post.get("is_primary_contact") == "on",
        note=post.get("note", ""),
    )


def _agreement(post: QueryDict) -> services.Agreement:
    agreed_on = _date(post, "agreed_on")
    return services.Agreement(
        agreed_by=post.get("agreed_by", ""),
        method=post.get("agreement_method", ""),
        representative_name=post.get("representative_name", ""),
        pcp_name=post.get("pcp_name", ""),
        # Today means now; an earlier day (agreed on a call last week) means noon of that day.
        agreed_at=None
        if agreed_on in (None, clock.today())
        else timezone.make_aware(dt.datetime.combine(agreed_on, dt.time(12))),
        review_due=_date(post, "review_due"),
    )


def _apply(request: AuthedRequest, plan: CarePlan, action: str) -> CarePlan:
    """Run the one service the form asks for; returns the plan version to show next."""
    post, actor, lock = request.POST, request.user, _lock_version(request.POST)
    key = post.get("key", "")
    if action == "update":
        changes: dict[str, Any] = {
            name: post.get(name, "")
            for name in (
                "title",
                "what_matters",
                "contact_times",
                "contact_method",
                "cultural_preferences",
                "involved_people",
                "barriers_note",
                "preferred_language",
            )
        }
        changes["program_codes"] = re.split(r"[\s,]+", post.get("program_codes", ""))
        changes["barriers"] = post.getlist("barriers")
        services.careplan_update(actor=actor, plan=plan, lock_version=lock, **changes)
    elif action == "problem_add":
        condition_id = post.get("condition_id", "")
        services.problem_add(
            actor=actor,
            plan=plan,
            lock_version=lock,
            data=services.ProblemData(
                display=post.get("display", ""),
                system=post.get("system", ""),
                code=post.get("code", ""),
                category_key=post.get("category_key", ""),
                sdoh_category=post.get("sdoh_category", ""),
                source=post.get("source", "manual"),
                condition_id=int(condition_id) if condition_id.isdigit() else None,
                finding_ref=post.get("finding_ref", ""),
                note=post.get("note", ""),
            ),
        )
    elif action == "problem_update":
        services.problem_update(
            actor=actor,
            plan=plan,
            lock_version=lock,
            key=key,
            display=post.get("display", ""),
            note=post.get("note", ""),
        )
    elif action == "move":
        services.item_move(
            actor=actor,
            plan=plan,
            lock_version=lock,
            kind=post.get("kind", ""),
            key=key,
            direction=post.get("direction", ""),
        )
    elif action == "remove":
        services.item_remove(actor=actor, plan=plan, lock_version=lock, kind=post.get("kind", ""), key=key)
    elif action == "goal_add":
        services.goal_add(
            actor=actor,
            plan=plan,
            lock_version=lock,
            data=_goal_data_for_kind(post),
            with_template_steps=post.get("with_steps") == "on",
        )
    elif action == "goal_update":
        services.goal_update(
            actor=actor, plan=plan, lock_version=lock, key=key, data=_goal_data_for_kind(post)
        )
    elif action == "goal_status":
        services.goal_set_status(
            actor=actor,
            plan=plan,
            lock_version=lock,
            key=key,
            status=post.get("status", ""),
            reason=post.get("reason", ""),
        )
    elif action == "measurement":
        services.measurement_record(
            actor=actor,
            plan=plan,
            key=key,
            value=_num(post, "value"),
            unit=post.get("unit", ""),
            observed_on=_date(post, "observed_on"),
            note=post.get("note", ""),
        )
    elif action == "intervention_add":
        services.intervention_add(actor=actor, plan=plan, lock_version=lock, data=_intervention_data(post))
    elif action == "intervention_update":
        services.intervention_update(
            actor=actor,
            plan=plan,
            lock_version=lock,
            key=key,
            data=_intervention_data(post),
        )
    elif action == "intervention_transition":
        services.intervention_transition(
            actor=actor,
            plan=plan,
            lock_version=lock,
            key=key,
            action=post.get("transition", ""),
            note=post.get("note", ""),
        )
    elif action == "member_add":
        services.member_add(actor=actor, plan=plan, lock_version=lock, data=_member_data(post))
    elif action == "member_update":
        services.member_update(actor=actor, plan=plan, lock_version=lock, key=key, data=_member_data(post))
    elif action == "activate":
        services.careplan_activate(actor=actor, plan=plan, lock_version=lock, agreement=_agreement(post))
    elif action == "revise":
        return services.careplan_revise(actor=actor, plan=plan, lock_version=lock)
    elif action in ("complete", "cancel"):
        services.careplan_end(
            actor=actor,
            plan=plan,
            lock_version=lock,
            action=action,
            reason=post.get("reason", ""),
        )
    else:
        raise DomainError(f"Unknown action '{action}'.")
    plan.refresh_from_db()
    return plan


@login_required
@require_POST
def plan_action(request: AuthedRequest, plan_id: int, action: str) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, plan_id, action="careplan.edit")
    htmx = bool(request.headers.get("HX-Request"))
    form_id = request.POST.get("form_id", "")
    try:
        shown = _apply(request, plan, action)
    except Conflict as exc:
        if not htmx:
            raise
        response = render(
            request,
            "careplans/_message.html",
            {"message": exc.message, "conflict": True, "plan": plan},
            status=409,
        )
        response["HX-Retarget"], response["HX-Reswap"] = "#plan-messages", "innerHTML"
        return response
    except DomainError as exc:
        failed = {
            "form": form_id,
            "field": FORM_FIELD.get(exc.field or "", exc.field),
            "message": exc.message,
            "values": _posted_values(request.POST),
        }
        plan.refresh_from_db()
        ctx = _editor_context(request, plan, failed)
        if not htmx:
            return render(request, "careplans/editor.html", ctx, status=exc.status_code)
        response = render(
            request, "careplans/_editor.html", ctx, status=422 if exc.status_code == 400 else exc.status_code
        )
        return response
    if shown.pk != plan.pk:  # a revision: go to the new draft
        url = reverse("careplans:editor", args=[shown.pk])
        if htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if not htmx:
        return redirect("careplans:editor", plan_id=plan.pk)
    return render(request, "careplans/_editor.html", _editor_context(request, shown))


def _posted_values(post: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {k: post.get(k) for k in post}
    values["problems"] = post.getlist("problems")
    values["barriers"] = post.getlist("barriers")
    values["with_steps"] = post.get("with_steps") == "on"
    return values


# --- versions, exports, patient copy -----------------------------------------------------------------


@login_required
@require_GET
def plan_diff(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, plan_id)
    versions = selectors.versions_of(plan)
    against_id = request.GET.get("against", "")
    other = next((v for v in versions if str(v.pk) == against_id), None) or (
        next((v for v in versions if v.pk == plan.previous_id), None)
    )
    today = clock.today()
    changes = None
    if other is not None:
        old, new = sorted([other, plan], key=lambda p: p.version)
        changes = diff(
            selectors.snapshot(selectors.plan_view(old, today)),
            selectors.snapshot(selectors.plan_view(new, today)),
        )
    return render(
        request,
        "careplans/diff.html",
        {"plan": plan, "patient": plan.patient, "versions": versions, "other": other, "changes": changes},
    )


def _copy_language(request: AuthedRequest, plan: CarePlan) -> str:
    return patient_copy.language_for(request.GET.get("lang") or plan.preferred_language)


@login_required
@require_GET
def copy_page(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, plan_id, action="careplan.patient_copy")
    lang = _copy_language(request, plan)
    today = clock.today()
    copy = patient_copy.build(selectors.snapshot(selectors.plan_view(plan, today)), lang, today)
    return render(request, "careplans/patient_copy.html", {"copy": copy, "plan": plan, "page_language": lang})


@login_required
@require_GET
def copy_pdf(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, plan_id, action="careplan.patient_copy")
    lang = _copy_language(request, plan)
    today = clock.today()
    pdf = patient_copy.render_pdf(
        patient_copy.build(selectors.snapshot(selectors.plan_view(plan, today)), lang, today)
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="care-plan-v{plan.version}-{lang}.pdf"'
    return response


@login_required
@require_GET
def fhir_export(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get_for(request.user, plan_id, action="careplan.export")
    data = fhir.bundle(selectors.snapshot(selectors.plan_view(plan, clock.today())), now=clock.now())
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Type"] = "application/fhir+json"
    response["Content-Disposition"] = f'attachment; filename="careplan-{plan.uid}-v{plan.version}.json"'
    return response


@login_required
@require_GET
def reviews(request: AuthedRequest) -> HttpResponse:
    today = clock.today()
    plans = list(selectors.reviews_due_for(request.user, today)[:500])
    return render(request, "careplans/reviews.html", {"plans": plans, "today": today})


@login_required
@require_GET
def template_library(request: AuthedRequest) -> HttpResponse:
    if not (request.user.is_staff or request.user.has_perm_enum(Permission.CONFIGURE)):
        raise DjangoPermissionDenied("The template library is for staff and organization admins.")
    lib = library()
    return render(
        request,
        "careplans/library.html",
        {
            "templates": lib.latest(),
            "measures": measures.catalog(),
        },
    )
