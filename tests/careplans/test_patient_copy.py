"""Patient copy: plain language in the patient's language, template texts translated, PDF that says the same."""

from datetime import date

from carenav.careplans.patient_copy import build, format_date, language_for, render_pdf, target_text
from tests.careplans.pdftext import extract_text
from tests.careplans.snapshots import snapshot

TODAY = date(2026, 11, 24)


def test_language_choice_and_dates() -> None:
    assert language_for("es-MX") == "es"
    assert language_for("vi") == "en"
    assert language_for(None) == "en"
    assert format_date("2027-05-01", "es") == "1 de mayo de 2027"
    assert format_date(date(2027, 5, 1), "en") == "May 1, 2027"


def test_spanish_copy_translates_template_texts_and_keeps_free_text() -> None:
    copy = build(snapshot(), "es", TODAY)
    assert copy.t["my_goals"] == "Mis metas"
    assert copy.goals[0].text.startswith("Controlar mi azúcar")
    assert copy.goals[0].target == "HbA1c: menos de 8.0 %"
    assert copy.goals[0].now == "8.1 %" and copy.goals[0].status == "Mejorando"
    assert [a.text for a in copy.i_will] == [
        "Medir mi azúcar como me indicó mi médico y llevar el registro a las citas"
    ]
    # Written by hand in English: printed as written.
    assert [a.text for a in copy.caregiver_will] == ["Pick up groceries from the pantry on Fridays"]
    assert copy.team_will[0].who == "Ana Care (Coordinador/a de cuidado)"
    assert copy.contacts[0].name == "Ana Care" and copy.contacts[0].first
    assert "Rosa Martínez" not in [c.name for c in copy.contacts]  # the patient is not "who to call"
    assert copy.agreed == "Acordamos este plan el 2 de noviembre de 2026."
    assert copy.review_by.endswith("2 de noviembre de 2027.")


def test_cancelled_steps_are_left_out_and_done_ones_marked() -> None:
    snap = snapshot()
    snap["interventions"][1]["status"] = "cancelled"
    snap["interventions"][0]["status"] = "completed"
    copy = build(snap, "en", TODAY)
    assert copy.team_will == []
    assert copy.i_will[0].done


def test_direction_target_in_words() -> None:
    goal = {
        "measure": {
            "system": "http://loinc.org",
            "code": "44261-6",
            "display": "PHQ-9",
            "unit": "{score}",
            "unit_label": "points",
        },
        "target": {"kind": "direction", "direction": "decrease", "change_pct": 50},
        "baseline": 18,
        "target_threshold": 9,
    }
    assert (
        target_text(goal, "en") == "PHQ-9 depression score: down by 50% (from 18 points to 9 points or less)"
    )
    assert (
        target_text(goal, "es") == "Puntaje de depresión PHQ-9: bajar 50% (de 18 puntos a 9 puntos o menos)"
    )


def test_spanish_pdf_renders_with_accents() -> None:
    pdf = render_pdf(build(snapshot(), "es", TODAY), compress=False)
    assert pdf.startswith(b"%PDF-")
    text = extract_text(pdf)
    for expected in (
        "Mi plan de cuidado",
        "Mis metas",
        "Lo que yo haré",
        "A quién llamar",
        "Rosa Martínez",
        "Controlar mi azúcar",
        "Para el: 1 de mayo de 2027",
        "En caso de emergencia, llame al 911.",
    ):
        assert expected in text, expected


def test_english_pdf_and_draft_notice() -> None:
    snap = snapshot(status="draft", agreement=None)
    text = extract_text(render_pdf(build(snap, "en", TODAY), compress=False))
    assert "My care plan" in text and "This plan is a draft" in text
    assert render_pdf(build(snap, "en", TODAY)).startswith(b"%PDF-")
