"""The foundation journey in a real browser: sign in → find a patient → open the chart."""

import pytest

from carenav.patients.models import Encounter
from tests.conftest import browser_login
from tests.factories import add_condition, add_encounter, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_search_and_open_chart(browser_page, live_server, care_manager, org) -> None:
    rosa = make_patient(org, family_name="Muñoz", given_name="Rosa", preferred_language="es")
    make_patient(org, family_name="Okonkwo", given_name="Ben")
    add_condition(rosa, "I50.22", display="Chronic systolic heart failure")
    add_encounter(rosa, Encounter.Class.INPATIENT, "2026-11-01", "2026-11-05", discharge_disposition="home")
    page = browser_page

    browser_login(page, live_server, care_manager)
    assert page.locator("table.patients tbody tr").count() == 2

    page.fill("#q", "munoz")
    page.wait_for_function("document.querySelectorAll('table.patients tbody tr').length === 1")
    page.click("text=Muñoz, Rosa")

    page.wait_for_url(f"{live_server.url}/patients/{rosa.pk}/")
    assert page.locator("h1").inner_text() == "Muñoz, Rosa"
    assert "Chronic systolic heart failure" in page.locator("#problems").inner_text()
    assert page.locator("#encounters .row-inpatient").count() == 1
