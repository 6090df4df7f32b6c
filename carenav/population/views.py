from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from carenav.accounts.permissions import Permission
from carenav.core.errors import PermissionDenied
from carenav.core.http import AuthedRequest
from carenav.population import selectors, services

PAGE_SIZE = 50
# How the chart groups a score's reasons, in this order.
SECTIONS = (
    ("Why this priority", ("tier", "priority")),
    ("Readmission risk", ("lace", "hospital")),
    (
        "Use of care",
        ("ip_6m", "ip_12m", "ed_6m", "ed_12m", "readmissions_30d", "days_since_discharge", "cost_12m"),
    ),
    ("Chronic conditions", ("chronic",)),
    ("Charlson comorbidity", ("charlson", "charlson_age_adjusted")),
    ("Behavioral, social and frailty", ("flag", "social_need", "frailty")),
)


def reason_sections(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sections = []
    for title, keys in SECTIONS:
        items = [r for r in reasons if r.get("score") in keys]
        if items:
            sections.append({"title": title, "reasons": items})
    return sections


def risk_panel_context(user: Any, patient: Any) -> dict[str, Any]:
    """Chart panel: the latest completed run's score (the chart view has already audited the read)."""
    score = selectors.latest_score(user.organization_id, patient.pk)
    return {"score": score, "sections": reason_sections(score.reasons) if score else []}


def _require(request: AuthedRequest, permission: Permission) -> None:
    if not request.user.has_perm_enum(permission):
        raise PermissionDenied("You do not have access to population risk.")


@login_required
@require_http_methods(["GET", "POST"])
def run_list(request: AuthedRequest) -> HttpResponse:
    _require(request, Permission.VIEW_POPULATION)
    if request.method == "POST":
        _require(request, Permission.RUN_STRATIFICATION)
        organization = request.user.organization
        if organization is None:
            raise PermissionDenied("You do not belong to an organization.")
        run = services.stratify_organization(actor=request.user, organization=organization)
        messages.success(
            request, f"Stratified {run.population_size} patients in {run.duration_seconds:.1f} s."
        )
        return redirect("population:run", run_id=run.pk)
    page = Paginator(selectors.runs_for(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "population/runs.html",
        {"page": page, "can_run": request.user.has_perm_enum(Permission.RUN_STRATIFICATION)},
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def run_detail(request: AuthedRequest, run_id: int) -> HttpResponse:
    _require(request, Permission.VIEW_POPULATION)
    run = selectors.run_get_for(request.user, run_id)
    tier, flag = _int(request.GET.get("tier")), request.GET.get("flag", "").strip()
    scores = selectors.score_list_for(request.user, run, tier=tier, flag=flag or None)
    page = Paginator(scores, PAGE_SIZE).get_page(request.GET.get("page"))
    distribution = selectors.tier_distribution(run)
    total = sum(d["count"] for d in distribution) or 1
    for row in distribution:
        row["percent"] = round(100 * row["count"] / total, 1)
    context = {"run": run, "page": page, "distribution": distribution, "tier": tier, "flag": flag}
    template = "population/_score_table.html" if request.headers.get("HX-Request") else "population/run.html"
    return render(request, template, context)


@login_required
def patient_history(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient, scores = selectors.score_history_for(request.user, patient_id)
    history = [{"score": s, "sections": reason_sections(s.reasons)} for s in scores]
    return render(request, "population/patient_history.html", {"patient": patient, "history": history})
