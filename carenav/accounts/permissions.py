"""The one permission enum and the role → permission map (DESIGN.md convention 3)."""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    CARE_MANAGER = "care_manager", "Care manager"
    SUPERVISOR = "supervisor", "Supervisor"
    ORG_ADMIN = "org_admin", "Organization admin"
    AUDITOR = "auditor", "Auditor (read-only)"
    ANALYST = "analyst", "Population analyst"


class Permission(StrEnum):
    VIEW_PATIENT = "view_patient"
    EDIT_PATIENT = "edit_patient"
    IMPORT_DATA = "import_data"
    RUN_STRATIFICATION = "run_stratification"
    VIEW_POPULATION = "view_population"
    ENROLL = "enroll"
    ASSIGN_CASELOAD = "assign_caseload"
    ASSESS = "assess"
    EDIT_CAREPLAN = "edit_careplan"
    MANAGE_TASKS = "manage_tasks"
    VIEW_AUDIT = "view_audit"
    MANAGE_STAFF = "manage_staff"
    CONFIGURE = "configure"


_CLINICAL = {
    Permission.VIEW_PATIENT,
    Permission.EDIT_PATIENT,
    Permission.VIEW_POPULATION,
    Permission.ENROLL,
    Permission.ASSESS,
    Permission.EDIT_CAREPLAN,
    Permission.MANAGE_TASKS,
}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.CARE_MANAGER: frozenset(_CLINICAL),
    Role.SUPERVISOR: frozenset(_CLINICAL | {Permission.ASSIGN_CASELOAD, Permission.VIEW_AUDIT}),
    Role.ORG_ADMIN: frozenset(
        _CLINICAL
        | {
            Permission.ASSIGN_CASELOAD,
            Permission.VIEW_AUDIT,
            Permission.IMPORT_DATA,
            Permission.RUN_STRATIFICATION,
            Permission.MANAGE_STAFF,
            Permission.CONFIGURE,
        }
    ),
    Role.AUDITOR: frozenset({Permission.VIEW_PATIENT, Permission.VIEW_POPULATION, Permission.VIEW_AUDIT}),
    Role.ANALYST: frozenset(
        {
            Permission.VIEW_PATIENT,
            Permission.VIEW_POPULATION,
            Permission.IMPORT_DATA,
            Permission.RUN_STRATIFICATION,
        }
    ),
}


def role_has(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
