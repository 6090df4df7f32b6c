"""Pages: chart panel, HTMX editor (fragments, field errors, conflicts), patient copy, exports, reviews, library."""

import json

import pytest
from django.test import Client

from carenav.accounts.models import User
from carenav.careplans import services
from carenav.careplans.models import CarePlan
from carenav.patients.models import Patient
from tests.careplans.conftest import add_problem_and_goal, fresh, hba1c_goal
from tests.careplans.pdftext import extract_text
from tests.conftest import login

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
TEMPLATE_TEXT = "Get my blood sugar under control so I feel better and avoid complications"
PREFS = {
    "title": "Mine",
    "program_codes": "CCM",
    "preferred_language": "es",
    "what_matters": "",
    "contact_times": "",
    "contact_method": "",
    "cultural_preferences": "",
    "involved_people": "",
    "barriers_note": "",
}


def post(client: Client, plan: CarePlan, action: str, **data: object):
    body = {"lock_version": fresh(plan).lock_version, **data}
    return client.post(f"/careplans/{plan.pk}/do/{action}/", body, **HX)


def active_plan(plan: CarePlan, actor: User) -> CarePlan:
    problem = services.problem_add(
        actor=actor,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=services.ProblemData(display="Type 2 diabetes", category_key="diabetes"),
    )
    services.goal_add(
        actor=actor,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=hba1c_goal(
            description=TEMPLATE_TEXT,
            template_ref="diabetes/dm-hba1c@2026.1",
            problem_keys=[str(problem.key)],
        ),
    )
    return services.careplan_activate(
        actor=actor,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        agreement=services.Agreement(agreed_by="patient", method="verbally"),
    )


def test_chart_panel_starts_a_plan(cm_client: Client, chronic_patient: Patient) -> None:
    page = cm_client.get(f"/patients/{chronic_patient.pk}/").content.decode()
    assert "No care plan yet." in page and 'id="start-care-plan"' in page
    response = cm_client.post(f"/careplans/new/{chronic_patient.pk}/", {"program_codes": "CCM, BHI"})
    plan = CarePlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/careplans/{plan.pk}/"
    assert plan.program_codes == ["BHI", "CCM"]
    assert "draft version 1" in cm_client.get(f"/patients/{chronic_patient.pk}/").content.decode()


def test_panel_shows_goal_status_and_overdue_review(
    cm_client: Client, plan: CarePlan, care_manager: User
) -> None:
    active = active_plan(plan, care_manager)
    CarePlan.objects.filter(pk=active.pk).update(review_due="2026-11-01")
    page = cm_client.get(f"/patients/{plan.patient_id}/").content.decode()
    assert "review overdue since 2026-11-01" in page and "In progress" in page


def test_editor_adds_a_suggested_problem_as_a_fragment(cm_client: Client, plan: CarePlan) -> None:
    page = cm_client.get(f"/careplans/{plan.pk}/").content.decode()
    assert "Add problem Type 2 diabetes mellitus without complications" in page
    condition = plan.patient.conditions.get(code="E11.9")
    response = post(
        cm_client,
        plan,
        "problem_add",
        source="condition",
        condition_id=condition.pk,
        display="",
        category_key="diabetes",
        form_id="problem-suggest",
    )
    html = response.content.decode()
    assert (
        response.status_code == 200
        and html.startswith('\n<div id="plan-editor"')
        or 'id="plan-editor"' in html[:200]
    )
    assert "<html" not in html and "Get my blood sugar under control" in html  # goal suggestions appear
    assert plan.problems.get().code == "E11.9"


def test_suggestion_fills_the_goal_form(cm_client: Client, plan: CarePlan, care_manager: User) -> None:
    problem = services.problem_add(
        actor=care_manager,
        plan=plan,
        lock_version=fresh(plan).lock_version,
        data=services.ProblemData(display="Diabetes", category_key="diabetes"),
    )
    html = cm_client.get(
        f"/careplans/{plan.pk}/goal-form/?suggest=diabetes/dm-hba1c@2026.1&problem={problem.key}", **HX
    ).content.decode()
    assert 'name="target_value" inputmode="decimal" size="7" value="8"' in html
    assert 'name="baseline_value" inputmode="decimal" size="7" value="8.4"' in html  # from the record
    assert 'value="2027-05-23"' in html and "65 or older with 3 or more chronic conditions" in html
    assert f'value="{problem.key}" checked' in html


def test_goal_field_error_keeps_what_was_typed(cm_client: Client, plan: CarePlan) -> None:
    response = post(
        cm_client,
        plan,
        "goal_add",
        form_id="goal-new",
        description="Lower my A1c for the wedding",
        target_kind="value",
        measure="http://loinc.org|4548-4",
        unit="mg/dL",
        target_comparator="<",
        target_value="7.5",
        due_date="2027-03-01",
        owner="role:patient",
        priority="high",
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="err-goal-new-unit"' in html and "HbA1c is measured in %" in html
    assert "Lower my A1c for the wedding" in html and 'aria-invalid="true" autofocus' in html
    assert plan.goals.count() == 0


def test_goal_with_past_due_date_is_refused_on_the_field(cm_client: Client, plan: CarePlan) -> None:
    response = post(
        cm_client,
        plan,
        "goal_add",
        form_id="goal-new",
        description="Walk more",
        target_kind="milestone",
        due_date="2026-10-01",
        owner="role:patient",
        priority="medium",
    )
    assert response.status_code == 422 and 'id="err-goal-new-due_date"' in response.content.decode()


def test_conflict_is_shown_without_losing_the_page(
    cm_client: Client, plan: CarePlan, care_manager: User
) -> None:
    seen = fresh(plan).lock_version
    services.careplan_update(actor=care_manager, plan=plan, lock_version=seen, what_matters="Family")
    response = cm_client.post(
        f"/careplans/{plan.pk}/do/update/", {"lock_version": seen, "form_id": "prefs", **PREFS}, **HX
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#plan-messages"
    assert "Not saved" in response.content.decode() and fresh(plan).title == "Comprehensive care plan"


def test_without_htmx_forms_post_and_redirect(cm_client: Client, plan: CarePlan) -> None:
    response = cm_client.post(
        f"/careplans/{plan.pk}/do/problem_add/",
        {"lock_version": fresh(plan).lock_version, "display": "Falls at home", "form_id": "problem-new"},
    )
    assert response.status_code == 302 and plan.problems.get().display == "Falls at home"
    response = cm_client.post(
        f"/careplans/{plan.pk}/do/problem_add/",
        {"lock_version": fresh(plan).lock_version, "display": "", "form_id": "problem-new"},
    )
    assert response.status_code == 400 and "Describe the problem" in response.content.decode()


def test_measurement_changes_the_status_in_the_editor(
    cm_client: Client, plan: CarePlan, care_manager: User
) -> None:
    active = active_plan(plan, care_manager)
    goal = active.goals.get()
    html = cm_client.get(f"/careplans/{active.pk}/").content.decode()
    assert 'data-testid="goal-status">In progress' in html
    response = post(
        cm_client,
        active,
        "measurement",
        key=goal.key,
        value="8.1",
        unit="%",
        observed_on="2026-11-24",
        form_id=f"measure-{goal.key}",
    )
    assert 'data-testid="goal-status">Improving' in response.content.decode()


def test_revise_redirects_htmx_to_the_new_draft(
    cm_client: Client, plan: CarePlan, care_manager: User
) -> None:
    active = active_plan(plan, care_manager)
    response = post(cm_client, active, "revise", form_id="revise")
    draft = CarePlan.objects.get(status="draft")
    assert response.status_code == 204 and response["HX-Redirect"] == f"/careplans/{draft.pk}/"
    page = cm_client.get(f"/careplans/{draft.pk}/").content.decode()
    assert "Changes from version 1 (0)" in page
    assert cm_client.get(f"/careplans/{draft.pk}/diff/").status_code == 200


def test_spanish_patient_copy_page_and_pdf(cm_client: Client, plan: CarePlan, care_manager: User) -> None:
    active = active_plan(plan, care_manager)
    page = cm_client.get(f"/careplans/{active.pk}/copy/").content.decode()  # preferred language: es
    assert '<html lang="es">' in page
    for text in (
        "Mi plan de cuidado",
        "Mis metas",
        "Controlar mi azúcar en la sangre",
        "HbA1c: menos de 8.0 %",
        "Lo que yo haré",
        "A quién llamar",
        "Lucía Muñoz",
        "En caso de emergencia, llame al 911.",
    ):
        assert text in page, text
    assert "My goals" in cm_client.get(f"/careplans/{active.pk}/copy/?lang=en").content.decode()
    response = cm_client.get(f"/careplans/{active.pk}/copy.pdf?lang=es")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")


def test_spanish_pdf_text(plan: CarePlan, care_manager: User) -> None:
    from carenav.careplans import patient_copy, selectors
    from tests.careplans.conftest import TODAY

    active = active_plan(plan, care_manager)
    snap = selectors.snapshot(selectors.plan_view(fresh(active), TODAY))
    text = extract_text(patient_copy.render_pdf(patient_copy.build(snap, "es", TODAY), compress=False))
    assert "Mis metas" in text and "Controlar mi azúcar en la sangre" in text and "Lucía Muñoz" in text


def test_fhir_download(cm_client: Client, plan: CarePlan, care_manager: User) -> None:
    from carenav.careplans import fhir

    active = active_plan(plan, care_manager)
    response = cm_client.get(f"/careplans/{active.pk}/fhir.json")
    assert response["Content-Type"] == "application/fhir+json"
    fhir.validate(json.loads(response.content))


def test_other_organization_gets_404(plan: CarePlan, other_care_manager: User) -> None:
    client = login(other_care_manager)
    for url in (
        f"/careplans/{plan.pk}/",
        f"/careplans/{plan.pk}/copy/",
        f"/careplans/{plan.pk}/copy.pdf",
        f"/careplans/{plan.pk}/fhir.json",
        f"/careplans/{plan.pk}/diff/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/careplans/{plan.pk}/do/update/", {"lock_version": 1, "title": "x"}).status_code == 404
    )


def test_reviews_and_library_pages(
    cm_client: Client, plan: CarePlan, care_manager: User, org_admin: User
) -> None:
    active = active_plan(plan, care_manager)
    CarePlan.objects.filter(pk=active.pk).update(review_due="2026-11-20")
    page = cm_client.get("/careplans/reviews/").content.decode()
    assert "Muñoz, Rosa" in page and "overdue" in page
    assert cm_client.get("/careplans/library/").status_code == 403
    library = login(org_admin).get("/careplans/library/").content.decode()
    assert "Heart failure" in library and "Insuficiencia cardíaca" in library and "age_gte=65" in library
    admin_index = login(org_admin).get("/admin/careplans/plantemplatecatalog/")
    assert admin_index.status_code == 302 and admin_index["Location"] == "/careplans/library/"


def test_start_form_offers_the_programs_the_patient_is_enrolled_in(
    cm_client: Client, chronic_patient: Patient, care_manager: User
) -> None:
    from carenav.core import clock
    from carenav.programs.models import Enrollment

    for code in ("CCM", "BHI"):
        Enrollment.objects.create(
            organization=chronic_patient.organization,
            patient=chronic_patient,
            program_code=code,
            program_version="2026.1",
            start_date="2026-11-01",
            enrolled_by=care_manager,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
    page = cm_client.get(f"/patients/{chronic_patient.pk}/").content.decode()
    assert 'name="program_codes" size="12" placeholder="CCM BHI" value="BHI CCM"' in page


def test_edit_forms_load_on_demand_and_a_failed_edit_comes_back_filled(
    cm_client: Client, plan: CarePlan, care_manager: User
) -> None:
    goal = services.goal_add(
        actor=care_manager, plan=plan, lock_version=fresh(plan).lock_version, data=hba1c_goal()
    )
    page = cm_client.get(f"/careplans/{plan.pk}/").content.decode()
    assert f'hx-get="/careplans/{plan.pk}/form/goal/{goal.key}/"' in page
    assert f'id="form-goal-{goal.key}"' not in page  # not rendered until opened
    form = cm_client.get(f"/careplans/{plan.pk}/form/goal/{goal.key}/", **HX).content.decode()
    assert f'id="form-goal-{goal.key}"' in form and "Get my blood sugar under control" in form
    response = post(
        cm_client,
        plan,
        "goal_update",
        form_id=f"goal-{goal.key}",
        key=goal.key,
        description="Get my sugar down",
        target_kind="value",
        measure="http://loinc.org|4548-4",
        target_comparator="<",
        target_value="abc",
        due_date="2027-05-24",
        owner="role:patient",
        priority="high",
    )
    html = response.content.decode()
    assert response.status_code == 422 and "Enter a number." in html
    assert f'id="form-goal-{goal.key}"' in html and "Get my sugar down" in html
    assert (
        cm_client.get(f"/careplans/{plan.pk}/form/goal/00000000-0000-4000-8000-000000000000/").status_code
        == 404
    )


def test_editor_query_count_does_not_grow_with_the_plan(
    cm_client: Client, plan: CarePlan, care_manager: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert cm_client.get(f"/careplans/{plan.pk}/").status_code == 200
        return len(captured)

    add_problem_and_goal(
        plan,
        care_manager,
        services.ProblemData(display="Diabetes", category_key="diabetes"),
        hba1c_goal(template_ref="diabetes/dm-hba1c@2026.1"),
    )
    few = queries()
    for name in ("Hypertension", "Heart failure", "Falls"):
        add_problem_and_goal(
            plan,
            care_manager,
            services.ProblemData(display=name),
            hba1c_goal(description=f"For {name}", template_ref="diabetes/dm-hba1c@2026.1"),
        )
    assert queries() == few
