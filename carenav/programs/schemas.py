import datetime as dt

from ninja import Field, Schema


class ConsentOut(Schema):
    required: bool
    methods: list[str]
    text_version: str
    elements: list[str]
    script: str


class ProgramOut(Schema):
    code: str
    name: str
    version: str
    kind: str
    description: str
    offered: bool
    consent: ConsentOut
    disciplines: list[str]
    discipline_required: bool
    contact_every_days: int
    cadence: str
    max_attempts: int
    eligibility: dict[str, object]


class PatientRef(Schema):
    id: int
    display_name: str
    mrn: str
    birth_date: dt.date | None
    preferred_language: str


class UserRef(Schema):
    id: int
    username: str
    display_name: str
    discipline: str


class CandidateOut(Schema):
    id: int
    patient: PatientRef
    program_code: str
    run_id: int | None
    priority: float
    tier: int | None
    reasons: list[str]
    risk_reasons: list[str]
    status: str
    status_reason: str
    status_note: str
    deferred_until: dt.date | None
    assigned_to: UserRef | None
    attempts: int
    last_attempt_at: dt.datetime | None
    reopen_cause: str
    created_at: dt.datetime
    updated_at: dt.datetime


class CandidateFilterIn(Schema):
    program: str = ""
    tier: int | None = Field(None, ge=1, le=9)
    reason: str = ""
    assigned: str = Field("", description='"me", "none", or a user id')
    status: str = Field("open", description='a status, "working" (open or deferred), or "" for all')


class AttemptIn(Schema):
    channel: str = "phone"
    result: str
    note: str = ""


class AttemptOut(Schema):
    id: int
    at: dt.datetime
    by: UserRef
    channel: str
    result: str
    note: str


class OutcomeIn(Schema):
    outcome: str
    reason: str = ""
    note: str = ""
    deferred_until: dt.date | None = None


class AssignIn(Schema):
    user_id: int | None


class RefreshIn(Schema):
    run_id: int | None = None


class RefreshOut(Schema):
    run_id: int
    programs: list[str]
    created: int
    reopened: int
    updated: int
    unchanged: int
    closed_no_longer_eligible: int
    closed_deceased: int
    kept_closed: int
    skipped_enrolled: int
    by_program: dict[str, int]


class EnrollIn(Schema):
    patient_id: int
    program: str
    consent_method: str = Field("", description='"verbal" or "written"; required where the program says so')
    consent_date: dt.date | None = None
    consent_obtained_by_id: int | None = None
    consent_text_version: str = ""
    start_date: dt.date | None = None
    care_manager_id: int | None = None
    candidate_id: int | None = None


class EnrollmentOut(Schema):
    id: int
    patient_id: int
    program_code: str
    program_version: str
    status: str
    start_date: dt.date
    end_date: dt.date | None
    care_manager: UserRef | None
    consent_method: str
    consent_date: dt.date | None
    consent_obtained_by: UserRef | None
    consent_text_version: str
    candidate_id: int | None
    disenroll_reason: str
    disenroll_note: str
    created_at: dt.datetime


class DisenrollIn(Schema):
    reason: str
    note: str = ""
    end_date: dt.date | None = None


class CareManagerIn(Schema):
    care_manager_id: int


class EligibilityOut(Schema):
    program: str
    name: str
    eligible: bool | None
    reasons: list[str]
    enrollment_id: int | None
    candidate_id: int | None


class PatientProgramsOut(Schema):
    patient_id: int
    tier: int | None
    eligibility: list[EligibilityOut]
    enrollments: list[EnrollmentOut]


class CaseloadPatientOut(Schema):
    patient: PatientRef
    tier: int | None
    weight: float
    programs: list[str]
    since: dt.date


class CaseloadStaffOut(Schema):
    care_manager: UserRef
    patients: int
    weighted_load: float
    by_tier: dict[str, int]


class CaseloadsOut(Schema):
    staff: list[CaseloadStaffOut]
    unassigned: list[EnrollmentOut]


class SuggestionOut(Schema):
    user: UserRef
    score: float
    weighted_load: float
    patients: int
    reasons: list[str]
