"""FHIR R4 output: every Questionnaire, a QuestionnaireResponse and its score Observations validate
against the fhir.resources R4B models, and a response survives the round trip."""

import datetime as dt

import pytest

from carenav.assessments import fhir
from carenav.assessments.answers import answers_from_questionnaire_response, validate_answers
from carenav.assessments.scoring import score
from tests.assessments.conftest import AHC_NEGATIVE, comprehensive_answers, phq9_total

NOW = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)


def test_every_questionnaire_is_valid_r4_in_each_language(registry) -> None:  # type: ignore[no-untyped-def]
    for instrument in registry:
        for lang in instrument.languages:
            resource = fhir.questionnaire(instrument, lang)
            fhir.validate(resource)
            assert resource["url"] == instrument.url and resource["version"] == instrument.version


def test_spanish_questionnaire_carries_both_languages(registry) -> None:  # type: ignore[no-untyped-def]
    resource = fhir.questionnaire(registry.get("phq-9"), "es")
    first = resource["item"][0]
    assert resource["language"] == "es" and first["text"] == "Poco interés o placer en hacer cosas"
    translation = first["_text"]["extension"][0]["extension"]
    assert translation == [
        {"url": "lang", "valueCode": "en"},
        {"url": "content", "valueString": "Little interest or pleasure in doing things"},
    ]
    option = first["answerOption"][1]
    assert option["valueCoding"]["display"] == "Varios días"
    assert option["extension"] == [{"url": fhir.ORDINAL_EXT, "valueDecimal": 1}]
    difficulty = resource["item"][9]
    assert difficulty["enableBehavior"] == "any" and len(difficulty["enableWhen"]) == 9
    assert difficulty["enableWhen"][0]["answerCoding"]["code"] == "LA6568-5"


def test_exclusive_options_and_help_text(registry) -> None:  # type: ignore[no-untyped-def]
    ahc = fhir.questionnaire(registry.get("ahc-hrsn"))
    none = ahc["item"][1]["answerOption"][-1]
    assert none["extension"] == [{"url": fhir.EXCLUSIVE_EXT, "valueBoolean": True}]
    katz = fhir.questionnaire(registry.get("katz-adl"))
    assert katz["item"][0]["item"][0]["type"] == "display"


def test_response_and_observations_are_valid_r4(registry) -> None:  # type: ignore[no-untyped-def]
    instrument = registry.get("phq-9")
    answers = validate_answers(instrument, phq9_total(14) | {"phq9-10": "LA6573-5"}, complete=True).answers
    result = score(instrument, answers, registry)
    response = fhir.questionnaire_response(
        instrument, answers, response_id="42", subject_reference="Patient/7", authored=NOW, status="completed"
    )
    observations = fhir.score_observations(
        result, registry, response_id="42", subject_reference="Patient/7", effective=NOW
    )
    bundle = fhir.collection_bundle([response, *observations], bundle_id="assessment-42", timestamp=NOW)
    for resource in (response, *observations, bundle):
        fhir.validate(resource)
    assert response["questionnaire"] == f"{instrument.url}|1.0.0"
    [total] = observations
    assert total["code"]["coding"][0]["code"] == "44261-6" and total["valueInteger"] == 14
    assert total["interpretation"] == [{"text": "Moderate depression"}]
    assert total["derivedFrom"] == [{"reference": "QuestionnaireResponse/42"}]
    assert answers_from_questionnaire_response(instrument, response) == answers


def test_sdoh_observations_carry_the_sdoh_category_and_coded_values(registry) -> None:  # type: ignore[no-untyped-def]
    hvs = registry.get("hunger-vital-sign")
    answers = {"hvs-worry": "LA6729-3", "hvs-didnt-last": "LA28398-8"}
    observations = fhir.score_observations(
        score(hvs, answers, registry), registry, response_id="9", subject_reference="Patient/1", effective=NOW
    )
    [risk] = observations
    fhir.validate(risk)
    assert risk["valueCodeableConcept"]["coding"][0]["code"] == "LA19952-3"
    assert {c["coding"][0]["code"] for c in risk["category"]} == {"survey", "sdoh"}
    ahc = registry.get("ahc-hrsn")
    ahc_obs = fhir.score_observations(
        score(ahc, AHC_NEGATIVE, registry),
        registry,
        response_id="9",
        subject_reference="Patient/1",
        effective=NOW,
    )
    assert [o["code"]["coding"][0]["code"] for o in ahc_obs] == ["95614-4"]  # the domain count has no code


def test_composite_response_is_valid_r4(registry) -> None:  # type: ignore[no-untyped-def]
    composite = registry.get("comprehensive-cm")
    answers = validate_answers(composite, comprehensive_answers(), complete=True).answers
    response = fhir.questionnaire_response(
        composite, answers, response_id="c1", subject_reference="Patient/1", authored=NOW, status="completed"
    )
    fhir.validate(response)
    assert [g["linkId"] for g in response["item"]] == [g.link_id for g in composite.items]
    assert answers_from_questionnaire_response(composite, response) == answers


def test_invalid_resources_are_rejected(registry) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(fhir.FhirValidationError, match="status: Value for the field 'status' is required"):
        fhir.validate({"resourceType": "QuestionnaireResponse"})
    with pytest.raises(fhir.FhirValidationError, match="authored"):
        fhir.validate(
            {"resourceType": "QuestionnaireResponse", "status": "completed", "authored": "yesterday"}
        )
    with pytest.raises(fhir.FhirValidationError, match="not in the QuestionnaireResponse status value set"):
        fhir.validate({"resourceType": "QuestionnaireResponse", "status": "finished-ish"})
    questionnaire = fhir.questionnaire(registry.get("phq-2"))
    questionnaire["item"][1]["type"] = "slider"
    with pytest.raises(fhir.FhirValidationError, match=r"item\.1\.type: 'slider'"):
        fhir.validate(questionnaire)
    bundle = fhir.collection_bundle(
        [{"resourceType": "Observation", "id": "x", "status": "done", "code": {"text": "t"}}],
        bundle_id="b",
        timestamp=NOW,
    )
    with pytest.raises(fhir.FhirValidationError, match="Observation status"):
        fhir.validate(bundle)
    with pytest.raises(fhir.FhirValidationError, match="unsupported"):
        fhir.validate({"resourceType": "Basic"})
