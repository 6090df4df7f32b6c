"""Assessment services: start, save and resume, submit (scores, findings, safety), nothing half-saved."""

import datetime as dt
import json
import shutil

import pytest

from carenav.assessments import services
from carenav.assessments.definitions import INSTRUMENT_DIR, load_registry
from carenav.assessments.models import AssessmentResponse, AssessmentScore, Finding, SafetyAlert
from carenav.audit.models import AuditEvent
from carenav.core import clock
from carenav.core.errors import Conflict, DomainError, PermissionDenied
from carenav.tasks.models import Task
from tests.assessments.conftest import AHC_NEGATIVE, HITS, phq9_total
from tests.factories import make_patient

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


def actions(patient) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        AuditEvent.objects.filter(patient_id=patient.pk).order_by("id").values_list("action", flat=True)
    )


def test_start_uses_the_patients_language_when_the_instrument_has_it(care_manager, patient, org) -> None:  # type: ignore[no-untyped-def]
    assert patient.preferred_language == "es"
    assert (
        services.assessment_start(actor=care_manager, patient=patient, instrument_id="phq-9").language == "es"
    )
    assert (
        services.assessment_start(actor=care_manager, patient=patient, instrument_id="katz-adl").language
        == "en"
    )
    forced = services.assessment_start(
        actor=care_manager, patient=patient, instrument_id="phq-9", language="en"
    )
    assert forced.language == "en"
    regional = make_patient(org, preferred_language="es-MX")
    assert (
        services.assessment_start(actor=care_manager, patient=regional, instrument_id="gad-7").language
        == "es"
    )
    composite = services.assessment_start(
        actor=care_manager, patient=patient, instrument_id="comprehensive-cm"
    )
    assert composite.language == "es"  # its PHQ-9, GAD-7 and AHC sections have Spanish text


def test_unknown_instrument_names_the_field(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        services.assessment_start(actor=care_manager, patient=patient, instrument_id="phq-10")
    assert caught.value.field == "instrument" and caught.value.status_code == 422


def test_only_assessors_of_the_same_organization(auditor, other_care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    for actor in (auditor, other_care_manager):
        with pytest.raises(PermissionDenied):
            services.assessment_start(actor=actor, patient=patient, instrument_id="phq-9")
    assert not AssessmentResponse.objects.exists()


def test_save_and_resume_keeps_partial_answers(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    response = services.assessment_start(actor=care_manager, patient=patient, instrument_id="audit-c")
    saved = services.assessment_save_progress(
        actor=care_manager, response=response, answers={"auditc-1": "LA18927-6"}
    )
    assert saved.missing == ["auditc-2", "auditc-3"]
    services.assessment_save_progress(
        actor=care_manager, response=response, answers={"auditc-2": "LA15695-2"}
    )
    response.refresh_from_db()
    assert response.answers == {"auditc-1": "LA18927-6", "auditc-2": "LA15695-2"} and response.is_open
    # Switching question 1 to "Never" disables questions 2 and 3: their answers are dropped.
    dropped = services.assessment_save_progress(
        actor=care_manager, response=response, answers={"auditc-1": "LA6270-8"}
    )
    assert dropped.ignored == ["auditc-2"] and dropped.complete
    assert actions(patient).count("assessment.save") == 3


def test_incomplete_submit_names_the_items_and_changes_nothing(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    response = services.assessment_start(actor=care_manager, patient=patient, instrument_id="phq-9")
    partial = {k: v for k, v in phq9_total(12).items() if k != "phq9-9"}
    services.assessment_save_progress(actor=care_manager, response=response, answers=partial)
    with pytest.raises(services.InvalidAnswers) as caught:
        services.assessment_submit(actor=care_manager, response=response)
    assert [(e.link_id, e.code) for e in caught.value.errors] == [("phq9-9", "required")]
    assert caught.value.field == "phq9-9"
    response.refresh_from_db()
    assert response.is_open and response.answers == partial and response.result == {}
    assert not Finding.objects.exists() and not AssessmentScore.objects.exists()


def test_submit_scores_stores_findings_and_audits(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    response = services.assessment_start(actor=care_manager, patient=patient, instrument_id="phq-9")
    with clock.pinned(NOW):
        services.assessment_submit(actor=care_manager, response=response, answers=phq9_total(12))
    response.refresh_from_db()
    assert response.status == "completed" and response.completed_at == NOW
    assert response.instrument_version == "1.0.0" and response.scorer_version == "1.0.0"
    assert response.result["components"][0]["scores"][0]["value"] == 12
    row = AssessmentScore.objects.get(response=response)
    assert (row.value, row.band_code, row.code, row.positive) == (12, "moderate", "44261-6", True)
    finding = Finding.objects.get(response=response)
    assert (finding.kind, finding.domain, finding.severity, finding.status) == (
        "problem",
        "depression",
        "moderate",
        "active",
    )
    assert not SafetyAlert.objects.exists() and not Task.objects.exists()
    submit = AuditEvent.objects.get(action="assessment.submit")
    assert submit.detail["scores"] == {"phq-9.total": 12} and submit.detail["findings"] == [
        "problem:depression"
    ]
    with pytest.raises(Conflict):
        services.assessment_submit(actor=care_manager, response=response)


def test_a_later_response_supersedes_earlier_findings(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    first = services.assessment_record(
        actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(14)
    )
    second = services.assessment_record(
        actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(9)
    )
    third = services.assessment_record(
        actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(5)
    )
    old = Finding.objects.get(response=first)
    assert old.status == "resolved" and old.resolved_by_id == second.pk
    active = Finding.objects.filter(status="active")
    assert [(f.response_id, f.kind, f.severity) for f in active] == [(third.pk, "risk-factor", "low")]
    assert list(AssessmentScore.objects.order_by("id").values_list("value", flat=True)) == [14, 9, 5]


def test_phq9_item9_raises_an_alert_and_an_urgent_task_for_the_care_manager(
    care_manager, supervisor, patient
) -> None:  # type: ignore[no-untyped-def]
    patient.care_manager = care_manager
    patient.save()
    with clock.pinned(NOW):
        response = services.assessment_record(
            actor=supervisor, patient=patient, instrument_id="phq-9", answers=phq9_total(3, item9=1)
        )
    alert = SafetyAlert.objects.get(response=response)
    assert alert.flag_id == "self-harm" and alert.status == "open"
    task = alert.task
    assert task is not None
    assert (task.priority, task.status, task.assigned_to, task.source) == (
        "urgent",
        "open",
        care_manager,
        f"assessment:{response.pk}",
    )
    assert task.due_at == NOW + services.SAFETY_TASK_DUE
    assert "suicide-risk assessment" in task.reason
    assert {"safety_alert.raise", "task.create", "assessment.submit"} <= set(actions(patient))


def test_safety_task_goes_to_the_assessor_when_no_care_manager_is_assigned(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    positive = AHC_NEGATIVE | {k: HITS[3] for k in AHC_NEGATIVE if k.startswith("ahc-safety")}
    response = services.assessment_record(
        actor=care_manager, patient=patient, instrument_id="ahc-hrsn", answers=positive
    )
    alert = SafetyAlert.objects.get(response=response)
    assert alert.flag_id == "interpersonal-safety" and alert.task.assigned_to == care_manager  # type: ignore[union-attr]
    assert Finding.objects.get(response=response).domain == "intimate-partner-violence"


def test_acknowledging_an_alert_records_the_action_and_closes_the_task(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    response = services.assessment_record(
        actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(2, item9=2)
    )
    alert = SafetyAlert.objects.get(response=response)
    with pytest.raises(DomainError, match="Record the action taken"):
        services.safety_alert_acknowledge(actor=care_manager, alert=alert, action_taken="  ")
    services.safety_alert_acknowledge(
        actor=care_manager, alert=alert, action_taken="Dr Lee assessed; safety plan made"
    )
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == care_manager
    task = Task.objects.get(pk=alert.task_id)
    assert task.status == "done" and task.outcome == "Dr Lee assessed; safety plan made"
    with pytest.raises(Conflict):
        services.safety_alert_acknowledge(actor=care_manager, alert=alert, action_taken="again")


def test_record_from_a_questionnaire_response(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    qr = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "https://carenav.org/fhir/Questionnaire/hunger-vital-sign|1.0.0",
        "item": [
            {
                "linkId": "hvs-worry",
                "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA28397-0"}}],
            },
            {
                "linkId": "hvs-didnt-last",
                "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA28398-8"}}],
            },
        ],
    }
    response = services.assessment_record(actor=care_manager, patient=patient, questionnaire_response=qr)
    assert response.instrument_id == "hunger-vital-sign"
    assert Finding.objects.get(response=response).code == "Z59.41"


def test_invalid_one_step_record_writes_nothing(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(services.InvalidAnswers) as caught:
        services.assessment_record(
            actor=care_manager,
            patient=patient,
            instrument_id="phq-9",
            answers=phq9_total(5) | {"phq9-2": "LA1-1"},
        )
    assert caught.value.field == "phq9-2"
    assert not AssessmentResponse.objects.exists() and "assessment.start" not in actions(patient)


def test_history_keeps_the_version_and_result_it_was_scored_with(
    care_manager, patient, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    response = services.assessment_record(
        actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(12)
    )
    stored = dict(response.result)
    # A later definition: version 2.0.0 with another cut-off.
    for path in INSTRUMENT_DIR.glob("*.json"):
        shutil.copy(path, tmp_path)
    data = json.loads((tmp_path / "phq-9.json").read_text())
    data["version"] = "2.0.0"
    data["carenav"]["scores"][0]["positive"] = {"min": 15}
    (tmp_path / "phq-9.json").write_text(json.dumps(data))
    newer_registry = load_registry([tmp_path])
    monkeypatch.setattr(services, "default_registry", lambda: newer_registry)
    newer = services.assessment_record(
        actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(12)
    )
    response.refresh_from_db()
    assert response.instrument_version == "1.0.0" and response.result == stored
    assert response.result["components"][0]["scores"][0]["positive"] is True
    assert newer.instrument_version == "2.0.0"
    assert newer.result["components"][0]["scores"][0]["positive"] is False


def test_discard_and_language_switch(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    response = services.assessment_start(actor=care_manager, patient=patient, instrument_id="gad-7")
    services.assessment_set_language(actor=care_manager, response=response, language="en")
    assert AssessmentResponse.objects.get(pk=response.pk).language == "en"
    with pytest.raises(DomainError, match="no 'fr' text"):
        services.assessment_set_language(actor=care_manager, response=response, language="fr")
    services.assessment_discard(actor=care_manager, response=response)
    assert AssessmentResponse.objects.get(pk=response.pk).status == "stopped"
    with pytest.raises(Conflict):
        services.assessment_save_progress(actor=care_manager, response=response, answers={})
