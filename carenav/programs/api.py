"""JSON API for programs, candidates, outreach, enrollment and caseloads (mounted at /api/programs)."""

from ninja import Query, Router, Status
from ninja.pagination import PageNumberPagination, paginate

from carenav.accounts.models import User
from carenav.accounts.permissions import Permission
from carenav.core.errors import DomainError, PermissionDenied
from carenav.core.http import ApiRequest
from carenav.patients.selectors import patient_get_for
from carenav.programs import risk, selectors, services
from carenav.programs.definitions import Program, get_program, load_programs
from carenav.programs.schemas import (
    AssignIn,
    AttemptIn,
    AttemptOut,
    CandidateFilterIn,
    CandidateOut,
    CareManagerIn,
    CaseloadPatientOut,
    CaseloadsOut,
    DisenrollIn,
    EnrollIn,
    EnrollmentOut,
    OutcomeIn,
    PatientProgramsOut,
    ProgramOut,
    RefreshIn,
    RefreshOut,
    SuggestionOut,
)

router = Router(tags=["programs"])


def _member(actor: User, user_id: int, field: str) -> User:
    """An active user of the actor's organization, or a 4xx naming the field."""
    org = selectors.organization_of(actor)
    user = User.objects.filter(pk=user_id, organization=org, is_active=True).first()
    if user is None:
        raise DomainError("No such active staff member in your organization.", field=field)
    return user


def _staff(actor: User, user_id: int | None, field: str) -> User | None:
    return None if user_id is None else _member(actor, user_id, field)


def _program(code: str, field: str = "program") -> Program:
    try:
        return get_program(code)
    except KeyError:
        raise DomainError(f"Unknown program {code!r}.", field=field) from None


@router.get("", response=list[ProgramOut], summary="Programs, and whether your organization runs them")
def list_programs(request: ApiRequest) -> list[dict[str, object]]:
    if not request.auth.has_perm_enum(Permission.VIEW_PATIENT):
        raise PermissionDenied("You do not have permission to see this.")
    offered = {p.code for p in selectors.offered_programs(selectors.organization_of(request.auth))}
    return [
        {**program.__dict__, "offered": program.code in offered, "consent": program.consent.__dict__}
        for program in load_programs().values()
    ]


@router.get("/candidates", response=list[CandidateOut], summary="The candidate queue, highest priority first")
@paginate(PageNumberPagination, page_size=50)
def list_candidates(request: ApiRequest, filters: Query[CandidateFilterIn]):  # type: ignore[no-untyped-def]
    return selectors.candidate_list_for(request.auth, selectors.CandidateFilters(**filters.dict()))


@router.post("/candidates/refresh", response=RefreshOut, summary="Rebuild the queue from a risk run")
def refresh_candidates(request: ApiRequest, payload: RefreshIn) -> object:
    run = None
    if payload.run_id is not None:
        run = risk.run_get(selectors.organization_of(request.auth).pk, payload.run_id)
        if run is None:
            raise DomainError("No such risk run in your organization.", field="run_id")
    return services.candidates_refresh(
        actor=request.auth, organization=selectors.organization_of(request.auth), run=run
    )


@router.get("/candidates/{candidate_id}", response=CandidateOut, summary="One candidate")
def get_candidate(request: ApiRequest, candidate_id: int) -> object:
    return selectors.candidate_get_for(request.auth, candidate_id)


@router.get("/candidates/{candidate_id}/attempts", response=list[AttemptOut], summary="Outreach attempts")
def list_attempts(request: ApiRequest, candidate_id: int):  # type: ignore[no-untyped-def]
    return list(selectors.outreach_attempts_for(request.auth, candidate_id))


@router.post(
    "/candidates/{candidate_id}/attempts", response={201: AttemptOut}, summary="Log an outreach attempt"
)
def record_attempt(request: ApiRequest, candidate_id: int, payload: AttemptIn) -> Status:
    candidate = selectors.candidate_get_for(request.auth, candidate_id)
    attempt = services.outreach_attempt_record(
        actor=request.auth,
        candidate=candidate,
        channel=payload.channel,
        result=payload.result,
        note=payload.note,
    )
    return Status(201, attempt)


@router.post(
    "/candidates/{candidate_id}/outcome",
    response=CandidateOut,
    summary="Record an outcome: declined, not_eligible, deferred, unable_to_reach (enroll via /enrollments)",
)
def record_outcome(request: ApiRequest, candidate_id: int, payload: OutcomeIn) -> object:
    candidate = selectors.candidate_get_for(request.auth, candidate_id)
    return services.candidate_record_outcome(actor=request.auth, candidate=candidate, **payload.dict())


@router.post("/candidates/{candidate_id}/assign", response=CandidateOut, summary="Assign the outreach person")
def assign_candidate(request: ApiRequest, candidate_id: int, payload: AssignIn) -> object:
    candidate = selectors.candidate_get_for(request.auth, candidate_id)
    assignee = _staff(request.auth, payload.user_id, "user_id")
    return services.candidate_assign(actor=request.auth, candidate=candidate, assignee=assignee)


@router.post("/enrollments", response={201: EnrollmentOut}, summary="Enroll a patient (with consent)")
def create_enrollment(request: ApiRequest, payload: EnrollIn) -> Status:
    patient = patient_get_for(request.auth, payload.patient_id, action="enrollment.create")
    candidate = None
    if payload.candidate_id is not None:
        candidate = selectors.candidate_get_for(request.auth, payload.candidate_id)
    enrollment = services.enroll(
        actor=request.auth,
        patient=patient,
        program_code=payload.program,
        consent_method=payload.consent_method,
        consent_date=payload.consent_date,
        consent_obtained_by=_staff(request.auth, payload.consent_obtained_by_id, "consent_obtained_by_id"),
        consent_text_version=payload.consent_text_version,
        start_date=payload.start_date,
        care_manager=_staff(request.auth, payload.care_manager_id, "care_manager_id"),
        candidate=candidate,
    )
    return Status(201, enrollment)


@router.get("/enrollments/{enrollment_id}", response=EnrollmentOut, summary="One enrollment")
def get_enrollment(request: ApiRequest, enrollment_id: int) -> object:
    return selectors.enrollment_get_for(request.auth, enrollment_id)


@router.post("/enrollments/{enrollment_id}/disenroll", response=EnrollmentOut, summary="Disenroll")
def disenroll(request: ApiRequest, enrollment_id: int, payload: DisenrollIn) -> object:
    enrollment = selectors.enrollment_get_for(request.auth, enrollment_id)
    return services.enrollment_disenroll(actor=request.auth, enrollment=enrollment, **payload.dict())


@router.post(
    "/enrollments/{enrollment_id}/care-manager", response=EnrollmentOut, summary="Assign the care manager"
)
def assign_care_manager(request: ApiRequest, enrollment_id: int, payload: CareManagerIn) -> object:
    enrollment = selectors.enrollment_get_for(request.auth, enrollment_id)
    care_manager = _member(request.auth, payload.care_manager_id, "care_manager_id")
    return services.enrollment_assign_care_manager(
        actor=request.auth, enrollment=enrollment, care_manager=care_manager
    )


@router.get(
    "/enrollments/{enrollment_id}/suggestions",
    response=list[SuggestionOut],
    summary="Care managers ranked for this enrollment, with reasons",
)
def enrollment_suggestions(request: ApiRequest, enrollment_id: int) -> object:
    if not request.auth.has_perm_enum(Permission.ASSIGN_CASELOAD):
        raise PermissionDenied("You do not have permission to see this.")
    enrollment = selectors.enrollment_get_for(request.auth, enrollment_id)
    return services.suggest_care_manager(
        enrollment.organization_id, enrollment.patient, get_program(enrollment.program_code)
    )


@router.get(
    "/patients/{patient_id}",
    response=PatientProgramsOut,
    summary="A patient's eligibility per program (with reasons) and enrollment history",
)
def patient_programs(request: ApiRequest, patient_id: int) -> dict[str, object]:
    patient = patient_get_for(request.auth, patient_id, action="enrollment.list")
    standing = selectors.patient_programs_for(request.auth, patient)
    return {
        "patient_id": patient.pk,
        "tier": standing.tier,
        "eligibility": [
            {
                "program": s.program.code,
                "name": s.program.name,
                "eligible": s.decision.eligible if s.decision else None,
                "reasons": list(s.decision.reasons) if s.decision else [],
                "enrollment_id": s.active.pk if s.active else None,
                "candidate_id": s.candidate.pk if s.candidate else None,
            }
            for s in standing.standings
        ],
        "enrollments": standing.history,
    }


@router.get(
    "/patients/{patient_id}/suggestions",
    response=list[SuggestionOut],
    summary="Care managers ranked for a patient and program, with reasons",
)
def patient_suggestions(request: ApiRequest, patient_id: int, program: str) -> object:
    if not request.auth.has_perm_enum(Permission.ASSIGN_CASELOAD):
        raise PermissionDenied("You do not have permission to see this.")
    patient = patient_get_for(request.auth, patient_id, action="caseload.suggest")
    return services.suggest_care_manager(patient.organization_id, patient, _program(program))


@router.get("/caseload", response=list[CaseloadPatientOut], summary="Your enrolled patients")
def my_caseload(request: ApiRequest, care_manager_id: int | None = None) -> list[dict[str, object]]:
    target = _staff(request.auth, care_manager_id, "care_manager_id")
    return [
        {
            "patient": row.patient,
            "tier": row.tier,
            "weight": row.weight,
            "programs": [e.program_code for e in row.enrollments],
            "since": row.since,
        }
        for row in selectors.caseload_for(request.auth, target)
    ]


@router.get("/caseloads", response=CaseloadsOut, summary="Every care manager's acuity-weighted caseload")
def caseloads(request: ApiRequest) -> dict[str, object]:
    data = selectors.caseloads_for(request.auth)
    return {
        "staff": [
            {
                "care_manager": s.care_manager,
                "patients": s.patients,
                "weighted_load": s.weighted_load,
                "by_tier": {str(k) if k is not None else "unscored": v for k, v in s.by_tier.items()},
            }
            for s in data.staff
        ],
        "unassigned": data.unassigned,
    }
