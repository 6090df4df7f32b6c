"""Shared fixtures: two organizations and a named persona for each role (DESIGN.md convention 3)."""

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from carenav.accounts.models import Organization, User
from carenav.accounts.permissions import Role
from carenav.accounts.services import api_token_create
from carenav.patients.models import Patient
from tests.factories import PASSWORD, make_org, make_patient, make_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def org(db: None) -> Organization:
    return make_org("riverside")


@pytest.fixture
def other_org(db: None) -> Organization:
    return make_org("lakeside", Organization.Kind.HEALTH_PLAN)


@pytest.fixture
def care_manager(org: Organization) -> User:
    return make_user(org, Role.CARE_MANAGER, "nina", discipline="RN", credentials=["CCM"], first_name="Nina")


@pytest.fixture
def supervisor(org: Organization) -> User:
    return make_user(org, Role.SUPERVISOR, "sam", discipline="RN")


@pytest.fixture
def org_admin(org: Organization) -> User:
    return make_user(org, Role.ORG_ADMIN, "ada", is_staff=True)


@pytest.fixture
def auditor(org: Organization) -> User:
    return make_user(org, Role.AUDITOR, "audrey")


@pytest.fixture
def other_care_manager(other_org: Organization) -> User:
    return make_user(other_org, Role.CARE_MANAGER, "omar", discipline="RN")


@pytest.fixture
def patient(org: Organization) -> Patient:
    return make_patient(org, family_name="Muñoz", given_name="Rosa", preferred_language="es")


@pytest.fixture
def other_patient(other_org: Organization) -> Patient:
    return make_patient(other_org, family_name="Elsewhere", given_name="Pat")


def login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def cm_client(care_manager: User) -> Client:
    return login(care_manager)


def token_headers(user: User) -> dict[str, str]:
    _, key = api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def browser_page(live_server: Any) -> Iterator[Any]:
    """A Playwright page in Debian's Chromium (Playwright's own browser download does not work here)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = (
        "true"  # Playwright's sync API runs an event loop in this thread
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def browser_login(page: Any, live_server: Any, user: User) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/patients/**")


def wait_for_page(page: Any, selector: str) -> None:
    """Wait for a page reached by a click: the element, then the load event, so the deferred htmx
    script has wired its handlers before the test acts (acting earlier loses the request)."""
    page.wait_for_selector(selector)
    page.wait_for_load_state("load")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is the production hasher (tested in tests/core); tests hash thousands of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
