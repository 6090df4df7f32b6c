"""Pages: candidate queue with inline outreach outcomes, enrollment with consent, caseloads."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.core import clock
from carenav.core.errors import DomainError, PermissionDenied
from carenav.core.http import AuthedRequest
from carenav.patients.models import Patient
from carenav.patients.selectors import patient_get_for
from carenav.programs import selectors, services
from carenav.programs.definitions import get_program
from carenav.programs.machines import (
    ATTEMPT_CHANNELS,
    ATTEMPT_RESULTS,
    DECLINE_REASONS,
    DISENROLL_REASONS,
    CandidateStatus,
)
from carenav.programs.models import Candidate

PAGE_SIZE = 25
UNASSIGNED_SHOWN = 50  # most acute first; the rest follow as these are assigned
# The inline form offers attempts and outcomes in one list: "attempt:<result>" or an outcome.
OUTCOME_CHOICES = [(f"attempt:{code}", f"Attempt — {label}") for code, label in ATTEMPT_RESULTS] + [
    (CandidateStatus.DECLINED, "Declined"),
    (CandidateStatus.NOT_ELIGIBLE, "Not eligible on review"),
    (CandidateStatus.DEFERRED, "Deferred"),
    (CandidateStatus.UNABLE_TO_REACH, "Unable to reach"),
]


def _require(user: User, permission: Permission) -> None:
    if not user.has_perm_enum(permission):
        raise PermissionDenied("You do not have permission to see this page.")


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError("Use a date like 2026-11-24.", field=field) from None


def _staff_member(user: User, value: str, field: str) -> User | None:
    if not value:
        return None
    person = User.objects.filter(
        pk=int(value) if value.isdigit() else 0,
        organization_id=selectors.organization_of(user).pk,
        is_active=True,
    ).first()
    if person is None:
        raise DomainError("No such staff member in your organization.", field=field)
    return person


def _filters(request: AuthedRequest) -> selectors.CandidateFilters:
    tier = request.GET.get("tier", "")
    return selectors.CandidateFilters(
        program=request.GET.get("program", ""),
        tier=int(tier) if tier.isdigit() else None,
        reason=request.GET.get("reason", "")[:100],
        assigned=request.GET.get("assigned", ""),
        status=request.GET.get("status", CandidateStatus.OPEN),
    )


def _row_context(user: User, staff: list[User] | None = None) -> dict[str, object]:
    can_assign = user.has_perm_enum(Permission.ASSIGN_CASELOAD)
    if staff is None and can_assign:
        staff = selectors.assignable_staff_for(user)
    return {
        "staff": staff or [],
        "outcome_choices": OUTCOME_CHOICES,
        "channels": ATTEMPT_CHANNELS,
        "decline_reasons": DECLINE_REASONS,
        "can_enroll": user.has_perm_enum(Permission.ENROLL),
        "can_assign": can_assign,
        "today": clock.today(),
    }


@login_required
def candidate_queue(request: AuthedRequest) -> HttpResponse:
    filters = _filters(request)
    candidates = selectors.candidate_list_for(request.user, filters)
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.__dict__.items() if v not in ("", None)})
    programs = selectors.offered_programs(selectors.organization_of(request.user))
    counts = selectors.candidate_counts_for(request.user)
    context = {
        "page": page,
        "filters": filters,
        "query": query,
        "programs": programs,
        "program_options": [(p, counts.get(p.code, 0)) for p in programs],
        "statuses": [("working", "Open or deferred"), *CandidateStatus.CHOICES, ("", "All")],
        "tiers": [1, 2, 3, 4],
        "can_refresh": request.user.has_perm_enum(Permission.RUN_STRATIFICATION)
        or request.user.has_perm_enum(Permission.ASSIGN_CASELOAD),
        **_row_context(request.user, selectors.assignable_staff_for(request.user)),
    }
    template = (
        "programs/_candidate_table.html" if request.headers.get("HX-Request") else "programs/candidates.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def candidate_refresh(request: AuthedRequest) -> HttpResponse:
    try:
        summary = services.candidates_refresh(
            actor=request.user, organization=selectors.organization_of(request.user)
        )
        messages.success(
            request,
            f"Queue refreshed from risk run #{summary.run_id}: {summary.created} new, {summary.updated} updated, "
            f"{summary.closed_no_longer_eligible} no longer eligible.",
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        messages.error(request, exc.message)
    return redirect("programs:candidates")


@login_required
@require_POST
def candidate_action(request: AuthedRequest, candidate_id: int) -> HttpResponse:
    """The inline outcome form: an outreach attempt, an outcome, or taking/assigning the candidate."""
    candidate = selectors.candidate_get_for(request.user, candidate_id)
    action = request.POST.get("action", "outcome")
    error = ""
    try:
        if action == "take":
            candidate = services.candidate_assign(
                actor=request.user, candidate=candidate, assignee=request.user
            )
        elif action == "assign":
            assignee = _staff_member(request.user, request.POST.get("assigned_to", ""), "assigned_to")
            candidate = services.candidate_assign(actor=request.user, candidate=candidate, assignee=assignee)
        else:
            outcome = request.POST.get("outcome", "")
            if outcome.startswith("attempt:"):
                services.outreach_attempt_record(
                    actor=request.user,
                    candidate=candidate,
                    channel=request.POST.get("channel", "phone"),
                    result=outcome.removeprefix("attempt:"),
                    note=request.POST.get("note", ""),
                )
            else:
                reason = request.POST.get(
                    "decline_reason" if outcome == CandidateStatus.DECLINED else "reason", ""
                )
                services.candidate_record_outcome(
                    actor=request.user,
                    candidate=candidate,
                    outcome=outcome,
                    reason=reason,
                    note=request.POST.get("note", ""),
                    deferred_until=_date(request.POST.get("deferred_until", ""), "deferred_until"),
                )
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        error = exc.message
    candidate = Candidate.objects.select_related("patient", "assigned_to").get(pk=candidate.pk)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "programs/_candidate_row.html",
            {"c": candidate, "error": error, **_row_context(request.user)},
            status=422 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect("programs:candidates")


def _next_url(request: AuthedRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def enroll_form(request: AuthedRequest, patient_id: int, program_code: str) -> HttpResponse:
    """Enrollment with consent: shows the program's consent script for its current version."""
    _require(request.user, Permission.ENROLL)
    patient: Patient = patient_get_for(request.user, patient_id, action="enrollment.form")
    try:
        program = get_program(program_code)
    except KeyError:
        raise DomainError(f"Unknown program {program_code!r}.") from None
    candidate_id = request.GET.get("candidate") or request.POST.get("candidate") or ""
    candidate = (
        selectors.candidate_get_for(request.user, int(candidate_id)) if candidate_id.isdigit() else None
    )
    errors: dict[str, str] = {}
    suggestions = services.suggest_care_manager(patient.organization_id, patient, program)
    fits = not program.discipline_required or request.user.discipline in program.disciplines
    default_cm = request.user if fits else (suggestions[0].user if suggestions else None)
    values = {
        "consent_method": "",
        "consent_date": clock.today().isoformat(),
        "start_date": clock.today().isoformat(),
        "care_manager": str(default_cm.pk) if default_cm else "",
    }
    if request.method == "POST":
        values.update({k: request.POST.get(k, "") for k in values})
        try:
            enrollment = services.enroll(
                actor=request.user,
                patient=patient,
                program_code=program.code,
                consent_method=values["consent_method"],
                consent_date=_date(values["consent_date"], "consent_date")
                if values["consent_method"]
                else None,
                consent_text_version=request.POST.get("consent_text_version", ""),
                start_date=_date(values["start_date"], "start_date"),
                care_manager=_staff_member(request.user, values["care_manager"], "care_manager"),
                candidate=candidate,
            )
            messages.success(
                request,
                f"{patient.display_name} enrolled in {program.name} from {enrollment.start_date:%Y-%m-%d}.",
            )
            return redirect(_next_url(request, reverse("patients:chart", args=[patient.pk])))
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            errors[exc.field or "form"] = exc.message
    return render(
        request,
        "programs/enroll.html",
        {
            "patient": patient,
            "program": program,
            "candidate": candidate,
            "values": values,
            "errors": errors,
            "staff": selectors.assignable_staff_for(request.user),
            "suggestions": suggestions[:3],
            "next": _next_url(request, ""),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def disenroll(request: AuthedRequest, enrollment_id: int) -> HttpResponse:
    enrollment = selectors.enrollment_get_for(request.user, enrollment_id)
    try:
        services.enrollment_disenroll(
            actor=request.user,
            enrollment=enrollment,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            end_date=_date(request.POST.get("end_date", ""), "end_date"),
        )
        messages.success(request, f"Disenrolled from {enrollment.program_code}.")
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, exc.message)
    return redirect(_next_url(request, reverse("patients:chart", args=[enrollment.patient_id])))


@login_required
def my_caseload(request: AuthedRequest) -> HttpResponse:
    rows = selectors.caseload_for(request.user)
    return render(request, "programs/caseload.html", {"rows": rows, "today": clock.today()})


@login_required
def caseloads(request: AuthedRequest) -> HttpResponse:
    data = selectors.caseloads_for(request.user)
    shown = sorted(data.unassigned, key=lambda e: (data.unassigned_tiers.get(e.pk) or 99, e.start_date, e.pk))
    shown = shown[:UNASSIGNED_SHOWN]
    suggestions = services.suggest_for_enrollments(selectors.organization_of(request.user).pk, shown)
    unassigned = [
        {"enrollment": e, "tier": data.unassigned_tiers.get(e.pk), "suggestions": suggestions[e.pk][:3]}
        for e in shown
    ]
    return render(
        request,
        "programs/caseloads.html",
        {
            "data": data,
            "rows": [
                {
                    "s": s,
                    "cells": [s.by_tier.get(t, 0) for t in data.tiers],
                    "unscored": s.by_tier.get(None, 0),
                }
                for s in data.staff
            ],
            "unassigned": unassigned,
            "unassigned_total": len(data.unassigned),
            "staff": selectors.assignable_staff_for(request.user),
        },
    )


@login_required
@require_POST
def assign_care_manager(request: AuthedRequest, enrollment_id: int) -> HttpResponse:
    enrollment = selectors.enrollment_get_for(request.user, enrollment_id)
    try:
        care_manager = _staff_member(request.user, request.POST.get("care_manager", ""), "care_manager")
        if care_manager is None:
            raise DomainError("Choose a care manager.", field="care_manager")
        services.enrollment_assign_care_manager(
            actor=request.user, enrollment=enrollment, care_manager=care_manager
        )
        messages.success(
            request,
            f"{enrollment.patient.display_name} ({enrollment.program_code}) → {care_manager.display_name}.",
        )
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, exc.message)
    return redirect(_next_url(request, reverse("programs:caseloads")))


def chart_panel_context(user: User, patient: Patient) -> dict[str, object]:
    """Context for the chart's Programs panel (registered in apps.py)."""
    return {
        "standing": selectors.patient_programs_for(user, patient),
        "can_enroll": user.has_perm_enum(Permission.ENROLL),
        "disenroll_reasons": DISENROLL_REASONS,
        "today": clock.today(),
    }
