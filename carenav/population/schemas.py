import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema


class RiskRunOut(Schema):
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    engine: str
    config_version: str
    valueset_versions: dict[str, str]
    as_of: dt.date
    population_size: int
    duration_seconds: float | None
    status: str
    error: str


class TierCount(Schema):
    tier: int
    count: int


class RiskRunDetailOut(RiskRunOut):
    tiers: list[TierCount]


class ReasonOut(Schema):
    score: str
    points: float | None
    text: str
    evidence: dict[str, Any]


class RiskScoreOut(Schema):
    run_id: int
    patient_id: int
    tier: int
    priority: float
    age: int | None
    chronic_categories: list[str]
    chronic_count: int
    charlson_1987: int
    charlson_quan2011: int
    charlson_age_adjusted: int
    ip_6m: int
    ip_12m: int
    ed_6m: int
    ed_12m: int
    days_since_discharge: int | None
    readmissions_30d: int
    lace: int | None
    hospital_score: int | None
    cost_12m: Decimal | None
    flags: list[str]
    reasons: list[ReasonOut]


class PatientRiskOut(Schema):
    patient_id: int
    run: RiskRunOut | None
    score: RiskScoreOut | None
