"""A record of each import: who ran it, on which files, what it counted, and every rejected resource."""

from django.conf import settings
from django.db import models

from carenav.accounts.models import Organization


class ImportRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted (process ended before finishing)"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="import_runs")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="Free label for where the data came from")
    paths = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    counts = models.JSONField(
        default=dict,
        help_text='{"Condition": {"read", "imported", "updated", "rejected", "skipped", "duplicate"}}',
    )
    resources_read = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["organization", "-started_at"], name="importrun_org_started")]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()}, {self.started_at:%Y-%m-%d %H:%M})"


class ImportIssue(models.Model):
    """One resource that was rejected (error) or imported with a caveat (warning)."""

    class Severity(models.TextChoices):
        ERROR = "error", "Rejected"
        WARNING = "warning", "Warning"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="issues")
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.ERROR)
    file = models.CharField(max_length=500)
    location = models.CharField(max_length=40, help_text='"line 12" (NDJSON) or "entry 3" (Bundle)')
    resource_type = models.CharField(max_length=64, blank=True)
    resource_id = models.CharField(max_length=128, blank=True)
    path = models.CharField(max_length=300, blank=True, help_text="FHIR path, e.g. Encounter.period.start")
    reason = models.TextField()

    class Meta:
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return (
            f"{self.file} {self.location} {self.resource_type}/{self.resource_id}: {self.path} {self.reason}"
        )


class SourceVersion(models.Model):
    """The version of each imported resource that carries meta.lastUpdated or meta.versionId, so a
    later import of an older export does not overwrite newer data."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    resource_type = models.CharField(max_length=64)
    source_id = models.CharField(max_length=160)
    last_updated = models.DateTimeField(null=True, blank=True)
    version_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "resource_type", "source_id"], name="source_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.source_id} @ {self.last_updated or self.version_id}"
