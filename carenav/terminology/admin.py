from django.contrib import admin
from django.http import HttpRequest

from carenav.core.admin_scoping import AdminLinkEntry
from carenav.terminology.access import can_browse_valuesets
from carenav.terminology.models import ValueSetCatalog


@admin.register(ValueSetCatalog)
class ValueSetCatalogAdmin(AdminLinkEntry):
    """The value-set browser, at its own page."""

    url_name = "terminology:index"

    def allowed(self, request: HttpRequest) -> bool:
        return can_browse_valuesets(request.user)
