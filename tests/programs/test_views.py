"""Pages: the queue with inline outcomes, enrollment with consent, caseloads, the chart panel."""

import pytest

from carenav.core import clock
from carenav.programs import services
from carenav.programs.models import Candidate, Enrollment
from tests.conftest import login
from tests.factories import make_patient
from tests.programs.conftest import CCM_FACTS, add_score, make_run, offer

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def queue(org, supervisor, patient):  # type: ignore[no-untyped-def]
    offer(org, "CCM", "PCM", "BHI")
    run = make_run(org)
    add_score(run, patient, **CCM_FACTS)
    for i in range(5):
        add_score(run, make_patient(org), tier=1, priority=80.0 - i, flags=["behavioral"])
    services.candidates_refresh(actor=supervisor, organization=org)
    return run


def test_queue_shows_reasons_sorted_by_priority(care_manager, queue, django_assert_max_num_queries) -> None:
    client = login(care_manager)
    with django_assert_max_num_queries(14):
        page = client.get("/programs/candidates/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 chronic conditions lasting 12+ months: heart failure, diabetes mellitus" in html
    assert html.index("Priority") < html.index("80.0") < html.index("55.0")
    fragment = client.get("/programs/candidates/?program=CCM", **HX).content.decode()
    assert (
        "<html" not in fragment
        and "Muñoz, Rosa" in fragment
        and "behavioral health condition" not in fragment
    )
    by_reason = client.get("/programs/candidates/?reason=behavioral", **HX).content.decode()
    assert by_reason.count('class="candidate-row') == 5


def test_queue_query_count_does_not_grow_with_rows(
    org, care_manager, supervisor, queue, django_assert_max_num_queries
) -> None:
    run = make_run(org)
    for i in range(20):
        add_score(run, make_patient(org), tier=2, priority=30.0 + i, flags=["substance_use"])
    services.candidates_refresh(actor=supervisor, organization=org)
    client = login(care_manager)
    with django_assert_max_num_queries(14):
        page = client.get("/programs/candidates/")
    assert page.content.decode().count('class="candidate-row') == 25


def test_inline_outcomes(care_manager, queue, patient) -> None:
    client = login(care_manager)
    candidate = Candidate.objects.get(program_code="CCM")
    url = f"/programs/candidates/{candidate.pk}/action/"
    row = client.post(url, {"action": "outcome", "outcome": "attempt:no_answer", "channel": "phone"}, **HX)
    assert row.status_code == 200 and "1 unsuccessful attempt" in row.content.decode()
    missing = client.post(url, {"action": "outcome", "outcome": "declined"}, **HX)
    assert missing.status_code == 422 and "A reason is required" in missing.content.decode()
    declined = client.post(
        url, {"action": "outcome", "outcome": "declined", "decline_reason": "cost_sharing"}, **HX
    )
    assert declined.status_code == 200 and "Declined" in declined.content.decode()
    assert Candidate.objects.get(pk=candidate.pk).status == "declined"
    take = Candidate.objects.get(program_code="PCM")
    client.post(f"/programs/candidates/{take.pk}/action/", {"action": "take"}, **HX)
    assert Candidate.objects.get(pk=take.pk).assigned_to == care_manager


def test_supervisor_assigns_outreach_inline(supervisor, care_manager, queue) -> None:
    candidate = Candidate.objects.get(program_code="CCM")
    row = login(supervisor).post(
        f"/programs/candidates/{candidate.pk}/action/",
        {"action": "assign", "assigned_to": str(care_manager.pk)},
        **HX,
    )
    assert row.status_code == 200 and "Nina" in row.content.decode()
    assert Candidate.objects.get(pk=candidate.pk).assigned_to == care_manager
    mine = login(care_manager).get("/programs/candidates/?assigned=me", **HX).content.decode()
    assert mine.count('class="candidate-row') == 1


def test_enroll_form_shows_the_consent_script_and_requires_consent(care_manager, queue, patient) -> None:
    client = login(care_manager)
    candidate = Candidate.objects.get(program_code="CCM")
    url = f"/programs/enroll/{patient.pk}/CCM/?candidate={candidate.pk}"
    form = client.get(url).content.decode()
    assert "only one practitioner can provide and bill this service" in form.lower()
    assert "CCM-2026.11" in form and "Why this patient" in form
    refused = client.post(url, {"consent_date": "2026-11-24", "start_date": "2026-11-24", "care_manager": ""})
    assert (
        refused.status_code == 400 and "CCM requires the patient&#x27;s consent" in refused.content.decode()
    )
    done = client.post(
        url,
        {
            "consent_method": "verbal",
            "consent_date": "2026-11-24",
            "start_date": "2026-11-24",
            "care_manager": str(care_manager.pk),
            "consent_text_version": "CCM-2026.11",
            "next": "/programs/candidates/",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/programs/candidates/"
    assert Enrollment.objects.get().consent_method == "verbal"
    caseload = client.get("/programs/caseload/").content.decode()
    assert "Muñoz, Rosa" in caseload and "Tier 2" in caseload and "CCM" in caseload


def test_supervisor_caseloads_with_suggestions(care_manager, supervisor, queue, patient) -> None:
    services.enroll(
        actor=care_manager,
        patient=patient,
        program_code="CCM",
        consent_method="verbal",
        consent_date=clock.today(),
    )
    assert login(care_manager).get("/programs/caseloads/").status_code == 403
    client = login(supervisor)
    html = client.get("/programs/caseloads/").content.decode()
    assert "Enrollees without a care manager (1)" in html and "weighted caseload 0" in html
    enrollment = Enrollment.objects.get()
    moved = client.post(f"/programs/enrollments/{enrollment.pk}/assign/", {"care_manager": care_manager.pk})
    assert moved.status_code == 302
    assert Enrollment.objects.get().care_manager == care_manager
    assert "Every active enrollee has a care manager" in client.get("/programs/caseloads/").content.decode()


def test_chart_panel_shows_eligibility_enrollments_and_history(care_manager, queue, patient) -> None:
    enrollment = services.enroll(
        actor=care_manager,
        patient=patient,
        program_code="CCM",
        consent_method="written",
        consent_date=clock.today(),
    )
    client = login(care_manager)
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert 'id="panel-programs"' in chart
    assert "Enrolled" in chart and "high-risk condition: heart failure" in chart
    client.post(f"/programs/enrollments/{enrollment.pk}/disenroll/", {"reason": "moved"})
    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Enrollment history" in chart and "(moved)" in chart


def test_pages_are_scoped_to_the_organization(other_care_manager, queue, patient) -> None:
    client = login(other_care_manager)
    candidate = Candidate.objects.first()
    assert "Muñoz" not in client.get("/programs/candidates/").content.decode()
    assert (
        client.post(f"/programs/candidates/{candidate.pk}/action/", {"outcome": "declined"}).status_code
        == 404
    )
    assert client.get(f"/programs/enroll/{patient.pk}/CCM/").status_code == 404


def test_auditor_can_read_the_queue_but_not_act(auditor, queue) -> None:
    client = login(auditor)
    assert client.get("/programs/candidates/").status_code == 200
    candidate = Candidate.objects.first()
    refused = client.post(
        f"/programs/candidates/{candidate.pk}/action/", {"outcome": "declined", "decline_reason": "other"}
    )
    assert refused.status_code == 403
    assert client.get("/programs/caseload/").status_code == 403


def test_caseload_pages_have_constant_query_counts(
    org, care_manager, supervisor, queue, django_assert_max_num_queries
) -> None:
    run = make_run(org)
    for i in range(12):
        p = make_patient(org)
        add_score(run, p, tier=1 + i % 4)
        services.enroll(
            actor=supervisor,
            patient=p,
            program_code="CCM",
            consent_method="verbal",
            consent_date=clock.today(),
            care_manager=care_manager if i % 2 else None,
        )
    mine, boss = login(care_manager), login(supervisor)
    with django_assert_max_num_queries(12):
        page = mine.get("/programs/caseload/")
    assert page.content.decode().count("since 2026-11-24") == 6
    with django_assert_max_num_queries(20):
        page = boss.get("/programs/caseloads/")
    assert "Enrollees without a care manager (6)" in page.content.decode()
