"""A minimal follow-up task: something a care-team member must do for a patient, by when.

The worklist issue builds queues, cadences and triggers on this record; assessments create urgent
tasks from safety flags today.
"""

from django.conf import settings
from django.db import models

from carenav.accounts.models import Organization
from carenav.patients.models import Patient


class Task(models.Model):
    class Priority(models.TextChoices):
        URGENT = "urgent", "Urgent"
        HIGH = "high", "High"
        NORMAL = "normal", "Normal"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="tasks")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="tasks")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    reason = models.TextField(blank=True, help_text="Why the task exists, shown to the person doing it.")
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField()
    source = models.CharField(max_length=80, blank=True, help_text='What created it, e.g. "assessment:42".')
    outcome = models.TextField(blank=True, help_text="What was done, recorded when the task is closed.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["organization", "status", "due_at"], name="task_org_status_due"),
            models.Index(fields=["assigned_to", "status", "due_at"], name="task_assignee_status_due"),
            models.Index(fields=["patient", "status"], name="task_patient_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.title}"
