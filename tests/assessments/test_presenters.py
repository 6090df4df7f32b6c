"""View-models: only enabled items are shown, in the response language; results grouped by domain."""

from carenav.assessments.answers import validate_answers
from carenav.assessments.presenters import answer_rows, build_form, result_sections
from carenav.assessments.scoring import score
from tests.assessments.conftest import AHC_NEGATIVE, comprehensive_answers, phq9_total


def test_form_shows_enabled_items_in_the_language(registry) -> None:  # type: ignore[no-untyped-def]
    phq = registry.get("phq-9")
    form = build_form(phq, phq9_total(0), lang="es")
    assert [i.link_id for i in form.items] == [f"phq9-{n}" for n in range(1, 10)]  # item 10 skipped
    assert form.items[0].text == "Poco interés o placer en hacer cosas"
    assert [o.label for o in form.items[0].options][:2] == ["Ningún día", "Varios días"]
    assert form.items[0].options[0].checked and (form.answered, form.total) == (9, 9)
    steadi = registry.get("steadi-falls")
    fallen = build_form(steadi, {"steadi-fallen": True}, lang="es", missing=["steadi-fall-count"])
    assert [o.label for o in fallen.items[0].options] == ["Sí", "No"]
    assert [m.link_id for m in fallen.missing] == ["steadi-fall-count"]


def test_result_sections_follow_the_composite_domains(registry) -> None:  # type: ignore[no-untyped-def]
    composite = registry.get("comprehensive-cm")
    answers = validate_answers(composite, comprehensive_answers(), complete=True).answers
    sections = result_sections(composite, score(composite, answers, registry))
    assert [s.domain for s in sections] == [
        "functional",
        "mental-health",
        "social-needs",
        "support-system",
        "medications",
        "priorities",
    ]
    assert [c.result.instrument_id for c in sections[1].components] == ["phq-9", "gad-7", "audit-c"]


def test_answer_rows_read_back_in_the_response_language(registry) -> None:  # type: ignore[no-untyped-def]
    ahc = registry.get("ahc-hrsn")
    rows = answer_rows(ahc, AHC_NEGATIVE | {"ahc-housing-problems": ["LA28580-1", "LA32001-2"]}, "es")
    assert rows[0] == (0, "¿Cuál es su situación de vivienda actual?", "Tengo un lugar estable donde vivir")
    assert rows[1][2] == "Moho; Goteras o fugas de agua"
