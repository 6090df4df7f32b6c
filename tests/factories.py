"""Small builders for test data; every test states the facts it depends on."""

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from carenav.accounts.models import Organization, User
from carenav.accounts.services import user_create
from carenav.patients.models import Condition, Encounter, Observation, Patient
from carenav.patients.services import patient_normalize_names

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


def make_org(slug: str, kind: str = Organization.Kind.CLINIC) -> Organization:
    return Organization.objects.create(slug=slug, name=slug.title() + " Health", kind=kind)


def make_user(org: Organization | None, role: str, username: str | None = None, **extra: Any) -> User:
    return user_create(
        username=username or f"{role}{next(_seq)}", password=PASSWORD, organization=org, role=role, **extra
    )


def make_patient(org: Organization, **fields: Any) -> Patient:
    n = next(_seq)
    values: dict[str, Any] = {
        "family_name": f"Testpatient{n}",
        "given_name": "Alex",
        "birth_date": dt.date(1950, 3, 4),
        "sex": Patient.Sex.FEMALE,
        "mrn": f"MRN{n:06d}",
        **fields,
    }
    patient = Patient(organization=org, **values)
    patient_normalize_names(patient)
    patient.save()
    return patient


def at(day: str, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=hour))


def add_condition(patient: Patient, code: str, system: str = "icd10cm", **fields: Any) -> Condition:
    return Condition.objects.create(patient=patient, system=system, code=code, **fields)


def add_encounter(patient: Patient, cls: str, start: str, end: str | None = None, **fields: Any) -> Encounter:
    return Encounter.objects.create(
        patient=patient, encounter_class=cls, start=at(start), end=at(end, 15) if end else None, **fields
    )


def add_observation(
    patient: Patient, loinc: str, value: float, unit: str, day: str, **fields: Any
) -> Observation:
    return Observation.objects.create(
        patient=patient, loinc=loinc, value_num=value, unit=unit, effective=at(day), **fields
    )
