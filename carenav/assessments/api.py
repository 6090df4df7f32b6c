"""JSON API: instruments as FHIR Questionnaires, recording and reading assessments, findings, trends."""

from __future__ import annotations

from typing import Any

from ninja import Body, Router, Status
from ninja.pagination import PageNumberPagination, paginate

from carenav.assessments import fhir, selectors, services
from carenav.assessments.models import AssessmentResponse, SafetyAlert
from carenav.assessments.scoring import AssessmentResult
from carenav.core.errors import DomainError
from carenav.core.http import ApiRequest
from carenav.patients.selectors import patient_get_for

from .schemas import (
    AnswerErrorsOut,
    AssessmentOut,
    AssessmentSummaryOut,
    FindingOut,
    InstrumentOut,
    TrendOut,
)

router = Router(tags=["assessments"])


def _instrument_out(instrument: Any) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "url": instrument.url,
        "version": instrument.version,
        "title": instrument.title,
        "short_name": instrument.short_name,
        "domain": instrument.domain,
        "languages": services.languages_of(instrument),
        "components": list(instrument.components),
        "sdoh": instrument.sdoh,
        "source": instrument.source,
        "license": instrument.license,
    }


def _summary(response: AssessmentResponse) -> dict[str, Any]:
    lines: list[str] = []
    if response.result:
        result = AssessmentResult.from_dict(response.result)
        lines = [
            f"{c.short_name}: {s.plain}" if len(result.components) > 1 else s.plain
            for c in result.components
            for s in c.scores
        ]
    return {
        "id": response.pk,
        "patient_id": response.patient_id,
        "instrument_id": response.instrument_id,
        "instrument_version": response.instrument_version,
        "language": response.language,
        "status": response.status,
        "scorer_version": response.scorer_version,
        "started_at": response.started_at,
        "completed_at": response.completed_at,
        "summary": lines,
    }


def _alert_out(alert: SafetyAlert) -> dict[str, Any]:
    assignee = alert.task.assigned_to if alert.task else None
    return {
        "id": alert.pk,
        "flag_id": alert.flag_id,
        "label": alert.label,
        "action": alert.action,
        "status": alert.status,
        "task_id": alert.task_id,
        "assigned_to": assignee.get_username() if assignee else None,
    }


def _detail(response: AssessmentResponse) -> dict[str, Any]:
    components = []
    if response.result:
        for c in AssessmentResult.from_dict(response.result).components:
            components.append(
                {
                    "instrument_id": c.instrument_id,
                    "instrument_version": c.instrument_version,
                    "title": c.title,
                    "scores": [
                        {
                            "id": s.id,
                            "label": s.label,
                            "value": s.value,
                            "value_code": (s.value_coding or {}).get("code", ""),
                            "value_display": (s.value_coding or {}).get("display", ""),
                            "max": s.max,
                            "band_code": s.band_code,
                            "band_label": s.band_label,
                            "positive": s.positive,
                            "code_system": (s.code or {}).get("system", ""),
                            "code": (s.code or {}).get("code", ""),
                            "text": s.plain,
                        }
                        for s in c.scores
                    ],
                    "positive_domains": [d.id for d in c.positive_domains],
                    "flags": [
                        {"id": f.id, "severity": f.severity, "label": f.label, "action": f.action}
                        for f in c.flags
                    ],
                    "notes": c.notes,
                }
            )
    return {
        **_summary(response),
        "component_versions": response.component_versions
        or {response.instrument_id: response.instrument_version},
        "author": response.author.get_username() if response.author else None,
        "answers": response.answers,
        "components": components,
        "findings": list(response.findings.order_by("id")),
        "safety_alerts": [_alert_out(a) for a in response.safety_alerts.select_related("task__assigned_to")],
    }


@router.get("/instruments", response=list[InstrumentOut], summary="Instruments available for assessments")
def list_instruments(request: ApiRequest) -> list[dict[str, Any]]:
    return [_instrument_out(i) for i in selectors.instrument_list()]


@router.get("/instruments/{instrument_id}", summary="An instrument as a FHIR R4 Questionnaire")
def get_instrument(request: ApiRequest, instrument_id: str, lang: str = "en") -> dict[str, Any]:
    """The Questionnaire with text in `lang` (en or es where available) and the other language as
    FHIR translation extensions; option scores are `ordinalValue` extensions."""
    instrument = selectors.instrument_get(instrument_id)
    if lang not in services.languages_of(instrument):
        raise DomainError(f"{instrument.short_name} has no {lang!r} text.", field="lang")
    return fhir.questionnaire(instrument, lang)


@router.post(
    "/patients/{patient_id}/assessments",
    response={201: AssessmentOut, 422: AnswerErrorsOut},
    summary="Record a completed assessment and get the scored result",
)
def record_assessment(request: ApiRequest, patient_id: int, payload: Body[dict[str, Any]]) -> Status:
    """Body: `{"instrument": "phq-9", "answers": {"phq9-1": "LA6569-3", ...}, "language": "es"}` with
    answers by linkId (a code for a choice, a list of codes for a multi-select, true/false, a number
    or text), or `{"questionnaireResponse": {...}}`, or a FHIR QuestionnaireResponse as the whole
    body. Any unknown item, answer not among the options or missing required item is a 422 naming
    the linkId, and nothing is saved."""
    patient = patient_get_for(request.auth, patient_id, action="assessment.record")
    qr: dict[str, Any] | None
    if payload.get("resourceType") == "QuestionnaireResponse":
        qr, answers, instrument_id, language = payload, None, None, None
    else:
        qr = payload.get("questionnaireResponse")
        answers = payload.get("answers")
        instrument_id = payload.get("instrument")
        language = payload.get("language")
    if qr is not None:
        try:
            fhir.validate(qr)
        except fhir.FhirValidationError as exc:
            return Status(422, {"detail": f"Not a valid FHIR R4 QuestionnaireResponse: {exc}", "errors": []})
    if answers is not None and not isinstance(answers, dict):
        return Status(422, {"detail": "answers must be an object keyed by linkId", "errors": []})
    try:
        response = services.assessment_record(
            actor=request.auth,
            patient=patient,
            instrument_id=instrument_id,
            answers=answers,
            questionnaire_response=qr,
            language=language,
        )
    except services.InvalidAnswers as exc:
        return Status(422, {"detail": exc.message, "errors": [e.as_dict() for e in exc.errors]})
    return Status(201, _detail(response))


@router.get(
    "/patients/{patient_id}/assessments",
    response=list[AssessmentSummaryOut],
    summary="A patient's assessment history, newest first",
)
@paginate(PageNumberPagination, page_size=50)
def list_assessments(request: ApiRequest, patient_id: int, instrument: str | None = None):  # type: ignore[no-untyped-def]
    responses = selectors.assessment_list_for(request.auth, patient_id)
    if instrument:
        responses = responses.filter(instrument_id=instrument)
    return [_summary(r) for r in responses]


@router.get("/assessments/{response_id}", response=AssessmentOut, summary="One assessment with its result")
def get_assessment(request: ApiRequest, response_id: int) -> dict[str, Any]:
    return _detail(selectors.assessment_get_for(request.auth, response_id))


@router.get(
    "/assessments/{response_id}/fhir",
    summary="An assessment as FHIR R4: a collection Bundle of the QuestionnaireResponse and score Observations",
)
def export_assessment(request: ApiRequest, response_id: int) -> dict[str, Any]:
    response = selectors.assessment_get_for(request.auth, response_id, action="assessment.export")
    registry = services.registry()
    instrument = services.instrument_for(response.instrument_id)
    subject = f"Patient/{response.patient_id}"
    resources = [
        fhir.questionnaire_response(
            instrument,
            response.answers,
            response_id=str(response.pk),
            subject_reference=subject,
            authored=response.completed_at or response.updated_at,
            status=response.status,
            version=response.instrument_version,
            author_display=response.author.display_name if response.author else "",
            language=response.language,
        )
    ]
    if response.result and response.status == AssessmentResponse.Status.COMPLETED:
        resources += fhir.score_observations(
            AssessmentResult.from_dict(response.result),
            registry,
            response_id=str(response.pk),
            subject_reference=subject,
            effective=response.completed_at or response.updated_at,
        )
    return fhir.collection_bundle(
        resources, bundle_id=f"assessment-{response.pk}", timestamp=response.updated_at
    )


@router.get("/patients/{patient_id}/findings", response=list[FindingOut], summary="A patient's findings")
def list_findings(request: ApiRequest, patient_id: int, active: bool = True) -> Any:
    """Problems, risk factors and SDOH health concerns from assessments, each with its response id."""
    return list(selectors.finding_list_for(request.auth, patient_id, active_only=active))


@router.get(
    "/patients/{patient_id}/assessment-trends", response=list[TrendOut], summary="Headline scores over time"
)
def list_trends(request: ApiRequest, patient_id: int) -> list[dict[str, Any]]:
    history = selectors.score_history_for(request.auth, patient_id)
    return [
        {
            "instrument_id": instrument_id,
            "score_id": rows[0].score_id,
            "label": rows[0].label,
            "points": [
                {
                    "response_id": r.response_id,
                    "effective_at": r.effective_at,
                    "value": r.value,
                    "band_label": r.band_label,
                    "positive": r.positive,
                }
                for r in rows
            ],
        }
        for instrument_id, rows in history.items()
    ]
