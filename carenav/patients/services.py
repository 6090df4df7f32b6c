from django.db import transaction

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.audit.services import audit_record
from carenav.core.errors import PermissionDenied
from carenav.core.text import fold
from carenav.patients.models import Patient


def patient_normalize_names(patient: Patient) -> Patient:
    """Fill the folded search columns; every writer of names calls this (importer, admin, services)."""
    patient.family_norm = fold(patient.family_name)[:100]
    patient.given_norm = fold(patient.given_name)[:100]
    return patient


@transaction.atomic
def patient_update_contact(
    *, actor: User, patient: Patient, phone: str, email: str, preferred_language: str
) -> Patient:
    if not actor.has_perm_enum(Permission.EDIT_PATIENT) or patient.organization_id != actor.organization_id:
        raise PermissionDenied("You cannot change this patient's details.")
    patient.phone, patient.email, patient.preferred_language = phone, email, preferred_language
    patient.full_clean()
    patient.save(update_fields=["phone", "email", "preferred_language", "updated_at"])
    audit_record(
        actor=actor,
        action="patient.update",
        patient_id=patient.pk,
        object_type="patient",
        object_id=patient.pk,
        detail={"fields": ["phone", "email", "preferred_language"]},
    )
    return patient
