"""Selectors: everything is scoped to the user's organization; findings expose what care plans read."""

import pytest

from carenav.assessments import selectors, services
from carenav.assessments.models import AssessmentResponse
from carenav.audit.models import AuditEvent
from carenav.core.errors import NotFound
from tests.assessments.conftest import CAREGIVER_OK, STEADI_NO, katz, phq9_total

pytestmark = pytest.mark.django_db


def record(user, patient, instrument_id, answers):  # type: ignore[no-untyped-def]
    return services.assessment_record(
        actor=user, patient=patient, instrument_id=instrument_id, answers=answers
    )


def test_finding_list_exposes_the_fields_care_plans_use(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    response = record(care_manager, patient, "katz-adl", katz(4))
    [finding] = selectors.finding_list_for(care_manager, patient)
    assert (finding.kind, finding.domain, finding.code_system, finding.code, finding.severity) == (
        "problem",
        "adl-dependency",
        "http://hl7.org/fhir/sid/icd-10-cm",
        "Z74.1",
        "moderate",
    )
    assert finding.display == "Need for assistance with personal care"
    assert finding.response_id == response.pk and finding.created_at == response.completed_at
    assert list(selectors.finding_list_for(care_manager, patient.pk)) == [finding]  # by id too


def test_active_only_and_frailty_markers(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    record(care_manager, patient, "katz-adl", katz(4))
    record(care_manager, patient, "katz-adl", katz(6))  # recovered: the old finding is resolved
    record(care_manager, patient, "steadi-falls", STEADI_NO | {"steadi-worry": True})
    record(
        care_manager,
        patient,
        "caregiver-support",
        CAREGIVER_OK | {"cg-has-caregiver": False, "cg-lives-alone": True},
    )
    record(care_manager, patient, "phq-9", phq9_total(11))
    assert sorted(f.domain for f in selectors.frailty_markers_for(care_manager, patient)) == [
        "fall-risk",
        "no-caregiver",
    ]
    everything = selectors.finding_list_for(care_manager, patient, active_only=False)
    assert sorted((f.domain, f.status) for f in everything) == [
        ("adl-dependency", "resolved"),
        ("depression", "active"),
        ("fall-risk", "active"),
        ("no-caregiver", "active"),
    ]


def test_other_organizations_see_nothing(care_manager, other_care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    response = record(care_manager, patient, "phq-9", phq9_total(3, item9=1))
    for read in (
        lambda: selectors.finding_list_for(other_care_manager, patient),
        lambda: selectors.assessment_list_for(other_care_manager, patient.pk),
        lambda: selectors.safety_alerts_for(other_care_manager, patient),
        lambda: selectors.score_history_for(other_care_manager, patient),
        lambda: selectors.assessment_get_for(other_care_manager, response.pk),
        lambda: selectors.safety_alert_get_for(other_care_manager, response.safety_alerts.get().pk),
        lambda: selectors.patient_priorities_for(other_care_manager, patient),
    ):
        with pytest.raises(NotFound):
            read()
    assert AuditEvent.objects.filter(actor=other_care_manager, outcome="not_found").count() >= 2


def test_reads_of_an_assessment_are_audited(care_manager, auditor, patient) -> None:  # type: ignore[no-untyped-def]
    response = record(care_manager, patient, "gad-7", {f"gad7-{n}": "LA6568-5" for n in range(1, 8)})
    assert selectors.assessment_get_for(auditor, response.pk) == response
    assert AuditEvent.objects.filter(
        actor=auditor, action="assessment.view", object_id=str(response.pk)
    ).exists()
    with pytest.raises(NotFound):
        selectors.assessment_get_for(auditor, 2**70)


def test_score_history_is_the_headline_score_oldest_first(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    for total in (14, 9, 5):
        record(care_manager, patient, "phq-9", phq9_total(total))
    record(care_manager, patient, "gad-7", {f"gad7-{n}": "LA6569-3" for n in range(1, 8)})
    history = selectors.score_history_for(care_manager, patient)
    assert [r.value for r in history["phq-9"]] == [14, 9, 5]
    assert [r.band_label for r in history["phq-9"]] == [
        "Moderate depression",
        "Mild depression",
        "Mild depression",
    ]
    assert [r.value for r in history["gad-7"]] == [7]  # the total, not GAD-2


def test_latest_results_and_listing(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    record(care_manager, patient, "phq-9", phq9_total(14))
    record(care_manager, patient, "phq-9", phq9_total(5))
    services.assessment_discard(
        actor=care_manager,
        response=services.assessment_start(actor=care_manager, patient=patient, instrument_id="gad-7"),
    )
    open_one = services.assessment_start(actor=care_manager, patient=patient, instrument_id="audit-c")
    latest = selectors.latest_results_for(care_manager, patient)
    assert [row["component"]["scores"][0]["value"] for row in latest] == [5]
    listed = selectors.assessment_list_for(care_manager, patient)
    assert [r.status for r in listed] == ["in-progress", "completed", "completed"] and listed[0] == open_one
    assert not listed.filter(status=AssessmentResponse.Status.STOPPED).exists()


def test_patient_priorities(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    assert selectors.patient_priorities_for(care_manager, patient) is None
    response = record(
        care_manager, patient, "what-matters", {"wm-matters-most": "Walking to church", "wm-contact": "text"}
    )
    priorities = selectors.patient_priorities_for(care_manager, patient)
    assert priorities is not None and priorities["response_id"] == response.pk
    assert priorities["answers"] == {
        "What matters most to you in your life right now?": "Walking to church",
        "How would you like us to contact you?": "Text message",
    }
