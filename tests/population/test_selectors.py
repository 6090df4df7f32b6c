"""Risk reads are scoped to the user's organization, audited, and filterable by tier and flag."""

import pytest

from carenav.accounts.models import Organization, User
from carenav.audit.models import AuditEvent
from carenav.core.errors import NotFound
from carenav.patients.models import Patient
from carenav.population import selectors
from carenav.population.models import RiskRun
from carenav.population.services import stratify_organization
from tests.analytics.population import AS_OF
from tests.population.load import load_population

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(org: Organization, org_admin: User) -> RiskRun:
    load_population(org)
    return stratify_organization(actor=org_admin, organization=org, as_of=AS_OF)


def heart(org: Organization) -> Patient:
    return Patient.objects.get(organization=org, source_id="p-heart")


def test_latest_run_and_current_score(run: RiskRun, org: Organization, care_manager: User) -> None:
    assert selectors.latest_run_for(care_manager) == run
    score = selectors.current_score_for(care_manager, heart(org).pk)
    assert score is not None and score.run == run and score.lace == 14
    assert AuditEvent.objects.filter(action="risk.view", patient_id=heart(org).pk).exists()


def test_newer_run_becomes_current_and_older_stays_in_history(
    run: RiskRun, org: Organization, org_admin: User, care_manager: User
) -> None:
    newer = stratify_organization(actor=org_admin, organization=org, as_of=AS_OF.replace(day=30))
    assert selectors.latest_run_for(care_manager) == newer
    patient, history = selectors.score_history_for(care_manager, heart(org).pk)
    assert patient == heart(org)
    assert [s.run for s in history] == [newer, run]


def test_other_organization_sees_nothing(run: RiskRun, org: Organization, other_care_manager: User) -> None:
    assert selectors.latest_run_for(other_care_manager) is None
    assert list(selectors.runs_for(other_care_manager)) == []
    assert list(selectors.score_list_for(other_care_manager, run)) == []
    with pytest.raises(NotFound):
        selectors.current_score_for(other_care_manager, heart(org).pk)
    with pytest.raises(NotFound):
        selectors.run_get_for(other_care_manager, run.pk)
    assert AuditEvent.objects.filter(action="risk.view", outcome=AuditEvent.Outcome.NOT_FOUND).exists()


def test_score_list_orders_by_tier_then_priority_and_filters(run: RiskRun, supervisor: User) -> None:
    scores = list(selectors.score_list_for(supervisor))
    assert [(s.tier, -s.priority) for s in scores] == sorted((s.tier, -s.priority) for s in scores)
    assert {s.patient.source_id for s in selectors.score_list_for(supervisor, flag="recent_discharge")} == {
        "p-heart",
        "p-cancer",
    }
    tier = scores[0].tier
    assert all(s.tier == tier for s in selectors.score_list_for(supervisor, run, tier=tier))
    assert selectors.tier_distribution(run) == sorted(
        ({"tier": t, "count": sum(1 for s in scores if s.tier == t)} for t in {s.tier for s in scores}),
        key=lambda d: d["tier"],
    )
