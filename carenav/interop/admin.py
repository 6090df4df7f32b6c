"""Import runs and their issues, read-only and scoped to the admin's organization."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from carenav.accounts.permissions import Permission
from carenav.core.admin_scoping import OrgScopedAdmin
from carenav.interop.models import ImportIssue, ImportRun


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class IssueInline(ReadOnlyMixin, admin.TabularInline):
    model = ImportIssue
    fields = ("severity", "file", "location", "resource_type", "resource_id", "path", "reason")
    readonly_fields = fields
    extra = 0
    max_num = 0
    show_change_link = True

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        return bool(user.is_superuser or user.has_perm_enum(Permission.IMPORT_DATA))  # type: ignore[union-attr]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyMixin, OrgScopedAdmin):
    required_permission = Permission.IMPORT_DATA
    list_display = (
        "id",
        "started_at",
        "status",
        "source",
        "actor",
        "resources_read",
        "rejected",
        "duration_seconds",
    )
    list_filter = ("status",)
    search_fields = ("source",)
    date_hierarchy = "started_at"
    inlines = [IssueInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in ImportRun._meta.fields]


@admin.register(ImportIssue)
class ImportIssueAdmin(ReadOnlyMixin, OrgScopedAdmin):
    org_path = "run__organization"
    required_permission = Permission.IMPORT_DATA
    list_display = ("run", "severity", "file", "location", "resource_type", "resource_id", "path", "reason")
    list_filter = ("severity", "resource_type")
    search_fields = ("resource_id", "path", "reason", "file")
    list_select_related = ("run",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in ImportIssue._meta.fields]
