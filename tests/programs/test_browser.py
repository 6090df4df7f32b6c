"""In a real browser: candidate queue → enroll with consent → the patient is in my caseload."""

import pytest

from carenav.programs import services
from carenav.programs.models import Enrollment
from tests.conftest import browser_login
from tests.factories import make_patient
from tests.programs.conftest import CCM_FACTS, add_score, make_run, offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_queue_to_enrollment_to_caseload(browser_page, live_server, org, care_manager, supervisor) -> None:
    offer(org, "CCM")
    rosa = make_patient(org, family_name="Muñoz", given_name="Rosa", preferred_language="es")
    run = make_run(org)
    add_score(run, rosa, **CCM_FACTS)
    add_score(
        run, make_patient(org, family_name="Okafor"), chronic_categories=["copd", "asthma"], priority=20.0
    )
    services.candidates_refresh(actor=supervisor, organization=org)
    page = browser_page

    browser_login(page, live_server, care_manager)
    page.click("nav >> text=Candidates")
    page.wait_for_url(f"{live_server.url}/programs/candidates/")
    rows = page.locator("tr.candidate-row")
    assert rows.count() == 2
    first = rows.nth(0)
    assert "Muñoz, Rosa" in first.inner_text()
    assert "2 chronic conditions lasting 12+ months: heart failure, diabetes mellitus" in first.inner_text()

    page.fill("#reason", "copd")
    page.wait_for_function("document.querySelectorAll('tr.candidate-row').length === 1")
    page.fill("#reason", "")
    page.wait_for_function("document.querySelectorAll('tr.candidate-row').length === 2")

    page.locator("tr.candidate-row", has_text="Muñoz").get_by_role("link", name="Enroll…").click()
    page.wait_for_url(f"{live_server.url}/programs/enroll/{rosa.pk}/CCM/**")
    assert "cost-sharing" in page.locator("#enroll-form").inner_text().lower()
    page.get_by_role("button", name="Enroll").click()
    assert "CCM requires the patient's consent" in page.locator(".field-error").inner_text()

    page.get_by_label("Verbal").check()
    page.get_by_role("button", name="Enroll").click()
    page.wait_for_url(f"{live_server.url}/programs/candidates/")
    assert "enrolled in Chronic Care Management" in page.locator(".messages").inner_text()
    assert page.locator("tr.candidate-row").count() == 1

    okafor = page.locator("tr.candidate-row", has_text="Okafor")
    okafor.locator("summary", has_text="Other outcome").click()
    okafor.locator("select[name=outcome]").select_option("declined")
    okafor.get_by_role("button", name="Save").click()
    alert = page.locator("tr.candidate-row", has_text="Okafor").get_by_role("alert")
    assert "A reason is required" in alert.inner_text()
    okafor = page.locator("tr.candidate-row", has_text="Okafor")
    okafor.locator("select[name=outcome]").select_option("declined")
    okafor.locator("select[name=decline_reason]").select_option("has_support")
    okafor.get_by_role("button", name="Save").click()
    page.wait_for_selector("tr.candidate-row.status-declined")

    page.click("nav >> text=My caseload")
    page.wait_for_url(f"{live_server.url}/programs/caseload/")
    caseload = page.locator("table.caseload tbody").inner_text()
    assert "Muñoz, Rosa" in caseload and "Tier 2" in caseload and "CCM" in caseload
    enrollment = Enrollment.objects.get()
    assert enrollment.consent_method == "verbal" and enrollment.care_manager == care_manager
