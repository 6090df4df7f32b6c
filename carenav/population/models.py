"""Risk stratification runs and the per-patient scores (with their reasons) each run produced.

Scores are never updated in place: every run writes its own rows, so older results stay viewable
and a score always means what its run's configuration and value-set versions meant.
"""

from django.conf import settings
from django.db import models

from carenav.accounts.models import Organization
from carenav.patients.models import Patient


class RiskRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="risk_runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    engine = models.CharField(max_length=20)
    config_version = models.CharField(max_length=40)
    valueset_versions = models.JSONField(default=dict, blank=True)
    as_of = models.DateField()
    population_size = models.IntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["organization", "status", "-finished_at"], name="riskrun_org_latest")]

    def __str__(self) -> str:
        return f"Risk run {self.pk} ({self.engine}, as of {self.as_of})"


class RiskScore(models.Model):
    run = models.ForeignKey(RiskRun, on_delete=models.CASCADE, related_name="scores")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="risk_scores")
    tier = models.IntegerField(help_text="1 = highest priority")
    priority = models.FloatField()
    age = models.IntegerField(null=True, blank=True)
    chronic_categories = models.JSONField(default=list, blank=True)
    chronic_count = models.IntegerField(default=0)
    charlson_1987 = models.IntegerField(default=0)
    charlson_quan2011 = models.IntegerField(default=0)
    charlson_age_adjusted = models.IntegerField(default=0)
    ip_6m = models.IntegerField(default=0)
    ip_12m = models.IntegerField(default=0)
    ed_6m = models.IntegerField(default=0)
    ed_12m = models.IntegerField(default=0)
    days_since_discharge = models.IntegerField(null=True, blank=True)
    readmissions_30d = models.IntegerField(default=0)
    lace = models.IntegerField(null=True, blank=True)
    hospital_score = models.IntegerField(null=True, blank=True)
    cost_12m = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True, help_text='[{"score","points","text","evidence"}]')

    class Meta:
        ordering = ["tier", "-priority", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "patient"], name="riskscore_run_patient")]
        indexes = [
            models.Index(fields=["run", "tier", "-priority"], name="riskscore_run_tier_priority"),
            models.Index(fields=["patient", "run"], name="riskscore_patient_run"),
        ]

    def __str__(self) -> str:
        return f"Tier {self.tier} ({self.priority:g}) for patient {self.patient_id}"
