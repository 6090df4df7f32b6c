"""Every read of patient data goes through here, scoped to the acting user and audited."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.audit.models import AuditEvent
from carenav.audit.services import audit_record
from carenav.core.errors import NotFound
from carenav.core.search import prefix
from carenav.core.text import fold
from carenav.patients.models import (
    Caregiver,
    Condition,
    Coverage,
    Encounter,
    Medication,
    Observation,
    Patient,
    PatientIdentifier,
)

VITAL_SIGNS = {
    "85354-9": "Blood pressure",
    "8867-4": "Heart rate",
    "29463-7": "Weight",
    "39156-5": "BMI",
    "8310-5": "Temperature",
    "9279-1": "Respiratory rate",
    "59408-5": "SpO2",
}
RECENT_ENCOUNTERS = 12
MAX_ID = 2**63 - 1  # a 64-bit primary key; larger ids in a URL cannot exist
RECENT_OBSERVATIONS = 300

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")


def patients_for(user: User) -> QuerySet[Patient]:
    """The population the user may see: their organization's patients, nothing else."""
    if not user.is_authenticated or not user.has_perm_enum(Permission.VIEW_PATIENT):
        return Patient.objects.none()
    assert user.organization_id is not None  # has_perm_enum requires an organization
    return Patient.objects.filter(organization_id=user.organization_id)


def _parse_date(text: str) -> dt.date | None:
    match = _DATE.match(text)
    if not match:
        return None
    try:
        if match.group(1):
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return dt.date(int(match.group(6)), int(match.group(4)), int(match.group(5)))
    except ValueError:
        return None


def patient_search(queryset: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    """Name ("smith", "smith jo", "smith, john"), date of birth, or an exact identifier/MRN."""
    query = query.strip()
    if not query:
        return queryset
    birth_date = _parse_date(query)
    if birth_date is not None:
        return queryset.filter(birth_date=birth_date)
    terms = [t for t in re.split(r"[\s,]+", fold(query)) if t]
    if len(terms) >= 2:
        by_name = (prefix("family_norm", terms[0]) & prefix("given_norm", terms[1])) | (
            prefix("given_norm", terms[0]) & prefix("family_norm", terms[1])
        )
    else:
        by_name = prefix("family_norm", terms[0]) | prefix("given_norm", terms[0])
    if any(ch.isdigit() for ch in query):
        # A literal id list keeps every branch of the OR indexable (a subquery would force a scan).
        identified = list(
            PatientIdentifier.objects.filter(value=query).values_list("patient_id", flat=True)[:50]
        )
        by_name |= Q(mrn=query) | Q(pk__in=identified)
    return queryset.filter(by_name)


def patient_list_for(user: User, *, query: str = "") -> QuerySet[Patient]:
    patients = patient_search(patients_for(user), query).order_by("family_norm", "given_norm", "id")
    audit_record(actor=user, action="patient.list", detail={"query": query[:100]})
    return patients


def patient_get_for(user: User, patient_id: int, *, action: str = "patient.view") -> Patient:
    """One patient, or NotFound when absent or outside the user's scope; both outcomes are audited."""
    in_range = 0 < patient_id <= MAX_ID
    patient = (
        patients_for(user).filter(pk=patient_id).select_related("care_manager").first() if in_range else None
    )
    if patient is None:
        audit_record(
            actor=user,
            action=action,
            patient_id=patient_id if in_range else None,
            outcome=AuditEvent.Outcome.NOT_FOUND,
            detail={} if in_range else {"requested_id": str(patient_id)[:40]},
        )
        raise NotFound("No such patient.")
    audit_record(
        actor=user, action=action, patient_id=patient.pk, object_type="patient", object_id=patient.pk
    )
    return patient


@dataclass
class PatientChart:
    patient: Patient
    identifiers: list[PatientIdentifier]
    caregivers: list[Caregiver]
    problems: list[Condition]
    encounters: list[Encounter]
    vitals: list[Observation]
    labs: list[Observation]
    medications: list[Medication]
    coverages: list[Coverage]
    acute_last_year: dict[str, int] = field(default_factory=dict)


def _latest_by_code(observations: list[Observation]) -> list[Observation]:
    latest: dict[str, Observation] = {}
    for obs in observations:  # newest first
        latest.setdefault(obs.loinc, obs)
    return list(latest.values())


def patient_chart_for(user: User, patient_id: int, *, today: dt.date) -> PatientChart:
    """Everything the chart shows, in a fixed number of queries regardless of history length."""
    patient = patient_get_for(user, patient_id)
    recent = list(
        Observation.objects.filter(patient=patient, panel__isnull=True)
        .prefetch_related("components")
        .order_by("-effective")[:RECENT_OBSERVATIONS]
    )
    latest = _latest_by_code(recent)
    encounters = list(patient.encounters.order_by("-start")[:RECENT_ENCOUNTERS])
    year_ago = today - dt.timedelta(days=365)
    acute = patient.encounters.filter(
        start__date__gte=year_ago,
        encounter_class__in=[Encounter.Class.INPATIENT, Encounter.Class.EMERGENCY],
    ).values_list("encounter_class", flat=True)
    acute_counts = {"inpatient": 0, "emergency": 0}
    for cls in acute:
        acute_counts[cls] += 1
    return PatientChart(
        patient=patient,
        identifiers=list(patient.identifiers.all()),
        caregivers=list(patient.caregivers.all()),
        problems=list(
            patient.conditions.filter(clinical_status__in=Condition.ACTIVE_STATUSES).order_by(
                "-onset_date", "display"
            )
        ),
        encounters=encounters,
        vitals=[o for o in latest if o.loinc in VITAL_SIGNS],
        labs=[o for o in latest if o.loinc not in VITAL_SIGNS and o.category != "survey"],
        medications=list(patient.medications.filter(status="active")),
        coverages=list(patient.coverages.all()),
        acute_last_year=acute_counts,
    )


def observation_list_for(user: User, patient_id: int, *, loinc: str | None = None) -> QuerySet[Observation]:
    patient = patient_get_for(user, patient_id, action="observation.list")
    observations = Observation.objects.filter(patient=patient, panel__isnull=True)
    if loinc:
        observations = observations.filter(loinc=loinc)
    return observations.order_by("-effective")
