"""Admin for organization users: they see only their organization's rows, and reads are audited."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from carenav.accounts.permissions import Permission
from carenav.audit.models import AuditEvent
from carenav.audit.services import audit_record


class OrgScopedAdmin(admin.ModelAdmin):
    """`org_path` is the lookup from the model to its organization id, e.g. "patient__organization"."""

    org_path = "organization"
    required_permission = Permission.CONFIGURE
    audit_patient_path: str | None = None  # attribute path to the patient id, for audit records

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (
                user.is_superuser or user.has_perm_enum(self.required_permission)  # type: ignore[union-attr]
            )
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.org_path: request.user.organization_id})  # type: ignore[union-attr]

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        if self.audit_patient_path is not None:
            audit_record(
                actor=request.user,
                action=f"admin.{opts.model_name}.view",
                patient_id=int(object_id)
                if self.audit_patient_path == "pk" and object_id.isdigit()
                else None,
                object_type=opts.model_name,
                object_id=object_id,
                outcome=AuditEvent.Outcome.NOT_FOUND,
            )
        raise Http404("Not found in your organization.")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if self.audit_patient_path is not None and response.status_code == 200:
            obj = self.get_object(request, object_id)
            assert obj is not None  # the change view rendered, so the object exists in scope
            patient_id = obj.pk if self.audit_patient_path == "pk" else getattr(obj, self.audit_patient_path)
            audit_record(
                actor=request.user,
                action=f"admin.{self.model._meta.model_name}.view",
                patient_id=patient_id,
                object_type=self.model._meta.model_name,
                object_id=object_id,
            )
        return response


class AdminLinkEntry(admin.ModelAdmin):
    """An admin index entry for a page that lives outside the admin: its list page redirects there.

    Subclasses name the page (`url_name`) and who may see the entry (`allowed`). The model behind it
    has no table (managed = False); nothing can be added, changed or deleted through it.
    """

    url_name = ""

    def allowed(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse(self.url_name))
