"""Which programs an organization runs, who is a candidate for them, outreach, and enrollment.

Rows are never deleted: a closed candidate stays closed (a new row is opened when there is cause),
and a disenrollment ends an enrollment rather than removing it, so the history is the table.
Status changes go through services.candidate_apply / services.enrollment_apply (machines.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from carenav.accounts.models import Organization
from carenav.patients.models import Patient
from carenav.programs.definitions import program_codes
from carenav.programs.machines import (
    ATTEMPT_CHANNELS,
    ATTEMPT_RESULTS,
    CandidateStatus,
    EnrollmentStatus,
)


def _program_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in program_codes()]


class OrganizationProgram(models.Model):
    """A program the organization runs; only these produce candidates and accept enrollments."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="programs")
    program_code = models.CharField(max_length=20, choices=_program_choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "program_code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "program_code"], name="program_once_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.program_code} at {self.organization}"


class Candidate(models.Model):
    """A patient identified for a program by a risk run, and where outreach stands."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="candidates")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="program_candidates")
    program_code = models.CharField(max_length=20)
    run = models.ForeignKey(
        "population.RiskRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates"
    )
    priority = models.FloatField(default=0)
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    reasons = models.JSONField(default=list, help_text="Why the patient is eligible (list of texts).")
    risk_reasons = models.JSONField(default=list, blank=True, help_text="Top risk-score reasons (texts).")
    search_text = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=20, choices=CandidateStatus.CHOICES, default=CandidateStatus.OPEN)
    status_reason = models.CharField(max_length=200, blank=True)
    status_note = models.TextField(blank=True)
    deferred_until = models.DateField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach_candidates",
        help_text="The outreach person working this candidate.",
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Unsuccessful outreach attempts.")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    reopened_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)
    reopen_cause = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-priority", "id"]
        indexes = [
            models.Index(fields=["organization", "status", "-priority"], name="candidate_queue"),
            models.Index(fields=["patient", "program_code"], name="candidate_patient_program"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "program_code"],
                condition=Q(status__in=CandidateStatus.WORKING),
                name="one_working_candidate_per_program",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} → {self.program_code} ({self.status})"

    @property
    def is_working(self) -> bool:
        return self.status in CandidateStatus.WORKING


class OutreachAttempt(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="outreach_attempts")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=12, choices=ATTEMPT_CHANNELS)
    result = models.CharField(max_length=20, choices=ATTEMPT_RESULTS)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.at:%Y-%m-%d}: {self.get_result_display()}"


class Enrollment(models.Model):
    """A patient's participation in one program, with the consent it rests on."""

    class ConsentMethod(models.TextChoices):
        VERBAL = "verbal", "Verbal"
        WRITTEN = "written", "Written"
        NONE = "", "Not required"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="enrollments")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="enrollments")
    program_code = models.CharField(max_length=20)
    program_version = models.CharField(max_length=20)
    status = models.CharField(
        max_length=20, choices=EnrollmentStatus.CHOICES, default=EnrollmentStatus.ACTIVE
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload_enrollments",
    )
    consent_method = models.CharField(max_length=10, choices=ConsentMethod.choices, blank=True)
    consent_date = models.DateField(null=True, blank=True)
    consent_obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent_text_version = models.CharField(max_length=40, blank=True)
    candidate = models.ForeignKey(
        Candidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments"
    )
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disenroll_reason = models.CharField(max_length=40, blank=True)
    disenroll_note = models.TextField(blank=True)
    disenrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "care_manager"], name="enrollment_caseload"),
            models.Index(fields=["patient", "program_code"], name="enrollment_patient_program"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "program_code"],
                condition=Q(status=EnrollmentStatus.ACTIVE),
                name="one_active_enrollment_per_program",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} in {self.program_code} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE
