"""Reads behind the FHIR interface: every row comes from the acting user's patients
(patients.selectors.patients_for / patient_get_for) and every read and search is audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Prefetch, QuerySet

from carenav.accounts.models import User
from carenav.assessments.models import AssessmentResponse
from carenav.audit.models import AuditEvent
from carenav.audit.services import audit_record
from carenav.careplans.models import CarePlan, Goal
from carenav.core import clock
from carenav.core.errors import NotFound
from carenav.fhirapi import serializers
from carenav.fhirapi.search import SEARCH_PARAMS, Query, parse
from carenav.patients.models import (
    Allergy,
    Caregiver,
    Condition,
    Coverage,
    Encounter,
    Medication,
    Observation,
    Patient,
    PatientIdentifier,
    Procedure,
)
from carenav.patients.selectors import MAX_ID, patient_get_for, patients_for

Rows = list[Any]


@dataclass(frozen=True)
class Kind:
    """One FHIR resource type: where its rows are, which of them a search lists, how they render."""

    name: str
    rows: Callable[[QuerySet[Patient]], QuerySet[Any]]
    render: Callable[[Rows], list[dict[str, Any]]]
    patient_of: Callable[[Any], int]
    listed: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda qs: qs
    order: tuple[str, ...] = ("id",)


def _of_patients(model: type[Model], **filters: Any) -> Callable[[QuerySet[Patient]], QuerySet[Any]]:
    return lambda patients: model._default_manager.filter(patient__in=patients, **filters)


def _each(fn: Callable[[Any], dict[str, Any]]) -> Callable[[Rows], list[dict[str, Any]]]:
    return lambda rows: [fn(row) for row in rows]


def _render_patients(rows: Rows) -> list[dict[str, Any]]:
    return [serializers.patient(p, list(p.identifiers.all())) for p in rows]


def _render_encounters(rows: Rows) -> list[dict[str, Any]]:
    codes = {d.get("code") for e in rows for d in e.diagnoses or []}
    conditions: dict[tuple[int, str, str], int] = {}
    if codes:
        found = Condition.objects.filter(
            patient_id__in={e.patient_id for e in rows}, code__in=codes
        ).order_by("id")
        for pid, system, code, pk in found.values_list("patient_id", "system", "code", "pk"):
            conditions.setdefault((pid, system, code), pk)
    return [serializers.encounter(e, conditions) for e in rows]


def _render_observations(rows: Rows) -> list[dict[str, Any]]:
    return [serializers.observation(o, list(o.components.all())) for o in rows]


def _render_medications(rows: Rows) -> list[dict[str, Any]]:
    today = clock.today()
    return [serializers.medication(m, today) for m in rows]


def _render_careplans(rows: Rows) -> list[dict[str, Any]]:
    today, now = clock.today(), clock.now()
    return [serializers.careplan_resources(plan, today, now)[0] for plan in rows]


def _render_goals(rows: Rows) -> list[dict[str, Any]]:
    today, now = clock.today(), clock.now()
    by_plan: dict[int, dict[int, dict[str, Any]]] = {}
    for goal in rows:
        if goal.plan_id not in by_plan:
            by_plan[goal.plan_id] = serializers.careplan_resources(goal.plan, today, now)[1]
    return [by_plan[goal.plan_id][goal.pk] for goal in rows]


def _current_goals(goals: QuerySet[Any]) -> QuerySet[Any]:
    """Goals of the plan versions in force: not superseded versions, not revision drafts."""
    return goals.exclude(plan__status=CarePlan.Status.REVISED).exclude(
        plan__status=CarePlan.Status.DRAFT, plan__previous__isnull=False
    )


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "Patient",
            rows=lambda patients: patients.prefetch_related(
                Prefetch("identifiers", queryset=PatientIdentifier.objects.order_by("id"))
            ),
            render=_render_patients,
            patient_of=lambda p: p.pk,
            order=("family_norm", "given_norm", "id"),
        ),
        Kind("Condition", _of_patients(Condition), _each(serializers.condition), lambda r: r.patient_id),
        Kind("Encounter", _of_patients(Encounter), _render_encounters, lambda r: r.patient_id),
        Kind(
            "Observation",
            lambda patients: Observation.objects.filter(
                patient__in=patients, panel__isnull=True
            ).prefetch_related(Prefetch("components", queryset=Observation.objects.order_by("id"))),
            _render_observations,
            lambda r: r.patient_id,
        ),
        Kind(
            "MedicationRequest",
            _of_patients(Medication, kind=Medication.Kind.REQUEST),
            _render_medications,
            lambda r: r.patient_id,
        ),
        Kind(
            "MedicationStatement",
            _of_patients(Medication, kind=Medication.Kind.STATEMENT),
            _render_medications,
            lambda r: r.patient_id,
        ),
        Kind("Coverage", _of_patients(Coverage), _each(serializers.coverage), lambda r: r.patient_id),
        Kind("AllergyIntolerance", _of_patients(Allergy), _each(serializers.allergy), lambda r: r.patient_id),
        Kind("Procedure", _of_patients(Procedure), _each(serializers.procedure), lambda r: r.patient_id),
        Kind(
            "RelatedPerson",
            _of_patients(Caregiver),
            _each(serializers.related_person),
            lambda r: r.patient_id,
        ),
        Kind(
            "CarePlan",
            lambda patients: CarePlan.objects.filter(patient__in=patients).select_related(
                "patient", "previous"
            ),
            _render_careplans,
            lambda r: r.patient_id,
        ),
        Kind(
            "Goal",
            lambda patients: Goal.objects.filter(plan__patient__in=patients).select_related(
                "plan", "plan__patient", "plan__previous"
            ),
            _render_goals,
            lambda r: r.plan.patient_id,
            listed=_current_goals,
        ),
        Kind(
            "QuestionnaireResponse",
            lambda patients: AssessmentResponse.objects.filter(patient__in=patients).select_related("author"),
            _each(serializers.questionnaire_response),
            lambda r: r.patient_id,
            listed=lambda qs: qs.exclude(status=AssessmentResponse.Status.STOPPED),
        ),
    )
}
assert set(KINDS) == set(SEARCH_PARAMS), "every served type has a search table and the other way round"


class UnknownType(NotFound):
    """A resource type this server does not serve."""


def kind_get(resource_type: str) -> Kind:
    kind = KINDS.get(resource_type)
    if kind is None:
        raise UnknownType(f"Resource type '{resource_type}' is not supported by this server.")
    return kind


def _pk(text: str) -> int | None:
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def resource_read_for(user: User, resource_type: str, resource_id: str) -> dict[str, Any]:
    """One resource, or NotFound when absent or outside the user's organization (audited either way)."""
    kind = kind_get(resource_type)
    pk = _pk(resource_id)
    if kind.name == "Patient" and pk is not None:
        patient = patient_get_for(user, pk, action="fhir.read")
        return kind.render(list(kind.rows(Patient.objects.filter(pk=patient.pk))))[0]
    row = kind.rows(patients_for(user)).filter(pk=pk).first() if pk is not None else None
    if row is None:
        audit_record(
            actor=user,
            action="fhir.read",
            object_type=kind.name,
            object_id=resource_id[:64],
            outcome=AuditEvent.Outcome.NOT_FOUND,
        )
        raise NotFound(f"{kind.name}/{resource_id[:64]} is not known to this server.")
    audit_record(
        actor=user,
        action="fhir.read",
        patient_id=kind.patient_of(row),
        object_type=kind.name,
        object_id=row.pk,
    )
    return kind.render([row])[0]


@dataclass
class SearchResult:
    resources: list[dict[str, Any]]
    total: int
    query: Query


def resource_search_for(user: User, resource_type: str, params: list[tuple[str, str]]) -> SearchResult:
    """One page of a search over the user's patients; the audit event names the query and the patients
    whose data was returned. Query count does not grow with the page size."""
    kind = kind_get(resource_type)
    query = parse(kind.name, params)
    rows = kind.listed(kind.rows(patients_for(user)))
    for condition in query.filters:
        rows = rows.filter(condition)
    total = rows.count()
    page = list(rows.order_by(*kind.order)[query.offset : query.offset + query.count]) if query.count else []
    shown = sorted({kind.patient_of(row) for row in page})
    audit_record(
        actor=user,
        action="fhir.search",
        patient_id=shown[0] if len(shown) == 1 else None,
        object_type=kind.name,
        detail={
            "query": [[k, v[:100]] for k, v in params[:20]],
            "total": total,
            "patient_ids": shown,
        },
    )
    return SearchResult(resources=kind.render(page), total=total, query=query)


def patient_everything_for(user: User, patient_id: str) -> list[dict[str, Any]]:
    """The patient and every resource of theirs this server serves (Patient/$everything)."""
    pk = _pk(patient_id)
    if pk is None:
        audit_record(
            actor=user, action="fhir.everything", outcome=AuditEvent.Outcome.NOT_FOUND, object_type="Patient"
        )
        raise NotFound(f"Patient/{patient_id[:64]} is not known to this server.")
    patient = patient_get_for(user, pk, action="fhir.everything")
    only = Patient.objects.filter(pk=patient.pk)
    resources: list[dict[str, Any]] = []
    for kind in KINDS.values():
        resources += kind.render(list(kind.listed(kind.rows(only)).order_by(*kind.order)))
    return resources
