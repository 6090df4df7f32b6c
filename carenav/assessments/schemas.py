"""API shapes for instruments, assessments and findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class InstrumentOut(Schema):
    id: str
    url: str
    version: str
    title: str
    short_name: str
    domain: str
    languages: list[str]
    components: list[str]
    sdoh: bool
    source: str
    license: str


class AnswerErrorOut(Schema):
    linkId: str  # noqa: N815 - FHIR spelling
    code: str
    message: str


class AnswerErrorsOut(Schema):
    detail: str
    errors: list[AnswerErrorOut]


class ScoreOut(Schema):
    id: str
    label: str
    value: float | None
    value_code: str = ""
    value_display: str = ""
    max: float | None = None
    band_code: str = ""
    band_label: str = ""
    positive: bool | None = None
    code_system: str = ""
    code: str = ""
    text: str = Field(description="The score in plain words.")


class FlagOut(Schema):
    id: str
    severity: str
    label: str
    action: str


class ComponentOut(Schema):
    instrument_id: str
    instrument_version: str
    title: str
    scores: list[ScoreOut]
    positive_domains: list[str]
    flags: list[FlagOut]
    notes: list[str]


class FindingOut(Schema):
    id: int
    kind: str
    domain: str
    code_system: str
    code: str
    display: str
    severity: str
    detail: str
    status: str
    instrument_id: str
    response_id: int
    created_at: dt.datetime


class SafetyAlertOut(Schema):
    id: int
    flag_id: str
    label: str
    action: str
    status: str
    task_id: int | None
    assigned_to: str | None


class AssessmentSummaryOut(Schema):
    id: int
    patient_id: int
    instrument_id: str
    instrument_version: str
    language: str
    status: str
    scorer_version: str
    started_at: dt.datetime
    completed_at: dt.datetime | None
    summary: list[str] = Field(description="Each score in plain words.")


class AssessmentOut(AssessmentSummaryOut):
    component_versions: dict[str, str]
    author: str | None
    answers: dict[str, Any]
    components: list[ComponentOut]
    findings: list[FindingOut]
    safety_alerts: list[SafetyAlertOut]


class TrendPointOut(Schema):
    response_id: int
    effective_at: dt.datetime
    value: float
    band_label: str
    positive: bool | None


class TrendOut(Schema):
    instrument_id: str
    score_id: str
    label: str
    points: list[TrendPointOut]
