from typing import cast

from django.contrib import admin
from django.http import HttpRequest

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.core.admin_scoping import OrgScopedAdmin
from carenav.core.text import fold
from carenav.patients.models import Caregiver, Condition, Coverage, Patient, PatientIdentifier
from carenav.patients.services import patient_normalize_names


class IdentifierInline(admin.TabularInline):
    model = PatientIdentifier
    extra = 0


class CaregiverInline(admin.TabularInline):
    model = Caregiver
    extra = 0
    exclude = ("source_id",)


class ConditionInline(admin.TabularInline):
    model = Condition
    extra = 0
    fields = ("system", "code", "display", "clinical_status", "onset_date", "abatement_date")


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 0
    exclude = ("source_id",)


@admin.register(Patient)
class PatientAdmin(OrgScopedAdmin):
    required_permission = Permission.EDIT_PATIENT
    audit_patient_path = "pk"
    list_display = ("display_name", "birth_date", "sex", "mrn", "preferred_language", "organization")
    search_fields = ("family_norm", "given_norm", "mrn")
    list_filter = ("sex", "preferred_language")
    raw_id_fields = ("care_manager",)
    exclude = ("source_id",)
    inlines = [IdentifierInline, CaregiverInline, ConditionInline, CoverageInline]
    show_full_result_count = False

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):  # type: ignore[no-untyped-def]
        return super().get_search_results(request, queryset, fold(search_term))

    def get_readonly_fields(self, request: HttpRequest, obj: Patient | None = None) -> tuple[str, ...]:
        return () if request.user.is_superuser else ("organization",)

    def save_model(self, request: HttpRequest, obj: Patient, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        user = cast(User, request.user)
        if not user.is_superuser and user.organization_id is not None:
            obj.organization_id = user.organization_id
        patient_normalize_names(obj)
        super().save_model(request, obj, form, change)
