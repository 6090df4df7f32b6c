"""The one place programs reads risk stratification (carenav.population): runs, scores and tiers.

Eligibility works on plain facts (a dict of score fields), so this module is also where a score
row becomes facts, with the discharge setting of the latest discharge added for TCM.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import OuterRef, Subquery

from carenav.patients.models import Encounter
from carenav.population.models import RiskRun, RiskScore

FACT_FIELDS = (
    "tier",
    "priority",
    "age",
    "chronic_categories",
    "chronic_count",
    "charlson_quan2011",
    "charlson_age_adjusted",
    "ip_6m",
    "ip_12m",
    "ed_6m",
    "ed_12m",
    "days_since_discharge",
    "readmissions_30d",
    "lace",
    "hospital_score",
    "flags",
)
TOP_RISK_REASONS = 3
DISCHARGE_CLASSES = (Encounter.Class.INPATIENT, Encounter.Class.OBSERVATION)


def latest_run(organization_id: int) -> RiskRun | None:
    return (
        RiskRun.objects.filter(organization_id=organization_id, status=RiskRun.Status.COMPLETED)
        .order_by("-finished_at", "-id")
        .first()
    )


def run_get(organization_id: int, run_id: int) -> RiskRun | None:
    return RiskRun.objects.filter(pk=run_id, organization_id=organization_id).first()


def top_reasons(reasons: Iterable[dict[str, Any]]) -> list[str]:
    """The largest contributions to the priority ("priority" reasons), else the largest of any kind."""
    reasons = [r for r in reasons or () if r.get("text")]
    contributions = [r for r in reasons if r.get("score") == "priority"] or reasons
    ranked = sorted(contributions, key=lambda r: -(r.get("points") or 0))
    return [str(r["text"]) for r in ranked[:TOP_RISK_REASONS]]


def _dispositions(patient_ids: list[int]) -> dict[int, str]:
    """The discharge disposition of each patient's most recent discharge."""
    latest = (
        Encounter.objects.filter(
            patient_id=OuterRef("patient_id"), encounter_class__in=DISCHARGE_CLASSES, end__isnull=False
        )
        .order_by("-end")
        .values("discharge_disposition")[:1]
    )
    rows = (
        Encounter.objects.filter(patient_id__in=patient_ids, encounter_class__in=DISCHARGE_CLASSES)
        .values("patient_id")
        .distinct()
        .annotate(disposition=Subquery(latest))
    )
    return {row["patient_id"]: row["disposition"] or "" for row in rows}


def run_facts(run: RiskRun, *, batch: int = 2000) -> Iterator[tuple[int, dict[str, Any], list[str]]]:
    """(patient id, facts, top risk reasons) for every living patient scored by the run."""
    scores = (
        RiskScore.objects.filter(run=run, patient__deceased_at__isnull=True)
        .order_by("id")
        .values("patient_id", "reasons", *FACT_FIELDS)
    )
    chunk: list[dict[str, Any]] = []
    for row in scores.iterator(chunk_size=batch):
        chunk.append(row)
        if len(chunk) >= batch:
            yield from _with_dispositions(chunk)
            chunk = []
    if chunk:
        yield from _with_dispositions(chunk)


def _with_dispositions(rows: list[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any], list[str]]]:
    recent = [r["patient_id"] for r in rows if r["days_since_discharge"] is not None]
    dispositions = _dispositions(recent) if recent else {}
    for row in rows:
        facts = {name: row[name] for name in FACT_FIELDS}
        facts["discharge_disposition"] = dispositions.get(row["patient_id"], "")
        yield row["patient_id"], facts, top_reasons(row["reasons"])


def patient_facts(organization_id: int, patient_id: int) -> tuple[RiskScore | None, dict[str, Any]]:
    """The patient's score in the organization's latest run, and its facts ({} when unscored)."""
    run = latest_run(organization_id)
    score = RiskScore.objects.filter(run=run, patient_id=patient_id).first() if run else None
    if score is None:
        return None, {}
    facts = {name: getattr(score, name) for name in FACT_FIELDS}
    recent = score.days_since_discharge is not None
    facts["discharge_disposition"] = _dispositions([patient_id]).get(patient_id, "") if recent else ""
    return score, facts


def current_tiers(organization_id: int, patient_ids: Iterable[int]) -> dict[int, int]:
    """Patient id → tier in the organization's latest run (unscored patients are absent)."""
    run = latest_run(organization_id)
    if run is None:
        return {}
    return dict(
        RiskScore.objects.filter(run=run, patient_id__in=list(patient_ids)).values_list("patient_id", "tier")
    )
