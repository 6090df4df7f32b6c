"""Assessment pages: start, fill (HTMX autosave with skip logic), submit, result, alert acknowledgement.

Views parse the request, call one service or selector and render; rules live in services/scoring.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from carenav.accounts.permissions import Permission
from carenav.assessments import selectors, services
from carenav.assessments.answers import answers_from_form, missing_required
from carenav.assessments.definitions import Instrument
from carenav.assessments.models import AssessmentResponse
from carenav.assessments.presenters import (
    LANGUAGE_NAMES,
    answer_rows,
    build_form,
    instrument_choices,
    result_sections,
    ui_text,
)
from carenav.assessments.scoring import AssessmentResult
from carenav.core import clock
from carenav.core.errors import DomainError
from carenav.core.http import AuthedRequest
from carenav.patients.selectors import patient_chart_for, patient_get_for


def _form_context(
    request: AuthedRequest,
    response: AssessmentResponse,
    instrument: Instrument,
    *,
    errors: dict[str, str] | None = None,
    show_missing: bool = False,
) -> dict[str, Any]:
    lang = response.language
    missing = missing_required(instrument, response.answers) if show_missing else []
    context: dict[str, Any] = {
        "response": response,
        "patient": response.patient,
        "instrument": instrument,
        "title": instrument.title_in(lang),
        "description": instrument.description_in(lang),
        "form": build_form(instrument, response.answers, lang=lang, errors=errors, missing=missing),
        "text": ui_text(lang),
        "lang": lang,
        "page_language": lang,
        "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in services.languages_of(instrument)],
    }
    if any(item.context == "medical-history" for item in instrument.items):
        context["history"] = patient_chart_for(request.user, response.patient_id, today=clock.today())
    return context


def _render_form(request: AuthedRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = "assessments/_form.html" if request.headers.get("HX-Request") else "assessments/fill.html"
    return render(request, template, context, status=status)


@login_required
def patient_assessments(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for(request.user, patient_id, action="assessment.list")
    return render(
        request,
        "assessments/patient_list.html",
        {
            "patient": patient,
            "responses": selectors.assessment_list_for(request.user, patient),
            "instruments": instrument_choices(services.registry()),
            "can_assess": request.user.has_perm_enum(Permission.ASSESS),
        },
    )


@login_required
@require_POST
def assessment_start(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for(request.user, patient_id, action="assessment.start")
    response = services.assessment_start(
        actor=request.user,
        patient=patient,
        instrument_id=request.POST.get("instrument", ""),
        language=request.POST.get("language") or None,
    )
    return redirect("assessments:detail", response_id=response.pk)


@login_required
def assessment_detail(request: AuthedRequest, response_id: int) -> HttpResponse:
    """The form while in progress, the result once completed."""
    response = selectors.assessment_get_for(request.user, response_id)
    instrument = services.instrument_for(response.instrument_id)
    if response.is_open:
        return _render_form(request, _form_context(request, response, instrument))
    result = AssessmentResult.from_dict(response.result) if response.result else None
    return render(
        request,
        "assessments/result.html",
        {
            "response": response,
            "patient": response.patient,
            "instrument": instrument,
            "result": result,
            "sections": result_sections(instrument, result) if result else [],
            "findings": response.findings.order_by("id"),
            "alerts": response.safety_alerts.select_related("task", "task__assigned_to"),
            "answers": answer_rows(instrument, response.answers, response.language),
            "outdated": response.instrument_version != instrument.version,
        },
    )


@login_required
@require_POST
def assessment_save(request: AuthedRequest, response_id: int) -> HttpResponse:
    """Autosave (HTMX, on every change) or 'save and finish later'. Returns the re-evaluated form."""
    response = selectors.assessment_get_for(request.user, response_id, action="assessment.save")
    instrument = services.instrument_for(response.instrument_id)
    answers = answers_from_form(instrument, dict(request.POST.lists()))
    try:
        services.assessment_save_progress(
            actor=request.user, response=response, answers=answers, replace=True
        )
    except services.InvalidAnswers as exc:
        errors = {e.link_id: e.message for e in exc.errors}
        response.answers = {k: v for k, v in answers.items() if k not in errors}
        return _render_form(request, _form_context(request, response, instrument, errors=errors))
    if request.headers.get("HX-Request"):
        return _render_form(request, _form_context(request, response, instrument))
    messages.success(request, f"{instrument.short_name} saved; resume it from the patient's assessments.")
    return redirect("assessments:patient", patient_id=response.patient_id)


@login_required
@require_POST
def assessment_submit(request: AuthedRequest, response_id: int) -> HttpResponse:
    """Save what was entered, then submit; incomplete required items are shown and nothing is lost."""
    response = selectors.assessment_get_for(request.user, response_id, action="assessment.submit")
    instrument = services.instrument_for(response.instrument_id)
    answers = answers_from_form(instrument, dict(request.POST.lists()))
    try:
        services.assessment_save_progress(
            actor=request.user, response=response, answers=answers, replace=True
        )
        services.assessment_submit(actor=request.user, response=response)
    except services.InvalidAnswers as exc:
        errors = {e.link_id: e.message for e in exc.errors if e.code != "required"}
        context = _form_context(request, response, instrument, errors=errors, show_missing=True)
        return render(request, "assessments/fill.html", context, status=422)
    return redirect("assessments:detail", response_id=response.pk)


@login_required
@require_POST
def assessment_language(request: AuthedRequest, response_id: int) -> HttpResponse:
    response = selectors.assessment_get_for(request.user, response_id, action="assessment.language")
    services.assessment_set_language(
        actor=request.user, response=response, language=request.POST.get("lang", "")
    )
    return redirect("assessments:detail", response_id=response.pk)


@login_required
@require_POST
def assessment_discard(request: AuthedRequest, response_id: int) -> HttpResponse:
    response = selectors.assessment_get_for(request.user, response_id, action="assessment.discard")
    services.assessment_discard(actor=request.user, response=response)
    messages.success(request, "Assessment discarded.")
    return redirect("assessments:patient", patient_id=response.patient_id)


@login_required
@require_POST
def alert_acknowledge(request: AuthedRequest, alert_id: int) -> HttpResponse:
    alert = selectors.safety_alert_get_for(request.user, alert_id)
    try:
        services.safety_alert_acknowledge(
            actor=request.user, alert=alert, action_taken=request.POST.get("action_taken", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Alert acknowledged and the follow-up task closed.")
    return redirect("patients:chart", patient_id=alert.patient_id)
