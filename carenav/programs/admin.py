from django.contrib import admin

from carenav.audit.services import audit_record
from carenav.core.admin_scoping import OrgScopedAdmin
from carenav.programs.models import OrganizationProgram


@admin.register(OrganizationProgram)
class OrganizationProgramAdmin(OrgScopedAdmin):
    """Organizations choose which programs they run (definitions live in programs/definitions/)."""

    list_display = ("program_code", "organization", "active", "created_at")
    list_filter = ("program_code", "active")
    list_editable = ("active",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "organization" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(pk=request.user.organization_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="program.configure",
            object_type="organization_program",
            object_id=obj.pk,
            detail={"program": obj.program_code, "active": obj.active, "via": "admin"},
        )
