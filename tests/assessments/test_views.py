"""Assessment pages: start from the chart, fill with HTMX skip logic, save and resume, submit with
missing items shown, result in plain words, safety alert on the chart, language switch, scope."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carenav.assessments import services
from carenav.assessments.models import AssessmentResponse, SafetyAlert
from tests.assessments.conftest import comprehensive_answers, phq9_total
from tests.conftest import login
from tests.factories import add_condition, make_patient

pytestmark = pytest.mark.django_db


def start(client, patient, instrument_id, **extra):  # type: ignore[no-untyped-def]
    response = client.post(
        f"/assessments/patients/{patient.pk}/start/", {"instrument": instrument_id, **extra}
    )
    assert response.status_code == 302, response.content
    return response["Location"]


def test_spanish_speaking_patient_gets_spanish_text_and_can_switch(cm_client, patient) -> None:  # type: ignore[no-untyped-def]
    url = start(cm_client, patient, "phq-9")
    page = cm_client.get(url).content.decode()
    assert 'lang="es"' in page and "Poco interés o placer en hacer cosas" in page and "Varios días" in page
    assert "Little interest" not in page and "Enviar" in page
    cm_client.post(url + "language/", {"lang": "en"})
    page = cm_client.get(url).content.decode()
    assert "Little interest or pleasure in doing things" in page and "Poco interés" not in page


def test_english_speaking_patient_gets_english(cm_client, org) -> None:  # type: ignore[no-untyped-def]
    ben = make_patient(org, preferred_language="en")
    page = cm_client.get(start(cm_client, ben, "gad-7")).content.decode()
    assert "Feeling nervous, anxious, or on edge" in page


def test_htmx_autosave_applies_skip_logic(cm_client, patient) -> None:  # type: ignore[no-untyped-def]
    url = start(cm_client, patient, "audit-c")
    fragment = cm_client.post(url + "save/", {"auditc-1": "LA18927-6"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200 and not html.startswith("<!doctype")
    assert (
        'name="auditc-2"' in html
        and 'id="q-auditc-1-LA18927-6" name="auditc-1" value="LA18927-6" checked' in html
    )
    never = cm_client.post(
        url + "save/", {"auditc-1": "LA6270-8", "auditc-2": "LA15695-2"}, HTTP_HX_REQUEST="true"
    )
    assert 'name="auditc-2"' not in never.content.decode()
    assert AssessmentResponse.objects.get().answers == {"auditc-1": "LA6270-8"}


def test_save_and_finish_later_then_resume(cm_client, patient) -> None:  # type: ignore[no-untyped-def]
    url = start(cm_client, patient, "phq-9", language="en")
    saved = cm_client.post(url + "save/", {"phq9-1": "LA6570-1"})
    assert saved.status_code == 302 and saved["Location"] == f"/assessments/patients/{patient.pk}/"
    listing = cm_client.get(saved["Location"]).content.decode()
    assert "In progress — resume" in listing
    resumed = cm_client.get(url).content.decode()
    assert 'value="LA6570-1" checked' in resumed and "1 / 10 answered" in resumed


def test_incomplete_submit_shows_missing_items_and_keeps_answers(cm_client, patient) -> None:  # type: ignore[no-untyped-def]
    url = start(cm_client, patient, "phq-9", language="en")
    partial = {k: v for k, v in phq9_total(12).items() if k not in ("phq9-5", "phq9-9")}
    response = cm_client.post(url + "submit/", partial)
    html = response.content.decode()
    assert response.status_code == 422
    missing = re.search(r'<div class="card alert" role="alert" id="missing-items">(.*?)</div>', html, re.S)
    assert missing is not None
    assert "Poor appetite or overeating" in missing.group(
        1
    ) and "Thoughts that you would be better off dead" in missing.group(1)
    assert 'class="q q-missing" id="q-phq9-5"' in html
    assert AssessmentResponse.objects.get().answers == partial  # nothing lost


def test_submit_shows_the_result_in_plain_words(cm_client, patient) -> None:  # type: ignore[no-untyped-def]
    url = start(cm_client, patient, "phq-9")
    done = cm_client.post(url + "submit/", phq9_total(17, item9=1))
    assert done.status_code == 302 and done["Location"] == url
    html = cm_client.get(url).content.decode()
    assert "PHQ-9 total score: 17 of 27, moderately severe depression (positive: at or above 10)" in html
    assert "Thoughts of death or self-harm reported (PHQ-9 item 9)" in html
    assert "Depressive symptoms, positive PHQ-9 screen" in html
    assert "Poco interés o placer en hacer cosas" in html  # answers shown in the language they were given in


def test_chart_shows_the_safety_alert_until_acknowledged(cm_client, care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    services.assessment_record(
        actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(6, item9=1)
    )
    chart = cm_client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'id="safety-alerts"' in chart and "Thoughts of death or self-harm reported" in chart
    assert "Urgent follow-up task for" in chart
    alert = SafetyAlert.objects.get()
    cm_client.post(
        f"/assessments/alerts/{alert.pk}/acknowledge/", {"action_taken": "Same-day PHQ-9 review with Dr Lee"}
    )
    chart = cm_client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'id="safety-alerts"' not in chart


def test_chart_panel_lists_results_findings_and_the_trend(cm_client, care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    for total in (14, 9, 5):
        services.assessment_record(
            actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(total)
        )
    chart = cm_client.get(f"/patients/{patient.pk}/").content.decode()
    trend = re.search(r'<figure class="trend-figure" id="trend-phq-9".*?</figure>', chart, re.S)
    assert trend is not None
    assert "14 → 9 → 5" in trend.group(0) and "<svg" in trend.group(0)
    assert re.search(r'aria-label="PHQ-9 total score: 14 on \d{4}-\d\d-\d\d, 9 on .*, 5 on ', trend.group(0))
    assert "Mild depressive symptoms" in chart  # the active finding


def test_comprehensive_form_shows_the_medical_history_and_groups_by_domain(
    cm_client, care_manager, org
) -> None:  # type: ignore[no-untyped-def]
    pat = make_patient(org, preferred_language="en")
    add_condition(pat, "I50.22", display="Chronic systolic heart failure")
    url = start(cm_client, pat, "comprehensive-cm")
    html = cm_client.get(url).content.decode()
    assert 'id="medical-history-summary"' in html and "Chronic systolic heart failure" in html
    for legend in (
        "Medical history review",
        "Functional status",
        "Mental health",
        "Social needs",
        "Support system",
        "Medications",
        "Patient priorities",
    ):
        assert f"<legend>{legend}</legend>" in html
    response = AssessmentResponse.objects.get()
    services.assessment_submit(actor=care_manager, response=response, answers=comprehensive_answers())
    result = cm_client.get(url).content.decode()
    assert (
        result.index("<h2>Functional status</h2>")
        < result.index("<h2>Mental health</h2>")
        < result.index("<h2>Social needs</h2>")
    )
    assert "Katz ADL score: 6 of 6, full function" in result


def test_scope_and_permission_on_pages(
    cm_client, auditor, other_care_manager, patient, other_patient
) -> None:  # type: ignore[no-untyped-def]
    url = start(cm_client, patient, "phq-2")
    assert login(other_care_manager).get(url).status_code == 404
    assert (
        cm_client.post(
            f"/assessments/patients/{other_patient.pk}/start/", {"instrument": "phq-2"}
        ).status_code
        == 404
    )
    denied = login(auditor).post(f"/assessments/patients/{patient.pk}/start/", {"instrument": "phq-2"})
    assert denied.status_code == 403
    unknown = cm_client.post(f"/assessments/patients/{patient.pk}/start/", {"instrument": "nope"})
    assert unknown.status_code == 422 and "Unknown instrument" in unknown.content.decode()


def test_history_page_query_count_is_flat(cm_client, care_manager, patient) -> None:  # type: ignore[no-untyped-def]
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert cm_client.get(f"/assessments/patients/{patient.pk}/").status_code == 200
        return len(captured)

    services.assessment_record(
        actor=care_manager,
        patient=patient,
        instrument_id="phq-2",
        answers={"phq2-1": "LA6568-5", "phq2-2": "LA6568-5"},
    )
    few = count()
    for _ in range(6):
        services.assessment_start(actor=care_manager, patient=patient, instrument_id="gad-7")
    assert count() == few
