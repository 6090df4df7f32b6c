"""Reads of risk runs and scores, scoped to the acting user's organization and audited."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, QuerySet
from django.db.models.expressions import RawSQL

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.audit.models import AuditEvent
from carenav.audit.services import audit_record
from carenav.core.errors import NotFound
from carenav.patients.models import Patient
from carenav.patients.selectors import patient_get_for
from carenav.population.models import RiskRun, RiskScore


def _allowed(user: User, permission: Permission) -> bool:
    return bool(user.is_authenticated and user.has_perm_enum(permission))


def runs_for(user: User) -> QuerySet[RiskRun]:
    """The organization's runs, newest first (population view permission)."""
    if not _allowed(user, Permission.VIEW_POPULATION) or user.organization_id is None:
        return RiskRun.objects.none()
    return RiskRun.objects.filter(organization_id=user.organization_id).select_related("created_by")


def run_get_for(user: User, run_id: int) -> RiskRun:
    run = runs_for(user).filter(pk=run_id).first()
    if run is None:
        audit_record(
            actor=user,
            action="risk.run_view",
            object_type="risk_run",
            object_id=run_id,
            outcome=AuditEvent.Outcome.NOT_FOUND,
        )
        raise NotFound("No such risk run.")
    audit_record(actor=user, action="risk.run_view", object_type="risk_run", object_id=run.pk)
    return run


def _latest_completed(organization_id: int | None) -> RiskRun | None:
    if organization_id is None:
        return None
    return (
        RiskRun.objects.filter(organization_id=organization_id, status=RiskRun.Status.COMPLETED)
        .order_by("-finished_at", "-id")
        .first()
    )


def latest_run_for(user: User) -> RiskRun | None:
    """The organization's most recent completed run, if the user may see patients at all."""
    if not _allowed(user, Permission.VIEW_PATIENT):
        return None
    return _latest_completed(user.organization_id)


def latest_score(organization_id: int | None, patient_id: int) -> RiskScore | None:
    """Unaudited: for callers that have already read (and audited) the patient, like the chart."""
    run = _latest_completed(organization_id)
    if run is None:
        return None
    return RiskScore.objects.filter(run=run, patient_id=patient_id).select_related("run").first()


def current_score_for(user: User, patient_id: int) -> RiskScore | None:
    """The patient's score in the latest completed run; NotFound outside the user's scope (audited)."""
    patient = patient_get_for(user, patient_id, action="risk.view")
    return latest_score(user.organization_id, patient.pk)


def score_history_for(user: User, patient_id: int) -> tuple[Patient, list[RiskScore]]:
    """The patient and every completed run's score for them, newest run first (audited)."""
    patient = patient_get_for(user, patient_id, action="risk.history")
    scores = (
        RiskScore.objects.filter(patient=patient, run__status=RiskRun.Status.COMPLETED)
        .select_related("run")
        .order_by("-run__finished_at", "-run_id")
    )
    return patient, list(scores)


def _has_flag(scores: QuerySet[RiskScore], flag: str) -> QuerySet[RiskScore]:
    if connection.vendor == "postgresql":
        return scores.filter(flags__contains=[flag])
    # SQLite has no JSON containment lookup; json_each is its equivalent.
    member = RawSQL(
        f"EXISTS (SELECT 1 FROM json_each({RiskScore._meta.db_table}.flags) WHERE json_each.value = %s)",
        (flag,),
        output_field=BooleanField(),
    )
    return scores.alias(has_flag=member).filter(has_flag=True)


def score_list_for(
    user: User, run: RiskRun | None = None, *, tier: int | None = None, flag: str | None = None
) -> QuerySet[RiskScore]:
    """Scores of a run (default: the latest completed), highest priority first, optionally filtered."""
    if not _allowed(user, Permission.VIEW_POPULATION):
        return RiskScore.objects.none()
    if run is None:
        run = _latest_completed(user.organization_id)
    if run is None or run.organization_id != user.organization_id:
        return RiskScore.objects.none()
    scores = RiskScore.objects.filter(run=run).select_related("patient").order_by("tier", "-priority", "id")
    if tier is not None:
        scores = scores.filter(tier=tier)
    if flag:
        scores = _has_flag(scores, flag)
    audit_record(
        actor=user,
        action="risk.list",
        object_type="risk_run",
        object_id=run.pk,
        detail={"tier": tier, "flag": flag},
    )
    return scores


def tier_distribution(run: RiskRun) -> list[dict[str, Any]]:
    """[{"tier": 1, "count": n}, ...] for a run, every tier present once."""
    rows = RiskScore.objects.filter(run=run).values("tier").annotate(count=Count("id")).order_by("tier")
    return [{"tier": r["tier"], "count": r["count"]} for r in rows]
