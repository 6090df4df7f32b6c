"""Writes for programs: candidate refresh, outreach, outcomes, enrollment, caseload assignment.

Every service checks the actor's permission and organization, runs in a transaction, takes time
from carenav.core.clock and records an audit event. Status changes go through candidate_apply and
enrollment_apply, which read the transition tables in machines.py.
"""

import calendar
import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from carenav.accounts.models import Organization, User
from carenav.accounts.permissions import Permission
from carenav.audit.services import audit_record
from carenav.core import clock
from carenav.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from carenav.patients.models import Patient
from carenav.programs import risk
from carenav.programs.assignment import Suggestion, rank_staff
from carenav.programs.definitions import Program, caseload_weights, get_program, load_programs
from carenav.programs.eligibility import evaluate
from carenav.programs.machines import (
    ATTEMPT_CHANNELS,
    ATTEMPT_RESULTS,
    CANDIDATE_OUTCOME_REQUIRES,
    DECLINE_REASONS,
    DISENROLL_REASONS,
    ENROLLMENT_TRANSITION_REQUIRES,
    UNSUCCESSFUL_RESULTS,
    CandidateStatus,
    EnrollmentStatus,
    candidate_can,
    enrollment_can,
)
from carenav.programs.models import Candidate, Enrollment, OrganizationProgram, OutreachAttempt
from carenav.programs.selectors import offered_programs, staff_for_assignment

_FIELD_LABELS = {"reason": "A reason", "deferred_until": "A date to defer until"}


def _require(actor: User | None, *permissions: Permission) -> None:
    if actor is None or not any(actor.has_perm_enum(p) for p in permissions):
        raise PermissionDenied("You do not have permission to do this.")


def _same_org(actor: User, organization_id: int | None) -> None:
    """Another organization's rows do not exist for the actor (404, not 403)."""
    if organization_id != actor.organization_id:
        raise NotFound("Not found.")


def _offered(organization_id: int, program_code: str) -> Program:
    try:
        program = get_program(program_code)
    except KeyError:
        raise DomainError(f"Unknown program {program_code!r}.", field="program") from None
    if not OrganizationProgram.objects.filter(
        organization_id=organization_id, program_code=program.code, active=True
    ).exists():
        raise DomainError(f"Your organization does not run {program.name}.", field="program")
    return program


# --- Organization programs -------------------------------------------------------------------


@transaction.atomic
def organization_program_set(
    *, actor: User | None, organization: Organization, program_code: str, active: bool = True
) -> OrganizationProgram:
    """Turn a program on or off for the organization (`actor=None` is the CLI operator)."""
    if actor is not None:
        _require(actor, Permission.CONFIGURE)
        _same_org(actor, organization.pk)
    if program_code not in load_programs():
        raise DomainError(f"Unknown program {program_code!r}.", field="program")
    row, _ = OrganizationProgram.objects.update_or_create(
        organization=organization, program_code=program_code, defaults={"active": active}
    )
    audit_record(
        actor=actor,
        action="program.configure",
        object_type="organization_program",
        object_id=row.pk,
        detail={"program": program_code, "active": active},
    )
    return row


# --- Candidate refresh -----------------------------------------------------------------------


@dataclass
class RefreshSummary:
    run_id: int
    programs: list[str]
    created: int = 0
    reopened: int = 0
    updated: int = 0
    unchanged: int = 0
    closed_no_longer_eligible: int = 0
    closed_deceased: int = 0
    kept_closed: int = 0
    skipped_enrolled: int = 0
    by_program: dict[str, int] = field(default_factory=dict)


def _search_text(program_code: str, reasons: list[str], risk_reasons: list[str]) -> str:
    return " ".join([program_code, *reasons, *risk_reasons]).lower()


def _reopen_cause(
    closed: Candidate,
    program: Program,
    tier: int | None,
    today: dt.date,
    disenrolled_on: dt.date | None,
    run_id: int,
) -> str:
    """Why a closed candidate may come back to the queue; "" means it stays closed."""
    if closed.status == CandidateStatus.NOT_ELIGIBLE and closed.closed_by_id is None:
        return f"eligible again in risk run #{run_id}"
    if tier is not None and closed.tier is not None and tier < closed.tier:
        return f"risk tier rose from {closed.tier} to {tier}"
    if closed.status == CandidateStatus.ENROLLED:
        if disenrolled_on is None:
            return ""
        waited = (today - disenrolled_on).days
        if waited >= program.reopen_after_days["disenrolled"]:
            return f"disenrolled {disenrolled_on:%Y-%m-%d}, {waited} days ago"
        return ""
    closed_on = closed.closed_at.date() if closed.closed_at else today
    waited = (today - closed_on).days
    if waited >= program.reopen_after_days[closed.status]:
        return f"{closed.get_status_display().lower()} {waited} days ago"
    return ""


@transaction.atomic
def candidates_refresh(*, actor: User | None, organization: Organization, run: Any = None) -> RefreshSummary:
    """Build the candidate queue from a risk run (default: the latest); running it again changes nothing.

    Open and deferred candidates are refreshed in place (and closed when no longer eligible);
    closed ones come back only with cause (_reopen_cause), as a new row, so history is kept.
    Patients already enrolled in a program are skipped for it. `actor=None` is the CLI.
    """
    if actor is not None:
        _require(actor, Permission.RUN_STRATIFICATION, Permission.ASSIGN_CASELOAD)
        _same_org(actor, organization.pk)
    run = run or risk.latest_run(organization.pk)
    if run is None:
        raise DomainError("There is no completed risk run yet: run risk stratification first.", field="run")
    if run.organization_id != organization.pk:
        raise NotFound("No such risk run.")
    programs = offered_programs(organization)
    codes = [p.code for p in programs]
    summary = RefreshSummary(run_id=run.pk, programs=codes, by_program=dict.fromkeys(codes, 0))
    now, today = clock.now(), clock.today()

    latest: dict[tuple[int, str], Candidate] = {}
    for candidate in Candidate.objects.filter(organization=organization, program_code__in=codes).order_by(
        "id"
    ):
        latest[(candidate.patient_id, candidate.program_code)] = candidate
    deceased = set(
        Candidate.objects.filter(
            organization=organization, status__in=CandidateStatus.WORKING, patient__deceased_at__isnull=False
        ).values_list("patient_id", flat=True)
    )
    active = set(
        Enrollment.objects.filter(
            organization=organization, status=EnrollmentStatus.ACTIVE, program_code__in=codes
        ).values_list("patient_id", "program_code")
    )
    disenrolled: dict[tuple[int, str], dt.date] = {}
    for pid, code, end in Enrollment.objects.filter(
        organization=organization, status=EnrollmentStatus.DISENROLLED, program_code__in=codes
    ).values_list("patient_id", "program_code", "end_date"):
        key = (pid, code)
        if end is not None and (key not in disenrolled or end > disenrolled[key]):
            disenrolled[key] = end

    to_create: list[Candidate] = []
    to_update: list[Candidate] = []
    for patient_id, facts, risk_reasons in risk.run_facts(run):
        for program in programs:
            key = (patient_id, program.code)
            if key in active:
                summary.skipped_enrolled += 1
                continue
            decision = evaluate(program.eligibility, facts)
            reasons = list(decision.reasons)
            existing = latest.get(key)
            if existing is not None and existing.is_working:
                if decision.eligible:
                    before = (
                        existing.run_id,
                        existing.priority,
                        existing.tier,
                        existing.reasons,
                        existing.status,
                    )
                    existing.run_id = run.pk
                    existing.priority = float(facts["priority"] or 0)
                    existing.tier = facts["tier"]
                    existing.reasons = reasons
                    existing.risk_reasons = risk_reasons
                    existing.search_text = _search_text(program.code, reasons, risk_reasons)
                    until = existing.deferred_until
                    if existing.status == CandidateStatus.DEFERRED and until is not None and until <= today:
                        existing.status, existing.deferred_until = CandidateStatus.OPEN, None
                    after = (
                        existing.run_id,
                        existing.priority,
                        existing.tier,
                        existing.reasons,
                        existing.status,
                    )
                    if before == after:
                        summary.unchanged += 1
                        continue
                    summary.updated += 1
                else:
                    existing.status = CandidateStatus.NOT_ELIGIBLE
                    existing.status_reason = f"no longer eligible in risk run #{run.pk}"
                    existing.status_note = "; ".join(reasons)
                    existing.closed_at, existing.closed_by = now, None
                    summary.closed_no_longer_eligible += 1
                existing.updated_at = now
                to_update.append(existing)
                continue
            if not decision.eligible:
                continue
            cause = ""
            if existing is not None:
                cause = _reopen_cause(existing, program, facts["tier"], today, disenrolled.get(key), run.pk)
                if not cause:
                    summary.kept_closed += 1
                    continue
                summary.reopened += 1
            to_create.append(
                Candidate(
                    organization=organization,
                    patient_id=patient_id,
                    program_code=program.code,
                    run_id=run.pk,
                    priority=float(facts["priority"] or 0),
                    tier=facts["tier"],
                    reasons=reasons,
                    risk_reasons=risk_reasons,
                    search_text=_search_text(program.code, reasons, risk_reasons),
                    reopened_from=existing,
                    reopen_cause=cause,
                    created_at=now,
                    updated_at=now,
                )
            )
            summary.created += 1
            summary.by_program[program.code] += 1
    for candidate in latest.values():
        if candidate.is_working and candidate.patient_id in deceased:
            candidate.status, candidate.status_reason = CandidateStatus.NOT_ELIGIBLE, "patient deceased"
            candidate.closed_at, candidate.closed_by, candidate.updated_at = now, None, now
            to_update.append(candidate)
            summary.closed_deceased += 1
    Candidate.objects.bulk_update(
        to_update,
        [
            "run",
            "priority",
            "tier",
            "reasons",
            "risk_reasons",
            "search_text",
            "status",
            "status_reason",
            "status_note",
            "deferred_until",
            "closed_at",
            "closed_by",
            "updated_at",
        ],
        batch_size=500,
    )
    Candidate.objects.bulk_create(to_create, batch_size=500)
    audit_record(
        actor=actor,
        action="candidates.refresh",
        object_type="risk_run",
        object_id=run.pk,
        detail=asdict(summary),
    )
    return summary


# --- Outreach and outcomes -------------------------------------------------------------------


def _locked(candidate: Candidate) -> Candidate:
    return Candidate.objects.select_for_update().select_related("patient").get(pk=candidate.pk)


def candidate_apply(
    *,
    actor: User | None,
    candidate: Candidate,
    target: str,
    reason: str = "",
    note: str = "",
    deferred_until: dt.date | None = None,
) -> Candidate:
    """The one function that moves a candidate between states (machines.CANDIDATE_TRANSITIONS)."""
    if not candidate_can(candidate.status, target):
        raise Conflict(
            f"A candidate that is {candidate.get_status_display().lower()} cannot become {target}.",
            field="outcome",
        )
    given = {"reason": reason.strip(), "deferred_until": deferred_until}
    for name in CANDIDATE_OUTCOME_REQUIRES[target]:
        if not given[name]:
            raise DomainError(f"{_FIELD_LABELS[name]} is required for “{target}”.", field=name)
    if target == CandidateStatus.DECLINED and reason not in dict(DECLINE_REASONS):
        raise DomainError(
            f"Decline reason must be one of {', '.join(dict(DECLINE_REASONS))}.", field="reason"
        )
    today, now = clock.today(), clock.now()
    if target == CandidateStatus.DEFERRED and deferred_until is not None and deferred_until <= today:
        raise DomainError("Defer to a date after today.", field="deferred_until")
    previous = candidate.status
    candidate.status = target
    candidate.status_reason = reason.strip()[:200]
    candidate.status_note = note.strip()
    candidate.deferred_until = deferred_until if target == CandidateStatus.DEFERRED else None
    if target in CandidateStatus.CLOSED:
        candidate.closed_at, candidate.closed_by = now, actor
    candidate.updated_at = now
    candidate.save()
    audit_record(
        actor=actor,
        action=f"candidate.{target}",
        patient_id=candidate.patient_id,
        object_type="candidate",
        object_id=candidate.pk,
        detail={"program": candidate.program_code, "from": previous, "reason": candidate.status_reason},
    )
    return candidate


@transaction.atomic
def candidate_record_outcome(
    *,
    actor: User,
    candidate: Candidate,
    outcome: str,
    reason: str = "",
    note: str = "",
    deferred_until: dt.date | None = None,
) -> Candidate:
    """Declined (reason), not eligible on review (reason), deferred (until), unable to reach, reopened."""
    _require(actor, Permission.ENROLL)
    _same_org(actor, candidate.organization_id)
    if outcome not in dict(CandidateStatus.CHOICES):
        raise DomainError(f"Unknown outcome {outcome!r}.", field="outcome")
    if outcome == CandidateStatus.ENROLLED:
        raise DomainError("Enroll through the enrollment form: it records the consent.", field="outcome")
    return candidate_apply(
        actor=actor,
        candidate=_locked(candidate),
        target=outcome,
        reason=reason,
        note=note,
        deferred_until=deferred_until,
    )


@transaction.atomic
def outreach_attempt_record(
    *, actor: User, candidate: Candidate, channel: str, result: str, note: str = ""
) -> OutreachAttempt:
    """Log one outreach attempt; after the program's N unsuccessful ones the candidate is unable to reach."""
    _require(actor, Permission.ENROLL)
    _same_org(actor, candidate.organization_id)
    if channel not in dict(ATTEMPT_CHANNELS):
        raise DomainError(f"Channel must be one of {', '.join(dict(ATTEMPT_CHANNELS))}.", field="channel")
    if result not in dict(ATTEMPT_RESULTS):
        raise DomainError(f"Result must be one of {', '.join(dict(ATTEMPT_RESULTS))}.", field="result")
    candidate = _locked(candidate)
    if not candidate.is_working:
        raise Conflict(
            f"This candidate is already {candidate.get_status_display().lower()}.", field="candidate"
        )
    now = clock.now()
    attempt = OutreachAttempt.objects.create(
        candidate=candidate, at=now, by=actor, channel=channel, result=result, note=note.strip()
    )
    candidate.last_attempt_at = now
    if result in UNSUCCESSFUL_RESULTS:
        candidate.attempts += 1
    candidate.updated_at = now
    candidate.save(update_fields=["last_attempt_at", "attempts", "updated_at"])
    audit_record(
        actor=actor,
        action="candidate.outreach_attempt",
        patient_id=candidate.patient_id,
        object_type="outreach_attempt",
        object_id=attempt.pk,
        detail={"program": candidate.program_code, "channel": channel, "result": result},
    )
    max_attempts = get_program(candidate.program_code).max_attempts
    if result in UNSUCCESSFUL_RESULTS and candidate.attempts >= max_attempts:
        candidate_apply(
            actor=actor,
            candidate=candidate,
            target=CandidateStatus.UNABLE_TO_REACH,
            reason=f"{candidate.attempts} unsuccessful attempts",
        )
    return attempt


@transaction.atomic
def candidate_assign(*, actor: User, candidate: Candidate, assignee: User | None) -> Candidate:
    """Give a candidate to an outreach person (supervisors), or take it yourself."""
    if assignee is None or assignee.pk != actor.pk:
        _require(actor, Permission.ASSIGN_CASELOAD)
    else:
        _require(actor, Permission.ENROLL)
    _same_org(actor, candidate.organization_id)
    if assignee is not None and (
        assignee.organization_id != actor.organization_id or not assignee.has_perm_enum(Permission.ENROLL)
    ):
        raise DomainError("Assign to an active outreach person of your organization.", field="assigned_to")
    candidate = _locked(candidate)
    candidate.assigned_to = assignee
    candidate.updated_at = clock.now()
    candidate.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        actor=actor,
        action="candidate.assign",
        patient_id=candidate.patient_id,
        object_type="candidate",
        object_id=candidate.pk,
        detail={"assigned_to": assignee.pk if assignee else None},
    )
    return candidate


# --- Enrollment ------------------------------------------------------------------------------


def _check_care_manager(actor: User, care_manager: User, program: Program) -> None:
    if (
        care_manager.organization_id != actor.organization_id
        or not care_manager.is_active
        or not care_manager.has_perm_enum(Permission.ENROLL)
    ):
        raise DomainError("The care manager must be active staff of your organization.", field="care_manager")
    if program.discipline_required and care_manager.discipline not in program.disciplines:
        raise DomainError(
            f"{program.name} needs a care manager who is {' or '.join(program.disciplines)}"
            f" ({care_manager.display_name} is {care_manager.discipline or 'without a discipline'}).",
            field="care_manager",
        )


def _set_designated(patient: Patient, care_manager: User | None) -> None:
    """CCM continuity: the first assigned care manager becomes the patient's designated team member."""
    if care_manager is not None and patient.care_manager_id is None:
        patient.care_manager = care_manager
        patient.save(update_fields=["care_manager", "updated_at"])


@transaction.atomic
def enroll(
    *,
    actor: User,
    patient: Patient,
    program_code: str,
    consent_method: str = "",
    consent_date: dt.date | None = None,
    consent_obtained_by: User | None = None,
    consent_text_version: str = "",
    start_date: dt.date | None = None,
    care_manager: User | None = None,
    candidate: Candidate | None = None,
) -> Enrollment:
    """Enroll a patient in a program the organization runs, with consent where the program requires it."""
    _require(actor, Permission.ENROLL)
    _same_org(actor, patient.organization_id)
    program = _offered(patient.organization_id, program_code)
    today = clock.today()
    start_date = start_date or today
    consent = program.consent
    if consent.required and not consent_method:
        raise DomainError(
            f"{program.code} requires the patient's consent: record whether it was verbal or written.",
            field="consent_method",
        )
    if consent_method and consent_method not in consent.methods:
        raise DomainError(f"Consent must be one of {', '.join(consent.methods)}.", field="consent_method")
    if consent_method and consent_date is None:
        raise DomainError("Record the date the consent was obtained.", field="consent_date")
    if consent_date is not None and consent_date > today:
        raise DomainError("The consent date cannot be in the future.", field="consent_date")
    if consent_date is not None and start_date < consent_date:
        raise DomainError("The program cannot start before the consent was obtained.", field="start_date")
    if consent_text_version and consent_text_version != consent.text_version:
        raise DomainError(
            f"Unknown consent text version {consent_text_version!r}; the current one is {consent.text_version}.",
            field="consent_text_version",
        )
    if consent_method:
        consent_obtained_by = consent_obtained_by or actor
        if consent_obtained_by.organization_id != actor.organization_id:
            raise DomainError(
                "Consent must be obtained by staff of your organization.", field="consent_obtained_by"
            )
    else:
        consent_obtained_by, consent_date = None, None
    if care_manager is not None:
        _check_care_manager(actor, care_manager, program)
    if candidate is None:
        candidate = Candidate.objects.filter(
            patient=patient, program_code=program.code, status__in=CandidateStatus.WORKING
        ).first()
    elif candidate.patient_id != patient.pk or candidate.program_code != program.code:
        raise DomainError("The candidate is for another patient or program.", field="candidate")
    now = clock.now()
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                organization_id=patient.organization_id,
                patient=patient,
                program_code=program.code,
                program_version=program.version,
                start_date=start_date,
                care_manager=care_manager,
                consent_method=consent_method,
                consent_date=consent_date,
                consent_obtained_by=consent_obtained_by,
                consent_text_version=consent.text_version if consent_method else "",
                candidate=candidate,
                enrolled_by=actor,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise Conflict(
            f"{patient.display_name} is already enrolled in {program.name}.", field="program"
        ) from None
    if candidate is not None:
        candidate_apply(actor=actor, candidate=_locked(candidate), target=CandidateStatus.ENROLLED)
    _set_designated(patient, care_manager)
    audit_record(
        actor=actor,
        action="enrollment.create",
        patient_id=patient.pk,
        object_type="enrollment",
        object_id=enrollment.pk,
        detail={
            "program": program.label,
            "consent_method": consent_method,
            "consent_text_version": enrollment.consent_text_version,
            "care_manager": care_manager.pk if care_manager else None,
        },
    )
    return enrollment


def _default_end_date(program: Program, reason: str, today: dt.date) -> dt.date:
    """A patient who stops CCM/PCM/BHI stays enrolled to the end of the calendar month (CMS)."""
    if program.stop_effective == "end_of_month" and reason == "patient_request":
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return today


def enrollment_apply(
    *,
    actor: User,
    enrollment: Enrollment,
    target: str,
    reason: str = "",
    note: str = "",
    end_date: dt.date | None = None,
) -> Enrollment:
    """The one function that moves an enrollment between states (machines.ENROLLMENT_TRANSITIONS)."""
    if not enrollment_can(enrollment.status, target):
        raise Conflict(f"An enrollment that is {enrollment.status} cannot become {target}.", field="status")
    for name in ENROLLMENT_TRANSITION_REQUIRES.get(target, ()):
        if not {"reason": reason}[name]:
            raise DomainError("A reason is required.", field=name)
    if target == EnrollmentStatus.DISENROLLED:
        if reason not in dict(DISENROLL_REASONS):
            raise DomainError(
                f"Disenroll reason must be one of {', '.join(dict(DISENROLL_REASONS))}.", field="reason"
            )
        program = get_program(enrollment.program_code)
        end_date = end_date or _default_end_date(program, reason, clock.today())
        if end_date < enrollment.start_date:
            raise DomainError("The end date cannot be before the start date.", field="end_date")
        enrollment.end_date = end_date
        enrollment.disenroll_reason = reason
        enrollment.disenroll_note = note.strip()
        enrollment.disenrolled_by = actor
    previous = enrollment.status
    enrollment.status = target
    enrollment.updated_at = clock.now()
    enrollment.save()
    audit_record(
        actor=actor,
        action=f"enrollment.{target}",
        patient_id=enrollment.patient_id,
        object_type="enrollment",
        object_id=enrollment.pk,
        detail={"program": enrollment.program_code, "from": previous, "reason": reason},
    )
    return enrollment


@transaction.atomic
def enrollment_disenroll(
    *, actor: User, enrollment: Enrollment, reason: str, note: str = "", end_date: dt.date | None = None
) -> Enrollment:
    _require(actor, Permission.ENROLL)
    _same_org(actor, enrollment.organization_id)
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    return enrollment_apply(
        actor=actor,
        enrollment=locked,
        target=EnrollmentStatus.DISENROLLED,
        reason=reason,
        note=note,
        end_date=end_date,
    )


@transaction.atomic
def enrollment_assign_care_manager(*, actor: User, enrollment: Enrollment, care_manager: User) -> Enrollment:
    """Supervisors assign (or reassign) the care manager of an active enrollment."""
    _require(actor, Permission.ASSIGN_CASELOAD)
    _same_org(actor, enrollment.organization_id)
    enrollment = Enrollment.objects.select_for_update().select_related("patient").get(pk=enrollment.pk)
    if not enrollment.is_active:
        raise Conflict("Only an active enrollment can be assigned.", field="enrollment")
    _check_care_manager(actor, care_manager, get_program(enrollment.program_code))
    previous = enrollment.care_manager_id
    enrollment.care_manager = care_manager
    enrollment.updated_at = clock.now()
    enrollment.save(update_fields=["care_manager", "updated_at"])
    _set_designated(enrollment.patient, care_manager)
    audit_record(
        actor=actor,
        action="enrollment.assign",
        patient_id=enrollment.patient_id,
        object_type="enrollment",
        object_id=enrollment.pk,
        detail={"program": enrollment.program_code, "from": previous, "to": care_manager.pk},
    )
    return enrollment


# --- Assignment suggestion -------------------------------------------------------------------


def suggest_care_manager(
    organization: Organization | int, patient: Patient, program: Program
) -> list[Suggestion]:
    """Staff ranked for this patient and program, with the reasons (see assignment.rank_staff)."""
    org_id = organization if isinstance(organization, int) else organization.pk
    return rank_staff(staff_for_assignment(org_id), patient.preferred_language, program, caseload_weights())


def suggest_for_enrollments(
    organization_id: int, enrollments: list[Enrollment]
) -> dict[int, list[Suggestion]]:
    """Suggestions for many enrollments at once: the staff loads are read once, then ranked per patient."""
    staff, weights = staff_for_assignment(organization_id), caseload_weights()
    return {
        e.pk: rank_staff(staff, e.patient.preferred_language, get_program(e.program_code), weights)
        for e in enrollments
    }
