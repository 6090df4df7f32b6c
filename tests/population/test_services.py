"""stratify_organization: runs, stored scores, audit, scoping of the population, and engine parity."""

import gc
from pathlib import Path
from typing import Any

import pytest

from carenav.accounts.models import Organization, User
from carenav.analytics.pipeline import stratify
from carenav.audit.models import AuditEvent
from carenav.core.errors import PermissionDenied
from carenav.population.models import RiskRun, RiskScore
from carenav.population.services import SCORE_FIELDS, stratify_organization
from tests.analytics.population import AS_OF, write_ndjson
from tests.factories import make_patient
from tests.population.load import load_population

pytestmark = pytest.mark.django_db


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in SCORE_FIELDS} | {"cost_12m": row["cost_12m"]}


def test_run_is_recorded_with_its_metadata_and_audited(org: Organization, org_admin: User) -> None:
    load_population(org)
    run = stratify_organization(actor=org_admin, organization=org, as_of=AS_OF)
    run.refresh_from_db()
    assert run.status == RiskRun.Status.COMPLETED
    assert (run.engine, run.config_version, run.as_of) == ("db", "priority-v1", AS_OF)
    assert run.population_size == 4  # the deceased patient is not scored
    assert run.valueset_versions["charlson"] == "2026.11"
    assert run.duration_seconds is not None and run.duration_seconds > 0
    assert run.finished_at is not None and run.created_by == org_admin
    assert RiskScore.objects.filter(run=run).count() == 4
    event = AuditEvent.objects.get(action="risk.run")
    assert event.object_id == str(run.pk) and event.detail["population_size"] == 4


def test_scores_only_cover_the_organization(
    org: Organization, other_org: Organization, org_admin: User
) -> None:
    load_population(org)
    stranger = make_patient(other_org, family_name="Elsewhere")
    run = stratify_organization(actor=org_admin, organization=org, as_of=AS_OF)
    assert not RiskScore.objects.filter(run=run, patient=stranger).exists()


def test_care_manager_may_not_run_stratification(org: Organization, care_manager: User) -> None:
    with pytest.raises(PermissionDenied):
        stratify_organization(actor=care_manager, organization=org, as_of=AS_OF)
    assert not RiskRun.objects.exists()


def test_admin_may_not_stratify_another_organization(other_org: Organization, org_admin: User) -> None:
    with pytest.raises(PermissionDenied):
        stratify_organization(actor=org_admin, organization=other_org, as_of=AS_OF)


def test_a_failed_run_stays_visible_with_its_error(
    org: Organization, org_admin: User, tmp_path: Path
) -> None:
    thresholds = gc.get_threshold()
    with pytest.raises(FileNotFoundError):
        stratify_organization(
            actor=org_admin, organization=org, engine="duckdb", source=tmp_path, as_of=AS_OF
        )
    run = RiskRun.objects.get()
    assert run.status == RiskRun.Status.FAILED
    assert "no Patient NDJSON" in run.error
    # scoring tunes the garbage collector down; a failure must not leave it that way
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0


def test_database_and_duckdb_over_ndjson_give_identical_results(
    org: Organization, org_admin: User, tmp_path: Path
) -> None:
    """The same population stratified in the operational database (SQLite, or PostgreSQL when the
    suite runs under tools/with_postgres.py) and on DuckDB over its FHIR NDJSON export."""
    patients = load_population(org)
    run = stratify_organization(actor=org_admin, organization=org, as_of=AS_OF)
    by_ref = {p.pk: ref for ref, p in patients.items()}
    stored = {
        by_ref[row["patient_id"]]: _comparable(row)
        for row in RiskScore.objects.filter(run=run).values("patient_id", *SCORE_FIELDS, "cost_12m")
    }
    files = {
        r.patient_ref: _comparable(r.as_dict())
        for r in stratify("duckdb", write_ndjson(tmp_path), as_of=AS_OF)
    }
    for row in files.values():
        row["cost_12m"] = None if row["cost_12m"] is None else pytest.approx(row["cost_12m"])
    assert stored.keys() == files.keys()
    for ref in stored:
        assert stored[ref] == files[ref], ref


def test_duckdb_engine_attaches_results_by_source_id(
    org: Organization, org_admin: User, tmp_path: Path
) -> None:
    patients = load_population(org)
    run = stratify_organization(
        actor=org_admin, organization=org, engine="duckdb", source=str(write_ndjson(tmp_path)), as_of=AS_OF
    )
    assert run.engine == "duckdb" and run.population_size == 4
    heart = RiskScore.objects.get(run=run, patient=patients["p-heart"])
    assert (heart.lace, heart.hospital_score, str(heart.cost_12m)) == (14, 8, "20000.50")
