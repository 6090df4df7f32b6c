"""In a real browser: start a PHQ-9 from the chart, answer it (mouse and keyboard, HTMX autosave),
submit, and read the severity; then the alert and trend on the chart."""

import pytest

from carenav.assessments.models import AssessmentResponse
from tests.conftest import browser_login, wait_for_page
from tests.factories import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# PHQ-9 items 1-9 → answer (display text) giving a total of 14 with item 9 at "Several days".
ANSWERS = {
    1: "More than half the days",  # 2
    2: "Nearly every day",  # 3
    3: "More than half the days",  # 2
    4: "Nearly every day",  # 3
    5: "Several days",  # 1
    6: "Several days",  # 1
    7: "Not at all",  # 0
    8: "Several days",  # 1
    9: "Several days",  # 1 → safety flag
}


def test_fill_a_phq9_and_see_the_severity(browser_page, live_server, care_manager, org) -> None:  # type: ignore[no-untyped-def]
    ben = make_patient(org, family_name="Okonkwo", given_name="Ben", preferred_language="en")
    page = browser_page
    browser_login(page, live_server, care_manager)
    page.goto(f"{live_server.url}/patients/{ben.pk}/")
    page.select_option("#start-instrument", "phq-9")
    page.click(".start-assessment button[type=submit]")
    wait_for_page(page, "#assessment-form")
    assert "Little interest or pleasure in doing things" in page.inner_text("#assessment-form")

    # Keyboard: focus the first option of item 1 and move with the arrow key; autosave keeps focus.
    page.focus("#q-phq9-1-LA6568-5")
    page.keyboard.press("Space")
    page.wait_for_function("document.getElementById('progress').textContent.trim().startsWith('1 /')")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("document.getElementById('q-phq9-1-LA6569-3').checked")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'phq9-1'")

    # Answer quickly over a slow network: each click lands while earlier saves are on their way, and
    # no reply may undo a later answer.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 400, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    for number, label in ANSWERS.items():
        page.locator(f"#q-phq9-{number} label", has_text=label).first.click()
    page.wait_for_function("document.getElementById('progress').textContent.trim().startsWith('9 /')")
    for number, label in ANSWERS.items():
        assert page.locator(f"#q-phq9-{number} label", has_text=label).first.locator("input").is_checked()
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    assert AssessmentResponse.objects.get().answers["phq9-9"] == "LA6569-3"  # autosaved before submitting

    page.click("#submit-assessment")
    page.wait_for_selector(".result-line")
    result = page.inner_text("main")
    assert "PHQ-9 total score: 14 of 27, moderate depression" in result
    assert "Thoughts of death or self-harm reported (PHQ-9 item 9)" in result

    page.goto(f"{live_server.url}/patients/{ben.pk}/")
    assert "Thoughts of death or self-harm reported" in page.inner_text("#safety-alerts")
    assert page.locator("#trend-phq-9 svg circle").count() == 1
