"""Stored assessments: responses, their scores, the findings they produced and safety alerts.

A response keeps the instrument id and version, the raw answers, the computed result and the scorer
version; nothing is recomputed when a definition changes, so history never changes silently.
"""

from django.conf import settings
from django.db import models

from carenav.patients.models import Patient


class AssessmentResponse(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in-progress", "In progress"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Discarded"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="assessment_responses")
    instrument_id = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=20)
    component_versions = models.JSONField(default=dict, blank=True, help_text="{instrument id: version}")
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    answers = models.JSONField(default=dict, blank=True, help_text="Normalised answers keyed by linkId.")
    result = models.JSONField(default=dict, blank=True, help_text="Scores, bands, domains, flags, findings.")
    scorer_version = models.CharField(max_length=20, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "status", "-started_at"], name="response_patient_status"),
            models.Index(fields=["patient", "instrument_id", "completed_at"], name="response_patient_instr"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.instrument_version} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class AssessmentScore(models.Model):
    """One computed score of a completed response, one row per score, for trends and analytics."""

    response = models.ForeignKey(AssessmentResponse, on_delete=models.CASCADE, related_name="score_rows")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="assessment_scores")
    instrument_id = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=20)
    score_id = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    value = models.FloatField(null=True, blank=True)
    value_code = models.CharField(max_length=40, blank=True)
    value_display = models.CharField(max_length=200, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    band_code = models.CharField(max_length=40, blank=True)
    band_label = models.CharField(max_length=200, blank=True)
    positive = models.BooleanField(null=True)
    code_system = models.CharField(max_length=120, blank=True)
    code = models.CharField(max_length=40, blank=True)
    effective_at = models.DateTimeField()

    class Meta:
        ordering = ["effective_at", "id"]
        indexes = [
            models.Index(fields=["patient", "instrument_id", "score_id", "effective_at"], name="score_trend"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value if self.value is not None else self.value_display}"


class Finding(models.Model):
    """A problem, risk factor or health concern an assessment produced, linked to that response.

    ``domain`` is a Gravity SDOH category code for social needs, otherwise a carenav domain
    (depression, adl-dependency, fall-risk...). A finding stays active until a later completed
    response of the same instrument supersedes it.
    """

    class Kind(models.TextChoices):
        PROBLEM = "problem", "Problem"
        RISK_FACTOR = "risk-factor", "Risk factor"
        HEALTH_CONCERN = "health-concern", "Health concern"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RESOLVED = "resolved", "Resolved"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="assessment_findings")
    response = models.ForeignKey(AssessmentResponse, on_delete=models.CASCADE, related_name="findings")
    instrument_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    domain = models.CharField(max_length=64)
    code_system = models.CharField(max_length=120)
    code = models.CharField(max_length=40)
    display = models.CharField(max_length=200)
    severity = models.CharField(max_length=10)
    detail = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        AssessmentResponse, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["patient", "status", "domain"], name="finding_patient_status"),
            models.Index(fields=["domain", "status"], name="finding_domain_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.display} ({self.severity})"


class SafetyAlert(models.Model):
    """An immediate, visible alert on the patient raised by a safety flag, open until acknowledged."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="safety_alerts")
    response = models.ForeignKey(AssessmentResponse, on_delete=models.CASCADE, related_name="safety_alerts")
    instrument_id = models.CharField(max_length=64)
    flag_id = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    action = models.TextField()
    task = models.ForeignKey("tasks.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"], name="alert_patient_status")]

    def __str__(self) -> str:
        return f"{self.label} ({self.status})"
