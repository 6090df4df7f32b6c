"""Database rows for the population of tests/analytics/population.py (same facts, same instants)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from carenav.accounts.models import Organization
from carenav.patients.models import Caregiver, Claim, Condition, Encounter, Observation, Patient, Procedure
from tests.analytics.population import PATIENTS, at
from tests.factories import make_patient


def load_population(org: Organization, patients: list[dict[str, Any]] = PATIENTS) -> dict[str, Patient]:
    """Create every patient of the spec in `org`; returns them by spec id (their source_id)."""
    created = {}
    for p in patients:
        patient = make_patient(
            org,
            source_id=p["id"],
            birth_date=dt.date.fromisoformat(p["birth_date"]),
            sex=p["sex"],
            deceased_at=at(p["deceased"]) if p.get("deceased") else None,
        )
        created[p["id"]] = patient
        for system, code, onset, status, abatement in p["conditions"]:
            Condition.objects.create(
                patient=patient,
                system=system,
                code=code,
                clinical_status=status,
                onset_date=dt.date.fromisoformat(onset),
                abatement_date=dt.date.fromisoformat(abatement) if abatement else None,
            )
        encounters = {}
        for eid, cls, start, end, priority in p["encounters"]:
            encounters[eid] = Encounter.objects.create(
                patient=patient,
                source_id=eid,
                encounter_class=cls,
                start=at(start, 9),
                end=at(end, 20),
                priority=priority,
            )
        for loinc, value, unit, day, eid in p["observations"]:
            Observation.objects.create(
                patient=patient,
                loinc=loinc,
                value_num=value,
                unit=unit,
                effective=at(day),
                encounter=encounters.get(eid),
            )
        for day, eid in p["procedures"]:
            Procedure.objects.create(
                patient=patient, code="0", performed_start=at(day), encounter=encounters[eid]
            )
        for day, total in p["claims"]:
            Claim.objects.create(
                patient=patient,
                resource_type=Claim.Source.CLAIM,
                service_start=dt.date.fromisoformat(day),
                total=Decimal(str(total)),
            )
        for n in range(p["caregivers"]):
            Caregiver.objects.create(patient=patient, name=f"Caregiver {n}")
    return created
