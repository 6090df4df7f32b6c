"""The value-set browser at /terminology/ and its entry in the Django admin."""

import pytest
from django.test import Client

from carenav.accounts.models import Organization, User
from carenav.accounts.permissions import Role
from tests.conftest import login
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client: Client) -> None:
    response = client.get("/terminology/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_care_manager_without_staff_or_admin_role_is_refused(care_manager: User) -> None:
    client = login(care_manager)
    assert client.get("/terminology/").status_code == 403
    assert client.get("/terminology/chronic/").status_code == 403


def test_org_admin_sees_the_value_sets_and_the_nav_link(org_admin: User) -> None:
    response = login(org_admin).get("/terminology/")
    assert response.status_code == 200
    html = response.content.decode()
    for valueset_id in ("chronic", "charlson", "sdoh", "behavioral_risk"):
        assert f'href="/terminology/{valueset_id}/"' in html
    assert '<a href="/terminology/">Value sets</a>' in html


def test_staff_user_of_another_role_may_browse(org: Organization) -> None:
    staff_supervisor = make_user(org, Role.SUPERVISOR, "stella", is_staff=True)
    assert login(staff_supervisor).get("/terminology/").status_code == 200


def test_testing_a_code_explains_the_match(org_admin: User) -> None:
    html = login(org_admin).get("/terminology/", {"code": "i50.22"}).content.decode()
    assert "I50.22 → Heart failure (chronic v2026.11); Charlson chf (1987: +1, Quan 2011: +2)" in html
    assert "I50.22 matches ICD-10-CM prefix I50 (charlson:chf)" in html
    assert 'href="/terminology/chronic/#heart_failure"' in html
    assert "I50 (prefix)" in html


def test_htmx_request_returns_only_the_result_fragment(org_admin: User) -> None:
    response = login(org_admin).get(
        "/terminology/", {"code": "44054006", "system": "snomed"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "44054006 → Diabetes mellitus (chronic v2026.11); Charlson diab" in html
    assert "(SNOMED CT)" in html


def test_forced_system_changes_the_answer(org_admin: User) -> None:
    html = login(org_admin).get("/terminology/", {"code": "44054006", "system": "icd10cm"}).content.decode()
    assert "no category in" in html


def test_value_set_page_lists_categories_codes_and_rules(org_admin: User) -> None:
    html = login(org_admin).get("/terminology/charlson/").content.decode()
    assert 'id="chf"' in html
    assert "I09.9, I11.0, I13.0" in html
    assert "ICD-10-CM additions:</span> I09.81" in html
    assert "If msld is present, mld scores 0." in html
    assert "maximum 24" in html
    assert "1987: +6, Quan 2011: +4" in html  # AIDS/HIV


def test_unknown_value_set_is_404(org_admin: User) -> None:
    assert login(org_admin).get("/terminology/elixhauser/").status_code == 404


def test_admin_index_links_to_the_value_sets(org_admin: User) -> None:
    client = login(org_admin)
    html = client.get("/admin/").content.decode()
    assert "/admin/terminology/valuesetcatalog/" in html
    assert "Value sets" in html
    response = client.get("/admin/terminology/valuesetcatalog/")
    assert response.status_code == 302
    assert response["Location"] == "/terminology/"
