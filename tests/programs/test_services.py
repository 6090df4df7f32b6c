"""Candidate refresh, outreach, outcomes, enrollment with consent, disenrollment and assignment."""

import datetime as dt

import pytest

from carenav.accounts.permissions import Role
from carenav.audit.models import AuditEvent
from carenav.core import clock
from carenav.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from carenav.programs import services
from carenav.programs.definitions import get_program
from carenav.programs.models import Candidate, Enrollment, OutreachAttempt
from tests.factories import at, make_patient, make_user
from tests.programs.conftest import CCM_FACTS, add_score, make_run, offer

pytestmark = pytest.mark.django_db


def _refresh(supervisor, org, run=None):  # type: ignore[no-untyped-def]
    return services.candidates_refresh(actor=supervisor, organization=org, run=run)


def test_refresh_builds_the_queue_with_reasons(org, supervisor, patient) -> None:
    offer(org, "CCM", "PCM", "BHI")
    run = make_run(org)
    add_score(run, patient, **CCM_FACTS)
    dead = make_patient(org, deceased_at=at("2026-10-01"))
    add_score(run, dead, **CCM_FACTS)
    summary = _refresh(supervisor, org)
    assert summary.created == 2 and summary.by_program == {"CCM": 1, "PCM": 1, "BHI": 0}
    ccm = Candidate.objects.get(patient=patient, program_code="CCM")
    assert ccm.status == "open" and ccm.tier == 2 and ccm.priority == 55.0 and ccm.run == run
    assert ccm.reasons == ["2 chronic conditions lasting 12+ months: heart failure, diabetes mellitus"]
    assert ccm.risk_reasons == ["Charlson (Quan 2011): 3 → +3", "ED visits in 12 months: 2 → +2"]
    assert not Candidate.objects.filter(patient=dead).exists()
    assert AuditEvent.objects.filter(action="candidates.refresh", object_id=str(run.pk)).count() == 1


def test_refresh_is_idempotent(org, supervisor, patient, programs_on) -> None:
    run = make_run(org)
    add_score(run, patient, **{**CCM_FACTS, "tier": 1, "flags": ["behavioral", *CCM_FACTS["flags"]]})
    add_score(run, make_patient(org), age=80, flags=["frailty:adl-dependency"])
    first = _refresh(supervisor, org)
    assert first.by_program == {"CCM": 1, "PCM": 1, "CCM_COMPLEX": 1, "TCM": 0, "BHI": 1, "LTSS": 1}
    rows = list(Candidate.objects.values_list("pk", "program_code", "status", "updated_at").order_by("pk"))
    second = _refresh(supervisor, org)
    assert second.created == 0 and second.updated == 0 and second.unchanged == 5
    assert (
        list(Candidate.objects.values_list("pk", "program_code", "status", "updated_at").order_by("pk"))
        == rows
    )


def test_refresh_updates_closes_and_reopens_with_cause(org, supervisor, patient) -> None:
    offer(org, "CCM")
    run1 = make_run(org, days_ago=2)
    add_score(run1, patient, **CCM_FACTS)
    _refresh(supervisor, org)
    run2 = make_run(org, days_ago=1)
    add_score(run2, patient, **{**CCM_FACTS, "priority": 70.0})
    assert _refresh(supervisor, org).updated == 1
    candidate = Candidate.objects.get()
    assert candidate.priority == 70.0 and candidate.run == run2

    run3 = make_run(org)
    add_score(run3, patient, **{**CCM_FACTS, "chronic_categories": ["heart_failure"]})
    assert _refresh(supervisor, org).closed_no_longer_eligible == 1
    candidate.refresh_from_db()
    assert candidate.status == "not_eligible" and candidate.closed_by is None
    assert "1 chronic condition" in candidate.status_note

    run4 = make_run(org)
    add_score(run4, patient, **CCM_FACTS)
    assert _refresh(supervisor, org).reopened == 1
    reopened = Candidate.objects.get(status="open")
    assert (
        reopened.reopened_from == candidate
        and reopened.reopen_cause == f"eligible again in risk run #{run4.pk}"
    )
    assert Candidate.objects.count() == 2


def test_a_deceased_patients_open_candidates_are_closed(org, supervisor, patient) -> None:
    offer(org, "CCM")
    add_score(make_run(org), patient, **CCM_FACTS)
    _refresh(supervisor, org)
    patient.deceased_at = at("2026-11-23")
    patient.save()
    assert _refresh(supervisor, org).closed_deceased == 1
    candidate = Candidate.objects.get()
    assert (candidate.status, candidate.status_reason) == ("not_eligible", "patient deceased")
    assert _refresh(supervisor, org).closed_deceased == 0


def test_closed_candidates_stay_closed_without_cause(org, supervisor, care_manager, patient) -> None:
    offer(org, "CCM")
    run = make_run(org)
    add_score(run, patient, **CCM_FACTS)
    _refresh(supervisor, org)
    candidate = Candidate.objects.get()
    services.candidate_record_outcome(
        actor=care_manager, candidate=candidate, outcome="declined", reason="cost_sharing"
    )
    summary = _refresh(supervisor, org)
    assert summary.created == 0 and summary.kept_closed == 1
    with clock.pinned(at("2027-05-24")):  # 181 days later: the program's reopen_after_days for declined
        later = make_run(org)
        add_score(later, patient, **CCM_FACTS)
        summary = _refresh(supervisor, org)
    assert summary.reopened == 1
    assert Candidate.objects.get(status="open").reopen_cause == "declined 181 days ago"


def test_a_more_acute_tier_is_cause_to_reopen(org, supervisor, care_manager, patient) -> None:
    offer(org, "CCM")
    run = make_run(org)
    add_score(run, patient, **CCM_FACTS)
    _refresh(supervisor, org)
    services.candidate_record_outcome(
        actor=care_manager,
        candidate=Candidate.objects.get(),
        outcome="not_eligible",
        reason="conditions resolved",
    )
    worse = make_run(org)
    add_score(worse, patient, **{**CCM_FACTS, "tier": 1})
    assert _refresh(supervisor, org).reopened == 1
    assert Candidate.objects.get(status="open").reopen_cause == "risk tier rose from 2 to 1"


def test_refresh_skips_patients_already_enrolled(org, supervisor, care_manager, patient) -> None:
    offer(org, "CCM", "PCM")
    services.enroll(
        actor=care_manager,
        patient=patient,
        program_code="CCM",
        consent_method="verbal",
        consent_date=clock.today(),
    )
    run = make_run(org)
    add_score(run, patient, **CCM_FACTS)
    summary = _refresh(supervisor, org)
    assert summary.skipped_enrolled == 1
    assert list(Candidate.objects.values_list("program_code", flat=True)) == ["PCM"]


def test_deferred_candidates_return_when_the_date_passes(org, supervisor, care_manager, patient) -> None:
    offer(org, "CCM")
    run = make_run(org)
    add_score(run, patient, **CCM_FACTS)
    _refresh(supervisor, org)
    candidate = Candidate.objects.get()
    with pytest.raises(DomainError) as missing:
        services.candidate_record_outcome(actor=care_manager, candidate=candidate, outcome="deferred")
    assert missing.value.field == "deferred_until"
    with pytest.raises(DomainError) as past:
        services.candidate_record_outcome(
            actor=care_manager, candidate=candidate, outcome="deferred", deferred_until=clock.today()
        )
    assert past.value.field == "deferred_until"
    services.candidate_record_outcome(
        actor=care_manager, candidate=candidate, outcome="deferred", deferred_until=dt.date(2026, 12, 1)
    )
    _refresh(supervisor, org)
    assert Candidate.objects.get().status == "deferred"
    with clock.pinned(at("2026-12-01")):
        _refresh(supervisor, org)
    candidate.refresh_from_db()
    assert candidate.status == "open" and candidate.deferred_until is None


def _candidate(org, supervisor, patient, code="CCM"):  # type: ignore[no-untyped-def]
    offer(org, code)
    run = make_run(org)
    add_score(run, patient, **{**CCM_FACTS, "tier": 1, "flags": ["behavioral", *CCM_FACTS["flags"]]})
    _refresh(supervisor, org)
    return Candidate.objects.get(program_code=code)


def test_unable_to_reach_after_the_programs_n_attempts(org, supervisor, care_manager, patient) -> None:
    candidate = _candidate(org, supervisor, patient)
    assert get_program("CCM").max_attempts == 3
    record = services.outreach_attempt_record
    record(actor=care_manager, candidate=candidate, channel="phone", result="no_answer")
    record(
        actor=care_manager, candidate=candidate, channel="phone", result="reached", note="call back Friday"
    )
    record(actor=care_manager, candidate=candidate, channel="text", result="left_message")
    candidate.refresh_from_db()
    assert candidate.status == "open" and candidate.attempts == 2
    record(actor=care_manager, candidate=candidate, channel="letter", result="returned_mail")
    candidate.refresh_from_db()
    assert candidate.status == "unable_to_reach" and candidate.attempts == 3
    assert candidate.status_reason == "3 unsuccessful attempts" and candidate.closed_by == care_manager
    assert OutreachAttempt.objects.filter(candidate=candidate).count() == 4
    with pytest.raises(Conflict):
        record(actor=care_manager, candidate=candidate, channel="phone", result="no_answer")


def test_tcm_gives_up_after_two_attempts(org, supervisor, care_manager, patient) -> None:
    offer(org, "TCM")
    run = make_run(org)
    add_score(run, patient, days_since_discharge=1)
    _refresh(supervisor, org)
    candidate = Candidate.objects.get(program_code="TCM")
    for _ in range(2):
        services.outreach_attempt_record(
            actor=care_manager, candidate=candidate, channel="phone", result="no_answer"
        )
    candidate.refresh_from_db()
    assert candidate.status == "unable_to_reach"


def test_outcome_input_is_checked_and_names_the_field(
    org, supervisor, care_manager, auditor, patient
) -> None:
    candidate = _candidate(org, supervisor, patient)
    cases = [
        ({"outcome": "declined"}, "reason"),
        ({"outcome": "declined", "reason": "because"}, "reason"),
        ({"outcome": "not_eligible"}, "reason"),
        ({"outcome": "enrolled"}, "outcome"),
        ({"outcome": "vanished"}, "outcome"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as error:
            services.candidate_record_outcome(actor=care_manager, candidate=candidate, **kwargs)
        assert error.value.field == field, kwargs
    with pytest.raises(DomainError) as bad_channel:
        services.outreach_attempt_record(
            actor=care_manager, candidate=candidate, channel="pigeon", result="reached"
        )
    assert bad_channel.value.field == "channel"
    with pytest.raises(PermissionDenied):
        services.candidate_record_outcome(
            actor=auditor, candidate=candidate, outcome="declined", reason="other"
        )
    services.candidate_record_outcome(
        actor=care_manager,
        candidate=candidate,
        outcome="not_eligible",
        reason="Already in hospice",
        note="per PCP",
    )
    candidate.refresh_from_db()
    assert (candidate.status, candidate.status_reason, candidate.status_note) == (
        "not_eligible",
        "Already in hospice",
        "per PCP",
    )


def test_enroll_requires_consent_where_the_program_says_so(org, supervisor, care_manager, patient) -> None:
    candidate = _candidate(org, supervisor, patient)
    with pytest.raises(DomainError) as no_consent:
        services.enroll(actor=care_manager, patient=patient, program_code="CCM")
    assert no_consent.value.field == "consent_method" and "CCM requires" in no_consent.value.message
    with pytest.raises(DomainError) as no_date:
        services.enroll(actor=care_manager, patient=patient, program_code="CCM", consent_method="verbal")
    assert no_date.value.field == "consent_date"
    with pytest.raises(DomainError) as future:
        services.enroll(
            actor=care_manager,
            patient=patient,
            program_code="CCM",
            consent_method="written",
            consent_date=dt.date(2026, 11, 25),
        )
    assert future.value.field == "consent_date"
    with pytest.raises(DomainError) as early:
        services.enroll(
            actor=care_manager,
            patient=patient,
            program_code="CCM",
            consent_method="written",
            consent_date=dt.date(2026, 11, 20),
            start_date=dt.date(2026, 11, 19),
        )
    assert early.value.field == "start_date"
    with pytest.raises(DomainError) as version:
        services.enroll(
            actor=care_manager,
            patient=patient,
            program_code="CCM",
            consent_method="verbal",
            consent_date=clock.today(),
            consent_text_version="CCM-1999.1",
        )
    assert version.value.field == "consent_text_version"
    assert not Enrollment.objects.exists()

    enrollment = services.enroll(
        actor=care_manager,
        patient=patient,
        program_code="CCM",
        consent_method="verbal",
        consent_date=dt.date(2026, 11, 23),
        care_manager=care_manager,
    )
    assert enrollment.consent_text_version == "CCM-2026.11" and enrollment.program_version == "2026.11"
    assert enrollment.consent_obtained_by == care_manager and enrollment.start_date == dt.date(2026, 11, 24)
    assert enrollment.candidate == candidate
    candidate.refresh_from_db()
    assert candidate.status == "enrolled"
    patient.refresh_from_db()
    assert patient.care_manager == care_manager
    with pytest.raises(Conflict):
        services.enroll(
            actor=care_manager,
            patient=patient,
            program_code="CCM",
            consent_method="verbal",
            consent_date=clock.today(),
        )


def test_tcm_needs_no_consent_and_programs_must_be_offered(org, care_manager, patient) -> None:
    offer(org, "TCM")
    enrollment = services.enroll(actor=care_manager, patient=patient, program_code="TCM")
    assert enrollment.consent_method == "" and enrollment.consent_date is None
    with pytest.raises(DomainError) as not_offered:
        services.enroll(
            actor=care_manager,
            patient=patient,
            program_code="CCM",
            consent_method="verbal",
            consent_date=clock.today(),
        )
    assert not_offered.value.field == "program"


def test_several_programs_disenroll_and_history(org, care_manager, lcsw, patient) -> None:
    offer(org, "CCM", "BHI")
    ccm = services.enroll(
        actor=care_manager,
        patient=patient,
        program_code="CCM",
        consent_method="verbal",
        consent_date=clock.today(),
    )
    with pytest.raises(DomainError) as wrong_discipline:
        services.enroll(
            actor=care_manager,
            patient=patient,
            program_code="BHI",
            consent_method="written",
            consent_date=clock.today(),
            care_manager=care_manager,
        )
    assert wrong_discipline.value.field == "care_manager" and "LCSW or BH" in wrong_discipline.value.message
    services.enroll(
        actor=care_manager,
        patient=patient,
        program_code="BHI",
        consent_method="written",
        consent_date=clock.today(),
        care_manager=lcsw,
    )
    with pytest.raises(DomainError) as no_reason:
        services.enrollment_disenroll(actor=care_manager, enrollment=ccm, reason="")
    assert no_reason.value.field == "reason"
    services.enrollment_disenroll(
        actor=care_manager, enrollment=ccm, reason="patient_request", note="feels well"
    )
    ccm.refresh_from_db()
    assert ccm.status == "disenrolled" and ccm.end_date == dt.date(2026, 11, 30)  # CMS: end of the month
    assert ccm.disenrolled_by == care_manager and ccm.disenroll_note == "feels well"
    with pytest.raises(Conflict):
        services.enrollment_disenroll(actor=care_manager, enrollment=ccm, reason="other")
    with clock.pinned(at("2026-12-05")):
        services.enroll(
            actor=care_manager,
            patient=patient,
            program_code="CCM",
            consent_method="verbal",
            consent_date=clock.today(),
        )
    history = list(Enrollment.objects.filter(patient=patient).values_list("program_code", "status"))
    assert sorted(history) == [("BHI", "active"), ("CCM", "active"), ("CCM", "disenrolled")]
    patient.refresh_from_db()
    assert patient.care_manager == lcsw  # the first assigned care manager stays the designated one


def test_disenroll_for_other_reasons_ends_today(org, care_manager, patient) -> None:
    offer(org, "CCM")
    ccm = services.enroll(
        actor=care_manager,
        patient=patient,
        program_code="CCM",
        consent_method="verbal",
        consent_date=clock.today(),
    )
    services.enrollment_disenroll(actor=care_manager, enrollment=ccm, reason="hospice")
    assert Enrollment.objects.get().end_date == dt.date(2026, 11, 24)


def test_another_organizations_patient_is_not_found(org, other_care_manager, patient) -> None:
    offer(org, "TCM")
    with pytest.raises(NotFound):
        services.enroll(actor=other_care_manager, patient=patient, program_code="TCM")


def test_assign_care_manager_needs_permission_and_sets_the_designated_member(
    org, care_manager, supervisor, lcsw, patient
) -> None:
    offer(org, "BHI")
    enrollment = services.enroll(
        actor=care_manager,
        patient=patient,
        program_code="BHI",
        consent_method="verbal",
        consent_date=clock.today(),
    )
    with pytest.raises(PermissionDenied):
        services.enrollment_assign_care_manager(actor=care_manager, enrollment=enrollment, care_manager=lcsw)
    with pytest.raises(DomainError) as rn:
        services.enrollment_assign_care_manager(
            actor=supervisor, enrollment=enrollment, care_manager=care_manager
        )
    assert rn.value.field == "care_manager"
    services.enrollment_assign_care_manager(actor=supervisor, enrollment=enrollment, care_manager=lcsw)
    patient.refresh_from_db()
    assert patient.care_manager == lcsw
    assert AuditEvent.objects.filter(action="enrollment.assign", patient_id=patient.pk).exists()


def test_candidate_assignment(org, supervisor, care_manager, other_care_manager, patient) -> None:
    candidate = _candidate(org, supervisor, patient)
    services.candidate_assign(actor=care_manager, candidate=candidate, assignee=care_manager)
    assert Candidate.objects.get(pk=candidate.pk).assigned_to == care_manager
    with pytest.raises(PermissionDenied):
        services.candidate_assign(actor=care_manager, candidate=candidate, assignee=supervisor)
    with pytest.raises(DomainError) as foreign:
        services.candidate_assign(actor=supervisor, candidate=candidate, assignee=other_care_manager)
    assert foreign.value.field == "assigned_to"


def test_suggestion_balances_weighted_load_language_and_discipline(
    org, supervisor, care_manager, lcsw
) -> None:
    offer(org, "CCM", "BHI")
    busy = care_manager  # RN, English only
    light = make_user(org, Role.CARE_MANAGER, "ivy", discipline="RN", languages=["en"])
    run = make_run(org)
    for tier in (1, 1, 2):
        p = make_patient(org)
        add_score(run, p, tier=tier)
        services.enroll(
            actor=supervisor,
            patient=p,
            program_code="CCM",
            consent_method="verbal",
            consent_date=clock.today(),
            care_manager=busy,
        )
    english = make_patient(org, preferred_language="en")
    ranked = services.suggest_care_manager(org, english, get_program("CCM"))
    assert [s.user for s in ranked[:2]] == [light, lcsw] and ranked[-1].user == busy
    assert ranked[-1].weighted_load == 8 and ranked[-1].patients == 3
    assert ranked[-1].reasons[0] == "weighted caseload 8 (2 tier 1, 1 tier 2)"
    spanish = make_patient(org, preferred_language="es")
    assert services.suggest_care_manager(org, spanish, get_program("CCM"))[0].user == lcsw
    assert [s.user for s in services.suggest_care_manager(org, english, get_program("BHI"))] == [lcsw]
