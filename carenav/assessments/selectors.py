"""Reads of assessment data, scoped to the acting user (another organization's data is a 404).

Functions that take a patient id go through ``patient_get_for`` (scoped and audited); functions that
take a Patient object trust that it was fetched that way and only re-check the scope.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.analytics.inputs import FRAILTY_DOMAINS
from carenav.assessments.definitions import Instrument, default_registry
from carenav.assessments.models import AssessmentResponse, AssessmentScore, Finding, SafetyAlert
from carenav.audit.models import AuditEvent
from carenav.audit.services import audit_record
from carenav.core.errors import NotFound
from carenav.patients.models import Patient
from carenav.patients.selectors import MAX_ID, patient_get_for

PRIORITIES_INSTRUMENT = "what-matters"


def instrument_list() -> list[Instrument]:
    return default_registry().all()


def instrument_get(instrument_id: str) -> Instrument:
    instrument = default_registry().get(instrument_id)
    if instrument is None:
        raise NotFound(f"No instrument {instrument_id!r}.")
    return instrument


def _patient(user: User, patient: Patient | int, action: str) -> Patient:
    if isinstance(patient, Patient):
        if not user.has_perm_enum(Permission.VIEW_PATIENT) or patient.organization_id != user.organization_id:
            raise NotFound("No such patient.")
        return patient
    return patient_get_for(user, patient, action=action)


def assessment_list_for(user: User, patient: Patient | int) -> QuerySet[AssessmentResponse]:
    """A patient's assessments, newest first, excluding discarded ones."""
    patient = _patient(user, patient, "assessment.list")
    return (
        AssessmentResponse.objects.filter(patient=patient)
        .exclude(status=AssessmentResponse.Status.STOPPED)
        .select_related("author")
        .order_by("-started_at", "-id")
    )


def assessment_get_for(
    user: User, response_id: int, *, action: str = "assessment.view"
) -> AssessmentResponse:
    """One response of a patient the user may see, or NotFound; both outcomes are audited."""
    response = None
    if 0 < response_id <= MAX_ID and user.has_perm_enum(Permission.VIEW_PATIENT):
        assert user.organization_id is not None  # has_perm_enum requires an organization
        response = (
            AssessmentResponse.objects.filter(pk=response_id, patient__organization_id=user.organization_id)
            .select_related("patient", "patient__care_manager", "author")
            .first()
        )
    if response is None:
        audit_record(
            actor=user, action=action, outcome=AuditEvent.Outcome.NOT_FOUND, object_type="assessment"
        )
        raise NotFound("No such assessment.")
    audit_record(
        actor=user,
        action=action,
        patient_id=response.patient_id,
        object_type="assessment",
        object_id=response.pk,
    )
    return response


def finding_list_for(user: User, patient: Patient | int, *, active_only: bool = True) -> QuerySet[Finding]:
    """Findings (problems, risk factors, SDOH health concerns) with the response that produced each.

    Fields the care plan reads: kind, domain, code_system, code, display, severity, response_id,
    created_at (plus detail, instrument_id, status).
    """
    patient = _patient(user, patient, "finding.list")
    findings = Finding.objects.filter(patient=patient)
    if active_only:
        findings = findings.filter(status=Finding.Status.ACTIVE)
    return findings.order_by("-created_at", "id")


def frailty_markers_for(user: User, patient: Patient | int) -> QuerySet[Finding]:
    """Active findings in the frailty-marker domains (ADL/IADL dependency, no caregiver, fall risk)."""
    return finding_list_for(user, patient).filter(domain__in=FRAILTY_DOMAINS)


def safety_alerts_for(user: User, patient: Patient | int, *, open_only: bool = True) -> QuerySet[SafetyAlert]:
    patient = _patient(user, patient, "safety_alert.list")
    alerts = SafetyAlert.objects.filter(patient=patient).select_related("task", "task__assigned_to")
    if open_only:
        alerts = alerts.filter(status=SafetyAlert.Status.OPEN)
    return alerts.order_by("-created_at", "-id")


def safety_alert_get_for(user: User, alert_id: int) -> SafetyAlert:
    alert = None
    if 0 < alert_id <= MAX_ID and user.has_perm_enum(Permission.VIEW_PATIENT):
        assert user.organization_id is not None  # has_perm_enum requires an organization
        alert = SafetyAlert.objects.filter(pk=alert_id, patient__organization_id=user.organization_id).first()
    if alert is None:
        raise NotFound("No such alert.")
    return alert


def score_history_for(user: User, patient: Patient | int) -> dict[str, list[AssessmentScore]]:
    """Each instrument's first (headline) score over time, oldest first, keyed by instrument id."""
    patient = _patient(user, patient, "assessment.trends")
    registry = default_registry()
    headline = {i.id: i.scores[0].id for i in registry if i.scores}
    history: dict[str, list[AssessmentScore]] = defaultdict(list)
    rows = AssessmentScore.objects.filter(patient=patient, value__isnull=False).order_by("effective_at", "id")
    for row in rows:
        if headline.get(row.instrument_id) == row.score_id:
            history[row.instrument_id].append(row)
    return dict(history)


def latest_results_for(user: User, patient: Patient | int) -> list[dict[str, Any]]:
    """The latest completed result per instrument (components of composites count), newest first."""
    patient = _patient(user, patient, "assessment.list")
    latest: dict[str, dict[str, Any]] = {}
    responses = AssessmentResponse.objects.filter(
        patient=patient, status=AssessmentResponse.Status.COMPLETED
    ).order_by("-completed_at", "-id")
    for response in responses[:50]:
        for component in response.result.get("components", []):
            latest.setdefault(component["instrument_id"], {"response": response, "component": component})
    return list(latest.values())


def patient_priorities_for(user: User, patient: Patient | int) -> dict[str, Any] | None:
    """The patient's latest 'what matters most' answers (question text → answer), for the care plan."""
    patient = _patient(user, patient, "assessment.priorities")
    instrument = default_registry().get(PRIORITIES_INSTRUMENT)
    if instrument is None:
        return None
    link_ids = {item.link_id for item in instrument.walk()}
    responses = AssessmentResponse.objects.filter(
        patient=patient, status=AssessmentResponse.Status.COMPLETED
    ).order_by("-completed_at", "-id")
    for response in responses[:50]:
        answered = {k: v for k, v in response.answers.items() if k in link_ids}
        if answered:
            answers = {}
            for link_id, value in answered.items():
                item = instrument.item(link_id)
                assert item is not None
                option = item.option(value) if item.type == "choice" else None
                answers[item.text] = option.coding.display if option else value
            return {"response_id": response.pk, "completed_at": response.completed_at, "answers": answers}
    return None
