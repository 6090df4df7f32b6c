from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from carenav.accounts.permissions import Permission
from carenav.careplans.models import (
    CarePlan,
    CareTeamMember,
    Goal,
    Intervention,
    PlanTemplateCatalog,
    Problem,
)
from carenav.core.admin_scoping import AdminLinkEntry, OrgScopedAdmin


def _can_configure(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_active and (user.is_superuser or user.is_staff or user.has_perm_enum(Permission.CONFIGURE))
    )  # type: ignore[union-attr]


@admin.register(PlanTemplateCatalog)
class PlanTemplateCatalogAdmin(AdminLinkEntry):
    """The template library, read-only, at its own page."""

    url_name = "careplans:library"

    def allowed(self, request: HttpRequest) -> bool:
        return _can_configure(request)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProblemInline(_ReadOnlyInline):
    model = Problem
    fields = ("position", "display", "source", "code", "category_key", "sdoh_category")


class GoalInline(_ReadOnlyInline):
    model = Goal
    fields = (
        "position",
        "description",
        "measure_code",
        "target_kind",
        "target_comparator",
        "target_value",
        "due_date",
    )


class InterventionInline(_ReadOnlyInline):
    model = Intervention
    fields = ("position", "description", "performer_role", "frequency", "status")


class CareTeamInline(_ReadOnlyInline):
    model = CareTeamMember
    fields = ("position", "name", "role", "phone", "email", "user")


@admin.register(CarePlan)
class CarePlanAdmin(OrgScopedAdmin):
    """Read-only: plans change through the editor and the API, where the rules and the audit trail are."""

    org_path = "patient__organization"
    audit_patient_path = "patient_id"
    list_display = ("patient", "title", "version", "status", "program_codes", "review_due", "updated_at")
    list_filter = ("status",)
    search_fields = ("patient__family_name", "title")
    inlines = (ProblemInline, GoalInline, InterventionInline, CareTeamInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
