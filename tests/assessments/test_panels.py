"""The chart panel reads a fixed number of queries however long the history is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carenav.assessments import services
from carenav.assessments.panels import assessment_panel_context
from tests.assessments.conftest import AHC_NEGATIVE, HITS, phq9_total

pytestmark = pytest.mark.django_db


def queries(user, patient) -> tuple[int, dict]:  # type: ignore[no-untyped-def,type-arg]
    with CaptureQueriesContext(connection) as captured:
        context = assessment_panel_context(user, patient)
    return len(captured), context


def test_panel_query_count_does_not_grow_with_history(care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    services.assessment_record(
        actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(14)
    )
    few, _ = queries(care_manager, patient)
    for total in (12, 9, 7, 5, 3):
        services.assessment_record(
            actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(total)
        )
    unsafe = AHC_NEGATIVE | {k: HITS[4] for k in AHC_NEGATIVE if k.startswith("ahc-safety")}
    services.assessment_record(actor=care_manager, patient=patient, instrument_id="ahc-hrsn", answers=unsafe)
    services.assessment_start(actor=care_manager, patient=patient, instrument_id="gad-7")
    many, context = queries(care_manager, patient)
    assert many == few
    assert [t["instrument"].id for t in context["trends"]] == ["phq-9", "ahc-hrsn"]
    assert [r.value for r in context["trends"][0]["rows"]] == [14, 12, 9, 7, 5, 3]
    assert len(context["alerts"]) == 1 and context["alerts"][0].task.assigned_to == care_manager
    assert len(context["in_progress"]) == 1 and context["can_assess"]


def test_auditor_sees_the_panel_without_the_start_form(auditor, patient) -> None:  # type: ignore[no-untyped-def]
    _, context = queries(auditor, patient)
    assert context["can_assess"] is False and context["alerts"] == []
