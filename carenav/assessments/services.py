"""Writes for assessments: start, save progress, submit (score, findings, safety), discard, alerts.

Every service runs in one transaction and records an audit event, so a failed submission leaves
nothing half-saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.assessments.answers import (
    AnswerValidationError,
    ItemError,
    ValidatedAnswers,
    answers_from_questionnaire_response,
    validate_answers,
)
from carenav.assessments.definitions import Instrument, Registry, default_registry
from carenav.assessments.models import AssessmentResponse, AssessmentScore, Finding, SafetyAlert
from carenav.assessments.scoring import AssessmentResult, ScoringContext, score
from carenav.audit.services import audit_record
from carenav.core import clock
from carenav.core.errors import Conflict, DomainError, PermissionDenied
from carenav.patients.models import Patient
from carenav.tasks.models import Task
from carenav.tasks.services import task_create, task_transition

# A safety flag (PHQ-9 item 9, a positive interpersonal-safety screen) needs same-day action.
SAFETY_TASK_DUE = dt.timedelta(hours=4)
_LANGUAGE_ALIASES = {"spa": "es", "spanish": "es", "español": "es", "eng": "en", "english": "en"}


class InvalidAnswers(DomainError):
    """Answers that cannot be accepted; ``errors`` names every offending item (linkId)."""

    status_code = 422

    def __init__(self, errors: list[ItemError]) -> None:
        self.errors = errors
        message = "; ".join(f"{e.link_id or 'response'}: {e.message}" for e in errors)
        super().__init__(message, field=(errors[0].link_id or None) if errors else None)


def registry() -> Registry:
    return default_registry()


class UnknownInstrument(DomainError):
    status_code = 422


def instrument_for(instrument_id: str) -> Instrument:
    instrument = registry().get(instrument_id)
    if instrument is None:
        known = ", ".join(i.id for i in registry())
        raise UnknownInstrument(f"Unknown instrument {instrument_id!r} (known: {known}).", field="instrument")
    return instrument


def languages_of(instrument: Instrument) -> list[str]:
    """Languages the instrument, or any component of a composite, has text in."""
    langs = set(instrument.languages)
    for component in instrument.components:
        part = registry().get(component)
        langs |= set(part.languages) if part else set()
    return sorted(langs, key=lambda lang: (lang != "en", lang))


def language_for(preferred: str, instrument: Instrument) -> str:
    """The patient's preferred language when the instrument has it, else English."""
    code = (preferred or "en").strip().lower().replace("_", "-").split("-")[0]
    code = _LANGUAGE_ALIASES.get(code, code)
    return code if code in languages_of(instrument) else "en"


def _check_can_assess(actor: User, patient: Patient) -> None:
    if not actor.has_perm_enum(Permission.ASSESS) or patient.organization_id != actor.organization_id:
        raise PermissionDenied("You cannot record assessments for this patient.")


def _validate(instrument: Instrument, answers: Mapping[str, Any], *, complete: bool) -> ValidatedAnswers:
    try:
        return validate_answers(instrument, answers, complete=complete)
    except AnswerValidationError as exc:
        raise InvalidAnswers(exc.errors) from exc


def _merge(existing: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Apply changed answers on top of saved ones; an empty value clears an item."""
    merged = dict(existing)
    for link_id, value in changes.items():
        if value is None or value == "" or value == []:
            merged.pop(str(link_id), None)
        else:
            merged[str(link_id)] = value
    return merged


def _locked_open(actor: User, response: AssessmentResponse) -> AssessmentResponse:
    locked = (
        AssessmentResponse.objects.select_for_update(of=("self",))
        .select_related("patient")
        .get(pk=response.pk)
    )
    _check_can_assess(actor, locked.patient)
    if not locked.is_open:
        raise Conflict(f"This assessment is {locked.get_status_display().lower()} and can no longer change.")
    return locked


@transaction.atomic
def assessment_start(
    *, actor: User, patient: Patient, instrument_id: str, language: str | None = None
) -> AssessmentResponse:
    """Open an in-progress response in the patient's language (or the one asked for, if available)."""
    _check_can_assess(actor, patient)
    instrument = instrument_for(instrument_id)
    now = clock.now()
    response = AssessmentResponse.objects.create(
        patient=patient,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        language=language_for(language or patient.preferred_language, instrument),
        author=actor,
        started_at=now,
        updated_at=now,
    )
    audit_record(
        actor=actor,
        action="assessment.start",
        patient_id=patient.pk,
        object_type="assessment",
        object_id=response.pk,
        detail={"instrument": instrument.id, "version": instrument.version, "language": response.language},
    )
    return response


@transaction.atomic
def assessment_save_progress(
    *, actor: User, response: AssessmentResponse, answers: Mapping[str, Any], replace: bool = False
) -> ValidatedAnswers:
    """Keep the answers so far, merged into the saved ones (or replacing them all, for a whole form).

    Skip logic drops answers to items that are now disabled.
    """
    locked = _locked_open(actor, response)
    instrument = instrument_for(locked.instrument_id)
    combined = dict(answers) if replace else _merge(locked.answers, answers)
    validated = _validate(instrument, combined, complete=False)
    locked.answers = validated.answers
    locked.updated_at = clock.now()
    locked.save(update_fields=["answers", "updated_at"])
    audit_record(
        actor=actor,
        action="assessment.save",
        patient_id=locked.patient_id,
        object_type="assessment",
        object_id=locked.pk,
        detail={
            "answered": len(validated.answers),
            "missing": len(validated.missing),
            "dropped": validated.ignored,
        },
    )
    response.answers, response.updated_at = locked.answers, locked.updated_at
    return validated


@transaction.atomic
def assessment_set_language(
    *, actor: User, response: AssessmentResponse, language: str
) -> AssessmentResponse:
    locked = _locked_open(actor, response)
    instrument = instrument_for(locked.instrument_id)
    if language not in languages_of(instrument):
        raise DomainError(f"{instrument.short_name} has no {language!r} text.", field="language")
    locked.language = language
    locked.save(update_fields=["language"])
    audit_record(
        actor=actor,
        action="assessment.language",
        patient_id=locked.patient_id,
        object_type="assessment",
        object_id=locked.pk,
        detail={"language": language},
    )
    response.language = language
    return locked


@transaction.atomic
def assessment_discard(*, actor: User, response: AssessmentResponse) -> AssessmentResponse:
    locked = _locked_open(actor, response)
    locked.status = AssessmentResponse.Status.STOPPED
    locked.updated_at = clock.now()
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="assessment.discard",
        patient_id=locked.patient_id,
        object_type="assessment",
        object_id=locked.pk,
    )
    return locked


@transaction.atomic
def assessment_submit(
    *, actor: User, response: AssessmentResponse, answers: Mapping[str, Any] | None = None
) -> AssessmentResponse:
    """Validate the whole response, score it and turn the result into findings, alerts and tasks.

    An incomplete or invalid response raises InvalidAnswers naming the items; nothing is changed.
    """
    locked = _locked_open(actor, response)
    instrument = instrument_for(locked.instrument_id)
    validated = _validate(instrument, _merge(locked.answers, answers or {}), complete=True)
    return _complete(actor, locked, instrument, validated.answers)


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    patient: Patient,
    instrument_id: str | None = None,
    answers: Mapping[str, Any] | None = None,
    questionnaire_response: Mapping[str, Any] | None = None,
    language: str | None = None,
) -> AssessmentResponse:
    """Record a complete assessment in one step (the API): simple answers by linkId or a FHIR
    QuestionnaireResponse. Everything is validated before anything is written."""
    _check_can_assess(actor, patient)
    if (answers is None) == (questionnaire_response is None):
        raise DomainError("Give either answers (by linkId) or a questionnaireResponse.", field="answers")
    if questionnaire_response is not None and instrument_id is None:
        url = str(questionnaire_response.get("questionnaire") or "").partition("|")[0]
        found = registry().by_url(url)
        if found is None:
            raise UnknownInstrument(f"Unknown questionnaire {url!r}.", field="instrument")
        instrument_id = found.id
    if instrument_id is None:
        raise DomainError("instrument is required.", field="instrument")
    instrument = instrument_for(instrument_id)
    if language is not None and language not in languages_of(instrument):
        raise DomainError(f"{instrument.short_name} has no {language!r} text.", field="language")
    if questionnaire_response is not None:
        try:
            answers = answers_from_questionnaire_response(instrument, questionnaire_response)
        except AnswerValidationError as exc:
            raise InvalidAnswers(exc.errors) from exc
    validated = _validate(instrument, answers or {}, complete=True)
    response = assessment_start(actor=actor, patient=patient, instrument_id=instrument.id, language=language)
    return _complete(actor, response, instrument, validated.answers)


def _complete(
    actor: User, response: AssessmentResponse, instrument: Instrument, answers: dict[str, Any]
) -> AssessmentResponse:
    patient = response.patient
    result = score(instrument, answers, registry(), ScoringContext(sex=patient.sex))
    now = clock.now()
    response.answers = answers
    response.result = result.to_dict()
    response.component_versions = result.component_versions
    response.scorer_version = result.scorer_version
    response.status = AssessmentResponse.Status.COMPLETED
    response.completed_at = response.updated_at = now
    response.save()
    _store_scores(response, result, now)
    findings = _store_findings(response, result, now)
    alerts = _raise_safety_alerts(actor, response, result, now)
    audit_record(
        actor=actor,
        action="assessment.submit",
        patient_id=patient.pk,
        object_type="assessment",
        object_id=response.pk,
        detail={
            "instrument": instrument.id,
            "version": instrument.version,
            "scorer_version": result.scorer_version,
            "scores": {
                f"{c.instrument_id}.{s.id}": s.value
                if s.value is not None
                else (s.value_coding or {}).get("code")
                for c in result.components
                for s in c.scores
            },
            "findings": [f"{f.kind}:{f.domain}" for f in findings],
            "flags": [f.id for f in result.flags],
            "safety_alerts": [a.pk for a in alerts],
        },
    )
    return response


def _store_scores(response: AssessmentResponse, result: AssessmentResult, now: dt.datetime) -> None:
    rows = []
    for component in result.components:
        for s in component.scores:
            code = s.code or {}
            rows.append(
                AssessmentScore(
                    response=response,
                    patient_id=response.patient_id,
                    instrument_id=component.instrument_id,
                    instrument_version=component.instrument_version,
                    score_id=s.id,
                    label=s.label,
                    value=s.value,
                    value_code=(s.value_coding or {}).get("code", ""),
                    value_display=(s.value_coding or {}).get("display", ""),
                    max_value=s.max,
                    band_code=s.band_code,
                    band_label=s.band_label,
                    positive=s.positive,
                    code_system=code.get("system", ""),
                    code=code.get("code", ""),
                    effective_at=now,
                )
            )
    AssessmentScore.objects.bulk_create(rows)


def _store_findings(
    response: AssessmentResponse, result: AssessmentResult, now: dt.datetime
) -> list[Finding]:
    """New findings replace the active ones earlier responses of the same instruments produced."""
    instruments = [c.instrument_id for c in result.components]
    Finding.objects.filter(
        patient_id=response.patient_id, instrument_id__in=instruments, status=Finding.Status.ACTIVE
    ).exclude(response=response).update(status=Finding.Status.RESOLVED, resolved_at=now, resolved_by=response)
    return Finding.objects.bulk_create(
        Finding(
            patient_id=response.patient_id,
            response=response,
            instrument_id=f.instrument_id,
            kind=f.kind,
            domain=f.domain,
            code_system=f.code_system,
            code=f.code,
            display=f.display[:200],
            severity=f.severity,
            detail=f.detail[:300],
            created_at=now,
        )
        for f in result.findings
    )


def _raise_safety_alerts(
    actor: User, response: AssessmentResponse, result: AssessmentResult, now: dt.datetime
) -> list[SafetyAlert]:
    """Each safety flag: an urgent task for the patient's care manager and an open alert on the chart.

    A patient with no assigned care manager gets the task assigned to the person who assessed them.
    """
    patient = response.patient
    assignee: User = patient.care_manager or actor
    alerts = []
    for flag in result.safety_flags:
        task = task_create(
            actor=actor,
            patient=patient,
            title=f"Urgent: {flag.label}",
            reason=flag.action,
            due_at=now + SAFETY_TASK_DUE,
            priority=Task.Priority.URGENT,
            assigned_to=assignee,
            source=f"assessment:{response.pk}",
        )
        alert = SafetyAlert.objects.create(
            patient=patient,
            response=response,
            instrument_id=flag.instrument_id,
            flag_id=flag.id,
            label=flag.label,
            action=flag.action,
            task=task,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="safety_alert.raise",
            patient_id=patient.pk,
            object_type="safety_alert",
            object_id=alert.pk,
            detail={
                "flag": flag.id,
                "instrument": flag.instrument_id,
                "task": task.pk,
                "assigned_to": assignee.pk,
            },
        )
        alerts.append(alert)
    return alerts


@transaction.atomic
def safety_alert_acknowledge(*, actor: User, alert: SafetyAlert, action_taken: str) -> SafetyAlert:
    """Record the action taken; this closes the alert and its follow-up task."""
    locked = (
        SafetyAlert.objects.select_for_update(of=("self",)).select_related("patient", "task").get(pk=alert.pk)
    )
    _check_can_assess(actor, locked.patient)
    if locked.status != SafetyAlert.Status.OPEN:
        raise Conflict("This alert has already been acknowledged.")
    action_taken = action_taken.strip()
    if not action_taken:
        raise DomainError("Record the action taken.", field="action_taken")
    locked.status = SafetyAlert.Status.ACKNOWLEDGED
    locked.acknowledged_at = clock.now()
    locked.acknowledged_by = actor
    locked.action_taken = action_taken
    locked.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "action_taken"])
    if locked.task is not None and locked.task.status == Task.Status.OPEN:
        task_transition(actor=actor, task=locked.task, to_status=Task.Status.DONE, outcome=action_taken)
    audit_record(
        actor=actor,
        action="safety_alert.acknowledge",
        patient_id=locked.patient_id,
        object_type="safety_alert",
        object_id=locked.pk,
        detail={"flag": locked.flag_id},
    )
    return locked
