from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from carenav.core.http import ApiRequest
from carenav.population import selectors
from carenav.population.schemas import PatientRiskOut, RiskRunDetailOut, RiskRunOut

router = Router(tags=["population"])


@router.get("/patients/{patient_id}/risk", response=PatientRiskOut, summary="A patient's current risk scores")
def patient_risk(request: ApiRequest, patient_id: int) -> dict[str, object]:
    """Scores and their reasons from the organization's latest completed run (`score` is null when unscored)."""
    score = selectors.current_score_for(request.auth, patient_id)
    return {"patient_id": patient_id, "run": score.run if score else None, "score": score}


@router.get("/risk-runs", response=list[RiskRunOut], summary="Risk stratification runs of your organization")
@paginate(PageNumberPagination, page_size=50)
def list_runs(request: ApiRequest):  # type: ignore[no-untyped-def]
    return selectors.runs_for(request.auth)


@router.get("/risk-runs/{run_id}", response=RiskRunDetailOut, summary="A run and its distribution of tiers")
def get_run(request: ApiRequest, run_id: int) -> dict[str, object]:
    run = selectors.run_get_for(request.auth, run_id)
    fields = {name: getattr(run, name) for name in RiskRunOut.model_fields}
    return {**fields, "tiers": selectors.tier_distribution(run)}
