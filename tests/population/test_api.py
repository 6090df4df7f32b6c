"""GET /api/patients/{id}/risk, /api/risk-runs and /api/risk-runs/{id}."""

import pytest

from carenav.accounts.models import Organization, User
from carenav.population.models import RiskRun
from carenav.population.services import stratify_organization
from tests.analytics.population import AS_OF
from tests.conftest import login, token_headers
from tests.population.load import load_population

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(org: Organization, org_admin: User) -> RiskRun:
    load_population(org)
    return stratify_organization(actor=org_admin, organization=org, as_of=AS_OF)


def test_patient_risk_returns_scores_and_reasons(run: RiskRun, org: Organization, care_manager: User) -> None:
    patient = org.patients.get(source_id="p-heart")
    response = login(care_manager).get(f"/api/patients/{patient.pk}/risk", **token_headers(care_manager))
    assert response.status_code == 200
    body = response.json()
    assert body["run"]["id"] == run.pk and body["run"]["config_version"] == "priority-v1"
    score = body["score"]
    assert (score["lace"], score["hospital_score"], score["charlson_1987"]) == (14, 8, 8)
    assert score["cost_12m"] == "20000.50"
    texts = [r["text"] for r in score["reasons"]]
    assert "Congestive heart failure: I50.22 on 2025-03-01 → Charlson chf +1 (Quan 2011: +2)" in texts


def test_patient_risk_is_404_outside_scope(run: RiskRun, org: Organization, other_care_manager: User) -> None:
    patient = org.patients.get(source_id="p-heart")
    response = login(other_care_manager).get(f"/api/patients/{patient.pk}/risk")
    assert response.status_code == 404


def test_unscored_patient_has_null_score(org: Organization, care_manager: User) -> None:
    patients = load_population(org)
    response = login(care_manager).get(f"/api/patients/{patients['p-snomed'].pk}/risk")
    assert response.status_code == 200
    assert response.json() == {"patient_id": patients["p-snomed"].pk, "run": None, "score": None}


def test_runs_list_and_detail(run: RiskRun, supervisor: User, other_care_manager: User) -> None:
    client = login(supervisor)
    listing = client.get("/api/risk-runs").json()
    assert [r["id"] for r in listing["items"]] == [run.pk]
    assert listing["items"][0]["population_size"] == 4
    detail = client.get(f"/api/risk-runs/{run.pk}").json()
    assert sum(t["count"] for t in detail["tiers"]) == 4
    assert login(other_care_manager).get(f"/api/risk-runs/{run.pk}").status_code == 404
    assert login(other_care_manager).get("/api/risk-runs").json()["items"] == []
