"""The JSON API: programs, queue, outreach, enrollment, caseloads; bad input names the field."""

import pytest
from django.test import Client

from carenav.core import clock
from carenav.programs import services
from carenav.programs.models import Candidate, Enrollment
from tests.conftest import token_headers
from tests.factories import make_patient
from tests.programs.conftest import CCM_FACTS, add_score, make_run, offer

pytestmark = pytest.mark.django_db


def _api(user):  # type: ignore[no-untyped-def]
    headers = token_headers(user)

    class Api:
        @staticmethod
        def get(path: str):  # type: ignore[no-untyped-def]
            return Client().get(f"/api/programs{path}", **headers)

        @staticmethod
        def post(path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
            return Client().post(
                f"/api/programs{path}", data=body or {}, content_type="application/json", **headers
            )

    return Api


@pytest.fixture
def queue(org, supervisor, patient):  # type: ignore[no-untyped-def]
    offer(org, "CCM", "PCM", "TCM", "BHI")
    run = make_run(org)
    add_score(run, patient, **CCM_FACTS)
    add_score(run, make_patient(org), tier=1, priority=90.0, flags=["substance_use"])
    services.candidates_refresh(actor=supervisor, organization=org)
    return run


def test_programs_list_marks_what_the_organization_runs(org, care_manager) -> None:
    offer(org, "CCM")
    body = _api(care_manager).get("").json()
    assert [p["code"] for p in body] == ["CCM", "PCM", "CCM_COMPLEX", "TCM", "BHI", "LTSS"]
    assert [p["code"] for p in body if p["offered"]] == ["CCM"]
    assert body[0]["consent"]["required"] and body[0]["consent"]["text_version"] == "CCM-2026.11"


def test_candidate_queue_filters_and_sorts(care_manager, queue, patient) -> None:
    api = _api(care_manager)
    items = api.get("/candidates").json()["items"]
    assert [c["priority"] for c in items] == sorted((c["priority"] for c in items), reverse=True)
    assert items[0]["program_code"] == "BHI" and items[0]["tier"] == 1
    ccm = api.get("/candidates?program=CCM").json()["items"]
    assert len(ccm) == 1 and ccm[0]["patient"]["id"] == patient.pk
    assert ccm[0]["reasons"] == ["2 chronic conditions lasting 12+ months: heart failure, diabetes mellitus"]
    assert [c["program_code"] for c in api.get("/candidates?reason=Heart+Failure").json()["items"]] == [
        "CCM",
        "PCM",
    ]
    assert api.get("/candidates?tier=1").json()["count"] == 1
    assert api.get("/candidates?assigned=me").json()["count"] == 0
    bad = api.get("/candidates?tier=high")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "tier"


def test_outreach_outcome_and_enrollment_round_trip(care_manager, queue, patient) -> None:
    api = _api(care_manager)
    candidate = Candidate.objects.get(program_code="CCM")
    created = api.post(f"/candidates/{candidate.pk}/attempts", {"channel": "phone", "result": "no_answer"})
    assert created.status_code == 201 and created.json()["result"] == "no_answer"
    assert api.get(f"/candidates/{candidate.pk}").json()["attempts"] == 1
    assert len(api.get(f"/candidates/{candidate.pk}/attempts").json()) == 1
    bad = api.post(f"/candidates/{candidate.pk}/attempts", {"channel": "phone"})
    assert bad.status_code == 422 and "result" in bad.json()["detail"]

    missing = api.post("/enrollments", {"patient_id": patient.pk, "program": "CCM"})
    assert missing.status_code == 400 and missing.json()["field"] == "consent_method"
    enrolled = api.post(
        "/enrollments",
        {
            "patient_id": patient.pk,
            "program": "CCM",
            "consent_method": "verbal",
            "consent_date": "2026-11-24",
            "care_manager_id": care_manager.pk,
            "candidate_id": candidate.pk,
        },
    )
    assert enrolled.status_code == 201, enrolled.json()
    body = enrolled.json()
    assert body["consent_text_version"] == "CCM-2026.11" and body["care_manager"]["id"] == care_manager.pk
    assert api.get(f"/candidates/{candidate.pk}").json()["status"] == "enrolled"
    again = api.post(
        "/enrollments",
        {
            "patient_id": patient.pk,
            "program": "CCM",
            "consent_method": "verbal",
            "consent_date": "2026-11-24",
        },
    )
    assert again.status_code == 409

    caseload = api.get("/caseload").json()
    assert [(row["patient"]["id"], row["programs"], row["tier"]) for row in caseload] == [
        (patient.pk, ["CCM"], 2)
    ]
    standing = api.get(f"/patients/{patient.pk}").json()
    ccm = next(e for e in standing["eligibility"] if e["program"] == "CCM")
    assert ccm["eligible"] is True and ccm["enrollment_id"] == body["id"]

    out = api.post(f"/enrollments/{body['id']}/disenroll", {"reason": "goals_met"})
    assert out.status_code == 200 and out.json()["status"] == "disenrolled"
    assert out.json()["end_date"] == clock.today().isoformat()
    assert api.get("/caseload").json() == []


def test_outcomes_through_the_api(care_manager, queue) -> None:
    api = _api(care_manager)
    candidate = Candidate.objects.get(program_code="PCM")
    no_reason = api.post(f"/candidates/{candidate.pk}/outcome", {"outcome": "declined"})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    enrolled = api.post(f"/candidates/{candidate.pk}/outcome", {"outcome": "enrolled"})
    assert enrolled.status_code == 400 and enrolled.json()["field"] == "outcome"
    deferred = api.post(
        f"/candidates/{candidate.pk}/outcome", {"outcome": "deferred", "deferred_until": "2027-01-05"}
    )
    assert deferred.json()["status"] == "deferred" and deferred.json()["deferred_until"] == "2027-01-05"
    bad_date = api.post(
        f"/candidates/{candidate.pk}/outcome", {"outcome": "deferred", "deferred_until": "soon"}
    )
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["field"].endswith("deferred_until")


def test_another_organization_sees_404(other_care_manager, queue, patient) -> None:
    api = _api(other_care_manager)
    candidate = Candidate.objects.first()
    assert api.get(f"/candidates/{candidate.pk}").status_code == 404
    assert api.post(f"/candidates/{candidate.pk}/attempts", {"result": "no_answer"}).status_code == 404
    assert api.get("/candidates").json()["count"] == 0
    assert api.get(f"/patients/{patient.pk}").status_code == 404
    assert api.post("/enrollments", {"patient_id": patient.pk, "program": "TCM"}).status_code == 404


def test_caseloads_and_suggestions_are_for_supervisors(
    org, care_manager, supervisor, lcsw, queue, patient
) -> None:
    services.enroll(
        actor=care_manager,
        patient=patient,
        program_code="BHI",
        consent_method="verbal",
        consent_date=clock.today(),
    )
    enrollment = Enrollment.objects.get()
    assert _api(care_manager).get("/caseloads").status_code == 403
    assert _api(care_manager).get(f"/enrollments/{enrollment.pk}/suggestions").status_code == 403
    api = _api(supervisor)
    loads = api.get("/caseloads").json()
    assert [e["id"] for e in loads["unassigned"]] == [enrollment.pk]
    suggestions = api.get(f"/enrollments/{enrollment.pk}/suggestions").json()
    assert [s["user"]["username"] for s in suggestions] == ["lena"]
    assert "speaks the patient's language (es)" in suggestions[0]["reasons"]
    wrong = api.post(f"/enrollments/{enrollment.pk}/care-manager", {"care_manager_id": care_manager.pk})
    assert wrong.status_code == 400 and wrong.json()["field"] == "care_manager"
    unknown = api.post(f"/enrollments/{enrollment.pk}/care-manager", {"care_manager_id": 999999})
    assert unknown.status_code == 400 and unknown.json()["field"] == "care_manager_id"
    assigned = api.post(f"/enrollments/{enrollment.pk}/care-manager", {"care_manager_id": lcsw.pk})
    assert assigned.json()["care_manager"]["username"] == "lena"
    staff = {row["care_manager"]["username"]: row for row in api.get("/caseloads").json()["staff"]}
    assert staff["lena"]["patients"] == 1 and staff["lena"]["weighted_load"] == 2.0
    assert staff["lena"]["by_tier"] == {"2": 1}
    by_program = api.get(f"/patients/{patient.pk}/suggestions?program=NOPE")
    assert by_program.status_code == 400 and by_program.json()["field"] == "program"


def test_refresh_through_the_api(org, supervisor, care_manager, queue) -> None:
    assert _api(care_manager).post("/candidates/refresh").status_code == 403
    body = _api(supervisor).post("/candidates/refresh").json()
    assert body["created"] == 0 and body["unchanged"] == Candidate.objects.count()
    missing = _api(supervisor).post("/candidates/refresh", {"run_id": 999999})
    assert missing.status_code == 400 and missing.json()["field"] == "run_id"
