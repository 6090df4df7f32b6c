"""API shapes. Validators check shape only; the rules are in services (DESIGN.md convention 6)."""

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Field, Schema


class Locked(Schema):
    lock_version: int = Field(..., description="The plan's lock_version you last read; a stale one gets 409.")


class PlanCreateIn(Schema):
    program_codes: list[str] = Field(
        default_factory=list, description='e.g. ["CCM","BHI"]; empty = general plan'
    )
    title: str = ""


class PlanUpdateIn(Locked):
    title: str | None = None
    program_codes: list[str] | None = None
    what_matters: str | None = None
    preferred_language: str | None = None
    contact_times: str | None = None
    contact_method: str | None = None
    cultural_preferences: str | None = None
    involved_people: str | None = None
    barriers: list[str] | None = None
    barriers_note: str | None = None


class ActivateIn(Locked):
    agreed_by: str = Field(..., description="patient | representative")
    method: str = Field(..., description="verbally | signed")
    representative_name: str = ""
    pcp_name: str = Field("", description="Primary care provider who also agreed (optional)")
    agreed_at: dt.datetime | None = None
    review_due: dt.date | None = Field(None, description="Default and latest: 12 months after activation")


class EndIn(Locked):
    reason: str = ""


class ProblemIn(Locked):
    display: str = ""
    system: str = ""
    code: str = ""
    category_key: str = ""
    sdoh_category: str = ""
    source: str = Field("manual", description="manual | condition | finding")
    condition_id: int | None = None
    finding_ref: str = ""
    note: str = ""


class ProblemUpdateIn(Locked):
    display: str
    note: str = ""


class MoveIn(Locked):
    kind: str = Field(..., description="problem | goal | intervention | member")
    key: UUID
    direction: str = Field(..., description="up | down")


class GoalIn(Locked):
    description: str
    target_kind: str = Field(..., description="value | range | direction | milestone")
    measure_system: str = Field("", description="Default http://loinc.org")
    measure_code: str = ""
    measure_display: str = ""
    unit: str = Field("", description="UCUM unit of baseline and target values; empty = the measure's unit")
    baseline_value: float | None = None
    baseline_date: dt.date | None = None
    target_comparator: str = ""
    target_value: float | None = None
    target_low: float | None = None
    target_high: float | None = None
    target_direction: str = ""
    target_change: float | None = None
    target_change_pct: float | None = None
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    priority: str = "medium"
    owner_role: str = "patient"
    owner_key: str = ""
    problem_keys: list[str] = Field(default_factory=list)
    template_ref: str = ""
    rationale: str = ""
    sdoh_category: str = ""
    with_template_steps: bool = True


class GoalStatusIn(Locked):
    status: str = Field(
        ..., description="in-progress | improving | worsening | achieved | not-achieved | '' (computed)"
    )
    reason: str = ""


class MeasurementIn(Schema):
    value: float
    unit: str = ""
    observed_on: dt.date | None = None
    note: str = ""


class MeasurementOut(Schema):
    on: dt.date
    value: float
    source: str
    note: str = ""


class InterventionIn(Locked):
    description: str
    performer_role: str = "care_manager"
    performer_key: str = ""
    frequency: str = "once"
    details: str = ""
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    goal_key: str = ""
    problem_key: str = ""


class TransitionIn(Locked):
    action: str = Field(..., description="schedule | start | hold | complete | cancel | reopen")
    note: str = ""


class MemberIn(Locked):
    role: str
    name: str = ""
    organization_name: str = ""
    phone: str = ""
    email: str = ""
    relationship: str = ""
    user_id: int | None = None
    is_primary_contact: bool = False
    note: str = ""


class PlanOut(Schema):
    """One version: the snapshot (problems, goals with computed status, interventions, team) plus
    what an editor needs (pk, lock_version, review state)."""

    pk: int
    id: str = Field(..., description="FHIR id of this version")
    series: str
    version: int
    status: str
    lock_version: int
    title: str
    program_codes: list[str]
    patient: dict[str, Any]
    created_at: str | None
    activated_at: str | None
    ended_at: str | None
    review_due: str | None
    review_overdue: bool
    replaces: str | None
    agreement: dict[str, Any] | None
    preferences: dict[str, Any]
    problems: list[dict[str, Any]]
    goals: list[dict[str, Any]]
    interventions: list[dict[str, Any]]
    care_team: list[dict[str, Any]]
    changed_key: str | None = None


class VersionOut(Schema):
    pk: int
    uid: UUID
    series: UUID
    version: int
    status: str
    title: str
    program_codes: list[str]
    created_at: dt.datetime
    activated_at: dt.datetime | None
    agreed_at: dt.datetime | None
    review_due: dt.date | None
    ended_at: dt.datetime | None
    end_reason: str


class ChangeOut(Schema):
    section: str
    kind: str
    subject: str
    field: str
    old: str
    new: str
    text: str


class SuggestionsOut(Schema):
    problems: list[dict[str, Any]]
    goals: list[dict[str, Any]]
