from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from carenav.accounts.models import ApiToken, Organization, Team, User
from carenav.accounts.permissions import Permission
from carenav.core.admin_scoping import OrgScopedAdmin


@admin.register(Organization)
class OrganizationAdmin(OrgScopedAdmin):
    org_path = "pk"
    list_display = ("name", "kind", "slug")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Team)
class TeamAdmin(OrgScopedAdmin):
    list_display = ("name", "organization")
    list_filter = ("organization",)
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(OrgScopedAdmin, BaseUserAdmin):
    required_permission = Permission.MANAGE_STAFF
    list_display = ("username", "get_full_name", "organization", "role", "discipline", "is_active")
    list_filter = ("role", "discipline", "organization", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Care management",
            {"fields": ("organization", "role", "discipline", "credentials", "languages", "teams", "phone")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Care management", {"fields": ("organization", "role", "discipline")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Only a superuser may grant superuser status or move staff between organizations.
        if request.user.is_superuser:
            return ()
        return ("is_superuser", "user_permissions", "groups", "organization")


@admin.register(ApiToken)
class ApiTokenAdmin(OrgScopedAdmin):
    org_path = "user__organization"
    required_permission = Permission.MANAGE_STAFF
    list_display = ("name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "key_prefix", "key_digest", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
