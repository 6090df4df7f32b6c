"""The chart's risk panel, the runs pages and the patient's risk history."""

import pytest

from carenav.accounts.models import Organization, User
from carenav.population.models import RiskRun
from carenav.population.services import stratify_organization
from tests.analytics.population import AS_OF
from tests.conftest import login
from tests.population.load import load_population

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(org: Organization, org_admin: User) -> RiskRun:
    load_population(org)
    return stratify_organization(actor=org_admin, organization=org, as_of=AS_OF)


def test_chart_shows_the_risk_panel_with_reasons(run: RiskRun, org: Organization, care_manager: User) -> None:
    patient = org.patients.get(source_id="p-heart")
    html = login(care_manager).get(f"/patients/{patient.pk}/").content.decode()
    assert 'id="panel-risk"' in html
    assert "LACE 14: L 4 (5 days), A 3 (emergent: ED visit on 2026-11-10)" in html
    assert "Charlson chf +1 (Quan 2011: +2)" in html
    assert f"/population/patients/{patient.pk}/risk/" in html


def test_chart_panel_without_a_run(org: Organization, care_manager: User, patient: object) -> None:
    html = login(care_manager).get(f"/patients/{patient.pk}/").content.decode()  # type: ignore[attr-defined]
    assert "Not stratified yet" in html


def test_runs_page_lists_runs_and_run_page_shows_tiers(run: RiskRun, supervisor: User) -> None:
    client = login(supervisor)
    html = client.get("/population/runs/").content.decode()
    assert f"#{run.pk}" in html and "priority-v1" in html and "Stratify now" not in html
    detail = client.get(f"/population/runs/{run.pk}/").content.decode()
    assert "Distribution of tiers" in detail and "charlson v2026.11" in detail
    filtered = client.get(f"/population/runs/{run.pk}/?flag=recent_discharge", HTTP_HX_REQUEST="true")
    assert filtered.content.decode().count("<tr>") == 1 + 2  # header + two recently discharged patients


def test_admin_starts_a_run_from_the_page(org: Organization, org_admin: User) -> None:
    load_population(org)
    response = login(org_admin).post("/population/runs/")
    run = RiskRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/population/runs/{run.pk}/"
    assert run.status == RiskRun.Status.COMPLETED and run.created_by == org_admin


def test_care_manager_cannot_start_a_run(care_manager: User) -> None:
    assert login(care_manager).post("/population/runs/").status_code == 403
    assert not RiskRun.objects.exists()


def test_other_organization_gets_404_for_run_and_history(
    run: RiskRun, org: Organization, other_care_manager: User
) -> None:
    client = login(other_care_manager)
    patient = org.patients.get(source_id="p-heart")
    assert client.get(f"/population/runs/{run.pk}/").status_code == 404
    assert client.get(f"/population/patients/{patient.pk}/risk/").status_code == 404


def test_history_lists_every_run(
    run: RiskRun, org: Organization, org_admin: User, care_manager: User
) -> None:
    stratify_organization(actor=org_admin, organization=org, as_of=AS_OF.replace(day=30))
    patient = org.patients.get(source_id="p-heart")
    html = login(care_manager).get(f"/population/patients/{patient.pk}/risk/").content.decode()
    assert html.count("<h2>Run #") == 2


def test_run_page_query_count_does_not_grow_with_patients(
    run: RiskRun, supervisor: User, django_assert_max_num_queries: object
) -> None:
    client = login(supervisor)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert client.get(f"/population/runs/{run.pk}/").status_code == 200
