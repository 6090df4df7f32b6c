"""The main journey in a real browser: build a plan from suggestions, activate it, record a measurement,
see the goal status change; then open the Spanish patient copy."""

from typing import Any

import pytest

from carenav.accounts.models import User
from carenav.careplans.models import CarePlan
from carenav.patients.models import Patient
from tests.conftest import browser_login, wait_for_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def lock(page: Any) -> int:
    return int(page.locator("#plan-editor").get_attribute("data-lock-version"))


def act(page: Any, do: Any) -> None:
    """Do something that writes, and wait until the editor shows the new version."""
    before = lock(page)
    do()
    page.wait_for_selector(f'#plan-editor[data-lock-version="{before + 1}"]')


def test_build_activate_measure(
    browser_page: Any, live_server: Any, care_manager: User, chronic_patient: Patient
) -> None:
    page = browser_page
    browser_login(page, live_server, care_manager)
    page.goto(f"{live_server.url}/patients/{chronic_patient.pk}/")
    page.click("#start-care-plan")
    wait_for_page(page, "#plan-editor")
    assert page.locator("#plan-status").inner_text() == "Draft"

    act(
        page,
        page.get_by_role("button", name="Add problem Type 2 diabetes mellitus without complications").click,
    )
    page.get_by_role("button", name="Use suggested goal: Get my blood sugar under control").click()
    page.wait_for_selector("#goal-form-slot #form-goal-new textarea[name=description]")
    # The suggestion is individualized: 76 years old with 3 chronic conditions -> below 8.0 %.
    assert page.locator("#form-goal-new input[name=target_value]").input_value() == "8"
    assert page.locator("#form-goal-new input[name=baseline_value]").input_value() == "8.4"
    page.fill(
        "#form-goal-new textarea[name=description]",
        "Get my sugar down so I can keep up with my grandchildren",
    )
    act(page, lambda: page.click("#save-goal-new"))
    assert page.locator("[data-testid=goal-status]").inner_text() == "In progress"
    assert page.locator("table.interventions tbody tr").count() == 3  # the template's steps came with it

    page.click("article.goal summary:text-is('Edit goal')")  # the edit form loads when opened
    page.wait_for_selector("article.goal form.goal-form textarea[name=description]")
    assert (
        "grandchildren"
        in page.locator("article.goal form.goal-form textarea[name=description]").input_value()
    )

    act(page, lambda: page.click("#activate-plan"))
    assert page.locator("#plan-status").inner_text() == "Active"

    # Recording a measurement appends; it takes no lock, so wait for the status to change instead.
    page.fill("form.measure-form input[name=value]", "8.1")
    page.press("form.measure-form input[name=value]", "Enter")  # keyboard: Enter submits
    page.wait_for_selector("[data-testid=goal-status]:text-is('Improving')")
    assert "latest 8.1 %" in page.locator("[data-testid=goal-reason]").inner_text()
    assert (
        page.locator("svg.goal-chart circle").count() == 2
    )  # the baseline from the record and the new value

    page.fill("form.measure-form input[name=value]", "7.8")
    page.click("form.measure-form button")
    page.wait_for_selector("[data-testid=goal-status]:text-is('Achieved')")

    plan = CarePlan.objects.get(patient=chronic_patient)
    assert plan.status == "active" and plan.agreed_by == "patient"
    page.goto(f"{live_server.url}/careplans/{plan.pk}/copy/?lang=es")
    assert page.locator("h1").inner_text() == "Mi plan de cuidado"
    assert "Lograda" in page.content()


def test_two_editors_conflict(
    browser_page: Any, live_server: Any, care_manager: User, supervisor: User, plan: CarePlan
) -> None:
    page = browser_page
    browser_login(page, live_server, care_manager)
    page.goto(f"{live_server.url}/careplans/{plan.pk}/")
    other = page.context.browser.new_page()  # a second person, in a session of their own
    browser_login(other, live_server, supervisor)
    other.goto(f"{live_server.url}/careplans/{plan.pk}/")
    other.click("text=Add a problem by hand")
    other.fill("#form-problem-new input[name=display]", "Falls at home")
    act(other, lambda: other.click("#form-problem-new button"))
    page.click("text=Add a problem by hand")
    page.fill("#form-problem-new input[name=display]", "Lives alone")
    page.click("#form-problem-new button")
    page.wait_for_selector("#plan-messages .conflict")
    assert "Not saved" in page.locator("#plan-messages").inner_text()
    assert (
        page.locator("#form-problem-new input[name=display]").input_value() == "Lives alone"
    )  # nothing lost
    assert [p.display for p in plan.problems.all()] == ["Falls at home"]
