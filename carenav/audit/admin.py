from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from carenav.accounts.permissions import Permission
from carenav.audit.models import AuditEvent
from carenav.core.admin_scoping import OrgScopedAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(OrgScopedAdmin):
    """Read-only: the audit log can be searched but never changed."""

    org_path = "organization_id"
    required_permission = Permission.VIEW_AUDIT
    list_display = ("at", "actor_username", "action", "patient_id", "outcome", "ip_address", "channel")
    list_filter = ("outcome", "channel", "action")
    search_fields = ("actor_username", "action", "=patient_id")
    date_hierarchy = "at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
