"""Reads for programs, scoped to the acting user's organization (another organization's rows are 404)."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from carenav.accounts.models import Organization, User
from carenav.accounts.permissions import Permission
from carenav.audit.models import AuditEvent
from carenav.audit.services import audit_record
from carenav.core.errors import NotFound, PermissionDenied
from carenav.patients.models import Patient
from carenav.patients.selectors import patient_get_for
from carenav.programs import risk
from carenav.programs.assignment import StaffLoad, weighted_load
from carenav.programs.definitions import Program, caseload_weights, load_programs
from carenav.programs.eligibility import Decision, evaluate
from carenav.programs.machines import CandidateStatus, EnrollmentStatus
from carenav.programs.models import Candidate, Enrollment, OrganizationProgram, OutreachAttempt


def _require(user: User, permission: Permission) -> int:
    """The user's organization id, once the permission is checked (staff always have one)."""
    if not user.is_authenticated or not user.has_perm_enum(permission) or user.organization_id is None:
        raise PermissionDenied("You do not have permission to see this.")
    return user.organization_id


def organization_of(user: User) -> Organization:
    if user.organization is None:
        raise PermissionDenied("You are not staff of an organization.")
    return user.organization


def offered_programs(organization: Organization | int) -> list[Program]:
    """The programs the organization runs, in display order."""
    org_id = organization if isinstance(organization, int) else organization.pk
    codes = set(
        OrganizationProgram.objects.filter(organization_id=org_id, active=True).values_list(
            "program_code", flat=True
        )
    )
    return [program for code, program in load_programs().items() if code in codes]


@dataclass(frozen=True)
class CandidateFilters:
    program: str = ""
    tier: int | None = None
    reason: str = ""
    assigned: str = ""  # "" any, "me", "none", or a user id
    status: str = CandidateStatus.OPEN


def candidate_list_for(user: User, filters: CandidateFilters = CandidateFilters()) -> QuerySet[Candidate]:
    """The candidate queue: highest priority first, with the patient and outreach person joined."""
    org_id = _require(user, Permission.VIEW_POPULATION)
    queryset = Candidate.objects.filter(organization_id=org_id).select_related("patient", "assigned_to")
    if filters.status:
        statuses = CandidateStatus.WORKING if filters.status == "working" else (filters.status,)
        queryset = queryset.filter(status__in=statuses)
    if filters.program:
        queryset = queryset.filter(program_code=filters.program)
    if filters.tier is not None:
        queryset = queryset.filter(tier=filters.tier)
    if filters.reason.strip():
        queryset = queryset.filter(search_text__contains=filters.reason.strip().lower())
    if filters.assigned == "me":
        queryset = queryset.filter(assigned_to=user)
    elif filters.assigned == "none":
        queryset = queryset.filter(assigned_to__isnull=True)
    elif filters.assigned.isdigit():
        queryset = queryset.filter(assigned_to_id=int(filters.assigned))
    audit_record(
        actor=user,
        action="candidates.list",
        detail={k: v for k, v in filters.__dict__.items() if v not in ("", None)},
    )
    return queryset.order_by("-priority", "id")


def candidate_get_for(user: User, candidate_id: int) -> Candidate:
    org_id = _require(user, Permission.VIEW_POPULATION)
    candidate = (
        Candidate.objects.filter(pk=candidate_id, organization_id=org_id)
        .select_related("patient", "assigned_to", "run")
        .first()
    )
    if candidate is None:
        audit_record(
            actor=user,
            action="candidate.view",
            object_type="candidate",
            object_id=candidate_id,
            outcome=AuditEvent.Outcome.NOT_FOUND,
        )
        raise NotFound("No such candidate.")
    audit_record(
        actor=user,
        action="candidate.view",
        patient_id=candidate.patient_id,
        object_type="candidate",
        object_id=candidate.pk,
    )
    return candidate


def outreach_attempts_for(user: User, candidate_id: int) -> QuerySet[OutreachAttempt]:
    candidate = candidate_get_for(user, candidate_id)
    return candidate.outreach_attempts.select_related("by").order_by("-at", "-id")


def enrollment_get_for(user: User, enrollment_id: int) -> Enrollment:
    org_id = _require(user, Permission.VIEW_PATIENT)
    enrollment = (
        Enrollment.objects.filter(pk=enrollment_id, organization_id=org_id)
        .select_related("patient", "care_manager")
        .first()
    )
    if enrollment is None:
        raise NotFound("No such enrollment.")
    audit_record(
        actor=user,
        action="enrollment.view",
        patient_id=enrollment.patient_id,
        object_type="enrollment",
        object_id=enrollment.pk,
    )
    return enrollment


def patient_enrollments_for(user: User, patient_id: int) -> list[Enrollment]:
    """Every enrollment of the patient, current and past (404 outside the user's organization)."""
    patient = patient_get_for(user, patient_id, action="enrollment.list")
    return list(
        Enrollment.objects.filter(patient=patient)
        .select_related("care_manager", "consent_obtained_by", "enrolled_by")
        .order_by("-start_date", "-id")
    )


@dataclass
class ProgramStanding:
    program: Program
    decision: Decision | None
    active: Enrollment | None
    candidate: Candidate | None


@dataclass
class PatientPrograms:
    patient: Patient
    tier: int | None
    standings: list[ProgramStanding]
    history: list[Enrollment]


def patient_programs_for(user: User, patient: Patient) -> PatientPrograms:
    """For the chart: each offered program's eligibility with reasons, the active enrollment or the
    working candidate, and the full enrollment history. `patient` was already read in scope."""
    if patient.organization_id != user.organization_id:
        raise NotFound("No such patient.")
    score, facts = risk.patient_facts(patient.organization_id, patient.pk)
    history = list(
        Enrollment.objects.filter(patient=patient)
        .select_related("care_manager")
        .order_by("-start_date", "-id")
    )
    working = {
        c.program_code: c
        for c in Candidate.objects.filter(patient=patient, status__in=CandidateStatus.WORKING)
    }
    active = {e.program_code: e for e in history if e.is_active}
    standings = [
        ProgramStanding(
            program=program,
            decision=evaluate(program.eligibility, facts) if score is not None else None,
            active=active.get(program.code),
            candidate=working.get(program.code),
        )
        for program in offered_programs(patient.organization_id)
    ]
    return PatientPrograms(
        patient=patient, tier=score.tier if score is not None else None, standings=standings, history=history
    )


@dataclass
class CaseloadRow:
    patient: Patient
    tier: int | None
    weight: float
    enrollments: list[Enrollment]

    @property
    def since(self) -> dt.date:
        return min(e.start_date for e in self.enrollments)


def _caseload_rows(organization_id: int, enrollments: list[Enrollment]) -> list[CaseloadRow]:
    weights = caseload_weights()
    by_patient: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in enrollments:
        by_patient[enrollment.patient_id].append(enrollment)
    tiers = risk.current_tiers(organization_id, by_patient)
    rows = [
        CaseloadRow(
            patient=items[0].patient,
            tier=tiers.get(pid),
            weight=weights.weight(tiers.get(pid)),
            enrollments=items,
        )
        for pid, items in by_patient.items()
    ]
    rows.sort(key=lambda r: (r.tier if r.tier is not None else 99, r.patient.family_norm, r.patient.pk))
    return rows


def caseload_for(user: User, care_manager: User | None = None) -> list[CaseloadRow]:
    """A care manager's active enrolled patients (default: the user's own), most acute first."""
    org_id = _require(user, Permission.ENROLL)
    target = care_manager or user
    if target.pk != user.pk:
        _require(user, Permission.ASSIGN_CASELOAD)
        if target.organization_id != org_id:
            raise NotFound("No such care manager.")
    enrollments = list(
        Enrollment.objects.filter(
            organization_id=org_id, status=EnrollmentStatus.ACTIVE, care_manager=target
        ).select_related("patient")
    )
    audit_record(actor=user, action="caseload.view", detail={"care_manager": target.pk})
    return _caseload_rows(org_id, enrollments)


@dataclass
class CaseloadSummary:
    care_manager: User
    patients: int
    weighted_load: float
    by_tier: dict[int | None, int] = field(default_factory=dict)


@dataclass
class Caseloads:
    staff: list[CaseloadSummary]
    unassigned: list[Enrollment]
    unassigned_tiers: dict[int, int | None]
    tiers: list[int]


def _loads(organization_id: int) -> tuple[dict[int, list[int | None]], list[Enrollment], dict[int, int]]:
    """Care manager id → her distinct patients' tiers; the unassigned enrollments; patient tiers."""
    active = list(
        Enrollment.objects.filter(
            organization_id=organization_id, status=EnrollmentStatus.ACTIVE
        ).select_related("patient")
    )
    tiers = risk.current_tiers(organization_id, {e.patient_id for e in active})
    patients_of: dict[int, set[int]] = defaultdict(set)
    for enrollment in active:
        if enrollment.care_manager_id is not None:
            patients_of[enrollment.care_manager_id].add(enrollment.patient_id)
    loads = {cm: [tiers.get(pid) for pid in pids] for cm, pids in patients_of.items()}
    return loads, [e for e in active if e.care_manager_id is None], tiers


def _staff(organization_id: int, extra_ids: set[int]) -> list[User]:
    roles = caseload_weights().staff_roles
    return list(
        User.objects.filter(organization_id=organization_id, is_active=True)
        .filter(Q(role__in=roles) | Q(pk__in=extra_ids))
        .order_by("last_name", "first_name", "username")
    )


def caseloads_for(user: User) -> Caseloads:
    """Supervisor view: every care manager's patients by tier and acuity-weighted load, plus the
    active enrollments still without a care manager."""
    org_id = _require(user, Permission.ASSIGN_CASELOAD)
    weights = caseload_weights()
    loads, unassigned, tiers = _loads(org_id)
    staff = [
        CaseloadSummary(
            care_manager=person,
            patients=len(loads.get(person.pk, [])),
            weighted_load=weighted_load(loads.get(person.pk, []), weights),
            by_tier=dict(Counter(loads.get(person.pk, []))),
        )
        for person in _staff(org_id, set(loads))
    ]
    staff.sort(key=lambda s: (-s.weighted_load, s.care_manager.username))
    audit_record(actor=user, action="caseloads.view", detail={"unassigned": len(unassigned)})
    return Caseloads(
        staff=staff,
        unassigned=unassigned,
        unassigned_tiers={e.pk: tiers.get(e.patient_id) for e in unassigned},
        tiers=sorted(weights.tier_weights),
    )


def staff_for_assignment(organization_id: int) -> list[StaffLoad]:
    """Active care-management staff with their current acuity-weighted loads."""
    weights = caseload_weights()
    loads, _, _ = _loads(organization_id)
    return [
        StaffLoad(
            user=person,
            name=person.username,
            discipline=person.discipline,
            languages=tuple(person.languages or ()),
            load=weighted_load(loads.get(person.pk, []), weights),
            patients=len(loads.get(person.pk, [])),
            by_tier=dict(Counter(loads.get(person.pk, []))),
        )
        for person in _staff(organization_id, set())
        if person.has_perm_enum(Permission.ENROLL)
    ]


def candidate_counts_for(user: User) -> dict[str, int]:
    """Open candidates per program, for the queue's filter labels."""
    org_id = _require(user, Permission.VIEW_POPULATION)
    rows = (
        Candidate.objects.filter(organization_id=org_id, status=CandidateStatus.OPEN)
        .values("program_code")
        .annotate(n=Count("id"))
    )
    return {row["program_code"]: row["n"] for row in rows}


def assignable_staff_for(user: User) -> list[User]:
    """Who may be given outreach work or a caseload in the user's organization."""
    org_id = _require(user, Permission.VIEW_PATIENT)
    return [
        person
        for person in User.objects.filter(organization_id=org_id, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
        if person.has_perm_enum(Permission.ENROLL)
    ]
