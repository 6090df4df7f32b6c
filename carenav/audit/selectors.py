from django.db.models import QuerySet

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.audit.models import AuditEvent
from carenav.core.errors import PermissionDenied


def patient_access_history(user: User, *, patient_id: int) -> QuerySet[AuditEvent]:
    """Who saw or changed this patient's data. The caller has already scoped the patient to the user."""
    if not user.has_perm_enum(Permission.VIEW_AUDIT):
        raise PermissionDenied("Your role cannot read the audit log.")
    return AuditEvent.objects.filter(patient_id=patient_id).select_related("actor")
