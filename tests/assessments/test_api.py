"""The assessments API: instruments as FHIR Questionnaires, recording (simple JSON or FHIR), 4xx that
name the item with nothing saved, history, FHIR export valid as R4, findings, trends, scope."""

import json

import pytest
from django.test import Client

from carenav.assessments import fhir
from carenav.assessments.models import AssessmentResponse, Finding
from tests.assessments.conftest import phq9_total
from tests.conftest import token_headers

pytestmark = pytest.mark.django_db


def post(headers, patient_id, body):  # type: ignore[no-untyped-def]
    return Client().post(
        f"/api/patients/{patient_id}/assessments",
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def headers(care_manager):  # type: ignore[no-untyped-def]
    return token_headers(care_manager)


def test_instruments_are_listed_and_served_as_fhir(headers) -> None:  # type: ignore[no-untyped-def]
    listed = Client().get("/api/instruments", **headers).json()
    by_id = {i["id"]: i for i in listed}
    assert by_id["phq-9"]["languages"] == ["en", "es"] and by_id["phq-9"]["version"] == "1.0.0"
    assert by_id["comprehensive-cm"]["components"][:3] == ["katz-adl", "lawton-iadl", "steadi-falls"]
    questionnaire = Client().get("/api/instruments/gad-7?lang=es", **headers).json()
    fhir.validate(questionnaire)
    assert questionnaire["resourceType"] == "Questionnaire" and questionnaire["language"] == "es"
    assert questionnaire["item"][0]["text"].startswith("Se ha sentido nervioso")
    assert Client().get("/api/instruments/phq-10", **headers).status_code == 404
    wrong_lang = Client().get("/api/instruments/katz-adl?lang=es", **headers)
    assert wrong_lang.status_code == 400 and wrong_lang.json()["field"] == "lang"


def test_record_simple_json_returns_the_scored_result(headers, patient) -> None:  # type: ignore[no-untyped-def]
    response = post(headers, patient.pk, {"instrument": "phq-9", "answers": phq9_total(16, item9=1)})
    assert response.status_code == 201, response.content
    body = response.json()
    [phq] = body["components"]
    total = phq["scores"][0]
    assert (total["value"], total["band_code"], total["code"], total["positive"]) == (
        16,
        "moderately-severe",
        "44261-6",
        True,
    )
    assert (
        total["text"]
        == "PHQ-9 total score: 16 of 27, moderately severe depression (positive: at or above 10)"
    )
    assert [f["id"] for f in phq["flags"]] == ["self-harm"]
    assert {f["domain"] for f in body["findings"]} == {"depression", "self-harm-risk"}
    assert body["safety_alerts"][0]["flag_id"] == "self-harm" and body["safety_alerts"][0]["task_id"]
    assert body["language"] == "es" and body["scorer_version"] == "1.0.0"


def test_record_a_fhir_questionnaire_response(headers, patient, registry) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    instrument = registry.get("phq-9")
    qr = fhir.questionnaire_response(
        instrument,
        phq9_total(4),
        response_id="ext-1",
        subject_reference=f"Patient/{patient.pk}",
        authored=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        status="completed",
    )
    as_body = post(headers, patient.pk, qr)
    wrapped = post(headers, patient.pk, {"questionnaireResponse": qr, "language": "en"})
    assert as_body.status_code == wrapped.status_code == 201
    assert as_body.json()["components"][0]["scores"][0]["value"] == 4 and wrapped.json()["language"] == "en"
    malformed = post(
        headers,
        patient.pk,
        {"questionnaireResponse": {"resourceType": "QuestionnaireResponse", "status": "done"}},
    )
    assert malformed.status_code == 422 and "QuestionnaireResponse" in malformed.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"instrument": "phq-10", "answers": {}}, 422, "instrument"),
        ({"instrument": "phq-9", "answers": phq9_total(5) | {"phq9-11": "LA6568-5"}}, 422, "phq9-11"),
        ({"instrument": "phq-9", "answers": phq9_total(5) | {"phq9-4": "LA6572-7"}}, 422, "phq9-4"),
        (
            {"instrument": "phq-9", "answers": {k: v for k, v in phq9_total(5).items() if k != "phq9-6"}},
            422,
            "phq9-6",
        ),
        ({"instrument": "phq-9", "answers": ["LA6568-5"]}, 422, None),
        ({"instrument": "phq-9"}, 400, "answers"),
    ],
)
def test_bad_input_is_4xx_naming_the_item_and_saves_nothing(headers, patient, body, status, named) -> None:  # type: ignore[no-untyped-def]
    response = post(headers, patient.pk, body)
    assert response.status_code == status, response.content
    payload = response.json()
    if named:
        fields = [e["linkId"] for e in payload.get("errors", [])] + [payload.get("field")]
        assert named in fields and named in payload["detail"]
    assert not AssessmentResponse.objects.exists() and not Finding.objects.exists()


def test_scope_and_permissions(
    headers, care_manager, auditor, other_care_manager, patient, other_patient
) -> None:  # type: ignore[no-untyped-def]
    body = {"instrument": "phq-2", "answers": {"phq2-1": "LA6568-5", "phq2-2": "LA6568-5"}}
    assert post(headers, other_patient.pk, body).status_code == 404
    assert post(token_headers(other_care_manager), patient.pk, body).status_code == 404
    assert post(token_headers(auditor), patient.pk, body).status_code == 403
    created = post(headers, patient.pk, body).json()
    other = token_headers(other_care_manager)
    assert Client().get(f"/api/assessments/{created['id']}", **other).status_code == 404
    assert Client().get(f"/api/assessments/{created['id']}/fhir", **other).status_code == 404
    assert Client().get(f"/api/patients/{patient.pk}/findings", **other).status_code == 404
    assert Client().get(f"/api/assessments/{created['id']}", **token_headers(auditor)).status_code == 200
    assert Client().get(f"/api/patients/{patient.pk}/assessments").status_code == 401


def test_history_findings_trends_and_fhir_export(headers, patient) -> None:  # type: ignore[no-untyped-def]
    for total in (14, 9, 5):
        assert (
            post(headers, patient.pk, {"instrument": "phq-9", "answers": phq9_total(total)}).status_code
            == 201
        )
    history = Client().get(f"/api/patients/{patient.pk}/assessments", **headers).json()
    assert history["count"] == 3
    assert [h["summary"][0].split(",")[0] for h in history["items"]] == [
        "PHQ-9 total score: 5 of 27",
        "PHQ-9 total score: 9 of 27",
        "PHQ-9 total score: 14 of 27",
    ]
    trends = Client().get(f"/api/patients/{patient.pk}/assessment-trends", **headers).json()
    assert [p["value"] for p in trends[0]["points"]] == [14, 9, 5] and trends[0]["instrument_id"] == "phq-9"
    findings = Client().get(f"/api/patients/{patient.pk}/findings", **headers).json()
    assert [(f["kind"], f["severity"]) for f in findings] == [("risk-factor", "low")]
    everything = Client().get(f"/api/patients/{patient.pk}/findings?active=false", **headers).json()
    assert len(everything) == 3
    newest = history["items"][0]["id"]
    bundle = Client().get(f"/api/assessments/{newest}/fhir", **headers).json()
    fhir.validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["QuestionnaireResponse", "Observation"]
    response, observation = (e["resource"] for e in bundle["entry"])
    assert response["subject"] == {"reference": f"Patient/{patient.pk}"}
    assert response["questionnaire"].endswith("phq-9|1.0.0")
    assert observation["valueInteger"] == 5 and observation["code"]["coding"][0]["code"] == "44261-6"
