from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from carenav.terminology.access import can_browse_valuesets
from carenav.terminology.models import ValueSetCatalog


@admin.register(ValueSetCatalog)
class ValueSetCatalogAdmin(admin.ModelAdmin):
    """Read-only entry point: the list page redirects to the value-set browser."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_browse_valuesets(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_browse_valuesets(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("terminology:index"))
