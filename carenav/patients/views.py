from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from carenav.accounts.permissions import Permission
from carenav.audit.selectors import patient_access_history
from carenav.core import clock
from carenav.core.http import AuthedRequest
from carenav.patients import selectors
from carenav.web.registry import chart_panels

PAGE_SIZE = 25


@login_required
def patient_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    patients = selectors.patient_list_for(request.user, query=query)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "patients/_patient_table.html" if request.headers.get("HX-Request") else "patients/list.html"
    return render(request, template, {"page": page, "query": query, "today": clock.today()})


@login_required
def patient_chart(request: AuthedRequest, patient_id: int) -> HttpResponse:
    chart = selectors.patient_chart_for(request.user, patient_id, today=clock.today())
    panels: list[dict[str, Any]] = [
        {"panel": panel, "context": panel.context(request.user, chart.patient)}
        for panel in chart_panels()
        if request.user.has_perm_enum(panel.permission)
    ]
    return render(
        request,
        "patients/chart.html",
        {
            "chart": chart,
            "patient": chart.patient,
            "main_panels": [p for p in panels if p["panel"].column == "main"],
            "side_panels": [p for p in panels if p["panel"].column == "side"],
            "today": clock.today(),
            "can_view_audit": request.user.has_perm_enum(Permission.VIEW_AUDIT),
        },
    )


@login_required
def patient_access_log(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get_for(request.user, patient_id, action="audit.patient_history")
    events = Paginator(patient_access_history(request.user, patient_id=patient.pk), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "patients/access_log.html", {"patient": patient, "page": events})
