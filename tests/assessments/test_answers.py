"""Answer validation, FHIR R4 enableWhen skip logic, and parsing of forms and QuestionnaireResponses."""

import pytest

from carenav.assessments.answers import (
    AnswerValidationError,
    answers_from_form,
    answers_from_questionnaire_response,
    enabled_link_ids,
    missing_required,
    validate_answers,
)
from tests.assessments.conftest import AHC_NEGATIVE, phq9_total


def errors_of(instrument, answers, complete=True):  # type: ignore[no-untyped-def]
    with pytest.raises(AnswerValidationError) as caught:
        validate_answers(instrument, answers, complete=complete)
    return [(e.link_id, e.code) for e in caught.value.errors]


def test_errors_name_every_offending_item(registry) -> None:  # type: ignore[no-untyped-def]
    phq = registry.get("phq-9")
    answers = phq9_total(5) | {"phq9-3": "LA9999-9", "phq9-99": "LA6568-5", "phq9-4": 2}
    assert errors_of(phq, answers) == [
        ("phq9-3", "not-an-option"),
        ("phq9-4", "wrong-type"),
        ("phq9-99", "unknown-item"),
    ]


def test_missing_required_items_are_errors_only_when_complete(registry) -> None:  # type: ignore[no-untyped-def]
    phq = registry.get("phq-9")
    partial = {k: v for k, v in phq9_total(5).items() if k not in ("phq9-7", "phq9-9")}
    assert errors_of(phq, partial) == [("phq9-7", "required"), ("phq9-9", "required")]
    saved = validate_answers(phq, partial, complete=False)
    assert saved.missing == ["phq9-7", "phq9-9"] and not saved.complete and saved.answers == partial


def test_choice_shapes(registry) -> None:  # type: ignore[no-untyped-def]
    ahc = registry.get("ahc-hrsn")
    assert errors_of(ahc, AHC_NEGATIVE | {"ahc-housing-problems": ["LA28580-1", "LA9-3"]}) == [
        ("ahc-housing-problems", "exclusive-option")
    ]
    assert errors_of(ahc, AHC_NEGATIVE | {"ahc-transportation": ["LA33-6", "LA32-8"]}) == [
        ("ahc-transportation", "too-many-answers")
    ]
    one = validate_answers(ahc, AHC_NEGATIVE | {"ahc-housing-problems": "LA28580-1"}, complete=True)
    assert one.answers["ahc-housing-problems"] == ["LA28580-1"]  # a single code for a multi-select
    coded = validate_answers(
        ahc,
        AHC_NEGATIVE | {"ahc-transportation": {"system": "http://loinc.org", "code": "LA33-6"}},
        complete=True,
    )
    assert coded.answers["ahc-transportation"] == "LA33-6"


def test_other_item_types(registry) -> None:  # type: ignore[no-untyped-def]
    steadi = registry.get("steadi-falls")
    base = {
        "steadi-fallen": True,
        "steadi-fall-count": 2,
        "steadi-injured": False,
        "steadi-unsteady": False,
        "steadi-worry": False,
    }
    assert validate_answers(steadi, base, complete=True).complete
    assert errors_of(steadi, base | {"steadi-fallen": "yes"}) == [("steadi-fallen", "wrong-type")]
    assert errors_of(steadi, base | {"steadi-fall-count": True}) == [("steadi-fall-count", "wrong-type")]
    prapare = registry.get("prapare")
    assert errors_of(prapare, {"prapare-personal": "x"}) == [("prapare-personal", "not-answerable")]
    assert validate_answers(prapare, {"prapare-income": 1200}, complete=True).answers == {
        "prapare-income": 1200
    }
    what = registry.get("what-matters")
    assert validate_answers(what, {"wm-matters-most": "  My dog  "}, complete=True).answers == {
        "wm-matters-most": "My dog"
    }
    assert errors_of(what, {"wm-matters-most": "   "}) == [("wm-matters-most", "required")]


def test_phq9_difficulty_follows_r4_not_equal_semantics(registry) -> None:  # type: ignore[no-untyped-def]
    phq = registry.get("phq-9")
    assert "phq9-10" in enabled_link_ids(phq, {})  # '!=' is true while a question has no answer
    assert "phq9-10" not in enabled_link_ids(phq, phq9_total(0))
    assert "phq9-10" in enabled_link_ids(phq, phq9_total(1))
    kept = validate_answers(phq, phq9_total(0) | {"phq9-10": "LA6573-5"}, complete=True)
    assert "phq9-10" not in kept.answers and kept.ignored == ["phq9-10"]


def test_auditc_skip_logic(registry) -> None:  # type: ignore[no-untyped-def]
    audit = registry.get("audit-c")
    assert missing_required(audit, {"auditc-1": "LA6270-8"}) == []
    assert missing_required(audit, {"auditc-1": "LA18926-8"}) == ["auditc-2", "auditc-3"]
    dropped = validate_answers(audit, {"auditc-1": "LA6270-8", "auditc-2": "LA18932-6"}, complete=True)
    assert dropped.answers == {"auditc-1": "LA6270-8"} and dropped.ignored == ["auditc-2"]


def test_disabled_groups_disable_their_children(registry) -> None:  # type: ignore[no-untyped-def]
    caregiver = registry.get("caregiver-support")
    enabled = enabled_link_ids(caregiver, {"cg-has-caregiver": False})
    assert "cg-relationship" not in enabled and "cg-backup" in enabled
    assert "cg-relationship" in enabled_link_ids(caregiver, {"cg-has-caregiver": True})


def test_form_values_convert_by_item_type(registry) -> None:  # type: ignore[no-untyped-def]
    steadi = registry.get("steadi-falls")
    raw = answers_from_form(
        steadi,
        {
            "steadi-fallen": ["true"],
            "steadi-fall-count": ["3"],
            "steadi-injured": ["false"],
            "csrfmiddlewaretoken": ["x"],
        },
    )
    assert raw == {"steadi-fallen": True, "steadi-fall-count": 3, "steadi-injured": False}
    ahc = registry.get("ahc-hrsn")
    assert answers_from_form(ahc, {"ahc-housing-problems": ["LA28580-1", "LA31997-2"]}) == {
        "ahc-housing-problems": ["LA28580-1", "LA31997-2"]
    }
    bad = answers_from_form(steadi, {"steadi-fall-count": ["two"]})
    assert errors_of(steadi, bad, complete=False) == [("steadi-fall-count", "wrong-type")]


def qr(items, questionnaire="https://carenav.org/fhir/Questionnaire/phq-2|1.0.0"):  # type: ignore[no-untyped-def]
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": questionnaire,
        "item": items,
    }


def test_questionnaire_response_flattens_groups(registry) -> None:  # type: ignore[no-untyped-def]
    prapare = registry.get("prapare")
    response = qr(
        [
            {
                "linkId": "prapare-money",
                "item": [
                    {
                        "linkId": "prapare-unmet-needs",
                        "answer": [
                            {"valueCoding": {"system": "http://loinc.org", "code": "LA30125-1"}},
                            {"valueCoding": {"system": "http://loinc.org", "code": "LA30124-4"}},
                        ],
                    },
                    {"linkId": "prapare-income", "answer": [{"valueDecimal": 15000.5}]},
                ],
            },
        ],
        questionnaire=prapare.url,
    )
    assert answers_from_questionnaire_response(prapare, response) == {
        "prapare-unmet-needs": ["LA30125-1", "LA30124-4"],
        "prapare-income": 15000.5,
    }


def test_questionnaire_response_errors(registry) -> None:  # type: ignore[no-untyped-def]
    phq2 = registry.get("phq-2")
    with pytest.raises(AnswerValidationError) as caught:
        answers_from_questionnaire_response(
            phq2,
            qr(
                [
                    {
                        "linkId": "phq2-1",
                        "answer": [{"valueCoding": {"system": "http://snomed.info/sct", "code": "LA6568-5"}}],
                    },
                    {"linkId": "phq2-7", "answer": [{"valueCoding": {"code": "LA6568-5"}}]},
                ],
                questionnaire=f"{phq2.url}|0.9.0",
            ),
        )
    assert [(e.link_id, e.code) for e in caught.value.errors] == [
        ("", "wrong-version"),
        ("phq2-1", "not-an-option"),
        ("phq2-7", "unknown-item"),
    ]
