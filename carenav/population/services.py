"""Running risk stratification for an organization and storing the results."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
from django.db import connection, transaction

from carenav.accounts.models import Organization
from carenav.accounts.permissions import Permission
from carenav.analytics.config import DEFAULT_CONFIG, load_config
from carenav.analytics.pipeline import describe, stratify
from carenav.analytics.results import PatientResult
from carenav.audit.services import audit_record
from carenav.core import clock
from carenav.core.collector import fewer_collections
from carenav.core.errors import DomainError, PermissionDenied
from carenav.patients.models import Patient
from carenav.population.models import RiskRun, RiskScore

WRITE_BATCH = 2000
SCORE_FIELDS = (
    "tier",
    "priority",
    "age",
    "chronic_categories",
    "chronic_count",
    "charlson_1987",
    "charlson_quan2011",
    "charlson_age_adjusted",
    "ip_6m",
    "ip_12m",
    "ed_6m",
    "ed_12m",
    "days_since_discharge",
    "readmissions_30d",
    "lace",
    "hospital_score",
    "flags",
    "reasons",
)
Progress = Callable[[int], None]


class _DjangoOwnsTransactions:
    """A sqlite3 connection whose commit/rollback belong to Django.

    Ibis's SQLite backend commits after reading a table's schema; on the connection Django is using,
    that would end the caller's transaction (and its savepoints). Everything else passes through.
    """

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        return None


def operational_backend() -> Any:
    """An Ibis backend on Django's own database connection, so a run sees exactly what Django sees."""
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        return ibis.sqlite.from_connection(_DjangoOwnsTransactions(raw))
    if connection.vendor == "postgresql":
        return ibis.postgres.from_connection(raw)
    raise DomainError(f"risk stratification does not support the {connection.vendor} database")


def _score(run: RiskRun, result: PatientResult) -> RiskScore:
    values: dict[str, Any] = {name: getattr(result, name) for name in SCORE_FIELDS}
    cost = result.cost_12m
    return RiskScore(
        run=run,
        patient_id=result.patient_id,
        cost_12m=Decimal(f"{cost:.2f}") if cost is not None else None,
        **values,
    )


def stratify_organization(
    *,
    actor: Any,
    organization: Organization,
    engine: str = "db",
    as_of: dt.date | None = None,
    source: str | Path | None = None,
    config: str | Path | None = None,
    progress: Progress | None = None,
) -> RiskRun:
    """Stratify the organization's patients and store one RiskScore per living patient.

    engine "db" reads the operational database; "duckdb"/"pyspark" read `source` (NDJSON or
    normalized Parquet) and keep only results whose patient reference matches a patient of the
    organization (Patient.source_id), since other rows have no patient to attach to.
    The run row is committed first and marked completed or failed, so a failure stays visible.
    """
    if actor is not None and not actor.has_perm_enum(Permission.RUN_STRATIFICATION):
        raise PermissionDenied("You may not run risk stratification.")
    if actor is not None and actor.organization_id != organization.pk:
        raise PermissionDenied("You may only stratify your own organization.")
    if engine != "db" and source is None:
        raise DomainError(f"engine {engine!r} needs a source directory", field="source")
    as_of = as_of or clock.today()
    meta = describe(engine, as_of, load_config(config or DEFAULT_CONFIG))
    started = time.perf_counter()
    run = RiskRun.objects.create(
        organization=organization,
        started_at=clock.now(),
        engine=engine,
        config_version=meta.config.label,
        valueset_versions=meta.valueset_versions,
        as_of=as_of,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        size = _write_scores(run, organization, engine, source, meta.config, progress)
    except Exception as exc:
        run.status = RiskRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = clock.now()
        run.duration_seconds = time.perf_counter() - started
        run.save(update_fields=["status", "error", "finished_at", "duration_seconds"])
        audit_record(
            actor=actor,
            action="risk.run",
            object_type="risk_run",
            object_id=run.pk,
            outcome="error",
            detail={"engine": engine, "error": run.error[:200]},
        )
        raise
    run.status = RiskRun.Status.COMPLETED
    run.population_size = size
    run.finished_at = clock.now()
    run.duration_seconds = time.perf_counter() - started
    run.save(update_fields=["status", "population_size", "finished_at", "duration_seconds"])
    audit_record(
        actor=actor,
        action="risk.run",
        object_type="risk_run",
        object_id=run.pk,
        detail={
            "engine": engine,
            "as_of": as_of.isoformat(),
            "population_size": size,
            "config": run.config_version,
        },
    )
    return run


def _write_scores(
    run: RiskRun,
    organization: Organization,
    engine: str,
    source: str | Path | None,
    config: Any,
    progress: Progress | None,
) -> int:
    if engine == "db":
        results = stratify(
            "db", operational_backend(), as_of=run.as_of, config=config, organization_id=organization.pk
        )
        by_ref = None
    else:
        results = stratify(engine, source, as_of=run.as_of, config=config)
        by_ref = dict(
            Patient.objects.filter(organization=organization, source_id__isnull=False).values_list(
                "source_id", "pk"
            )
        )
    written = 0
    batch: list[RiskScore] = []
    with transaction.atomic(), fewer_collections():
        for result in results:
            if by_ref is not None:
                patient_id = by_ref.get(result.patient_ref)
                if patient_id is None:
                    continue
                result.patient_id = patient_id
            batch.append(_score(run, result))
            if len(batch) >= WRITE_BATCH:
                RiskScore.objects.bulk_create(batch)
                written += len(batch)
                batch = []
                if progress:
                    progress(written)
        if batch:
            RiskScore.objects.bulk_create(batch)
            written += len(batch)
            if progress:
                progress(written)
    return written
