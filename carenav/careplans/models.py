"""Care plans: one row per plan *version*, with its own problems, goals, interventions and care team.

Versioning is copy-on-revise: revising an active plan copies the version and all its items into a new
draft (version + 1) in the same ``series``. Items keep their ``key`` across versions, which is what the
readable diff matches on and what goal measurements hang on, so a goal's progress runs across versions.
A version is editable only while it is a draft; the active version takes progress (measurements, goal
status overrides, intervention status). Every version stays readable.

``lock_version`` is the optimistic lock of a version: every write names the lock version it was based on,
and a stale one is refused with a conflict instead of silently overwriting someone else's change.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from carenav.careplans.goal_status import Status as Achievement
from carenav.careplans.goal_status import TargetKind
from carenav.careplans.library import FREQUENCIES, PRIORITIES, ROLES
from carenav.careplans.machines import INTERVENTION, PLAN
from carenav.patients.models import Caregiver, Condition, Patient

ROLE_LABELS = {
    "patient": "Patient",
    "caregiver": "Family caregiver",
    "care_manager": "Care manager",
    "pcp": "Primary care provider",
    "specialist": "Specialist",
    "pharmacist": "Pharmacist",
    "chw": "Community health worker",
    "community_org": "Community organization",
    "other": "Other",
}
FREQUENCY_LABELS = {
    "once": "Once",
    "daily": "Daily",
    "weekly": "Weekly",
    "every_2_weeks": "Every 2 weeks",
    "monthly": "Monthly",
    "every_3_months": "Every 3 months",
    "every_contact": "At every contact",
    "as_needed": "As needed",
}
ROLE_CHOICES = [(r, ROLE_LABELS[r]) for r in ROLES]
FREQUENCY_CHOICES = [(f, FREQUENCY_LABELS[f]) for f in FREQUENCIES]
PRIORITY_CHOICES = [(p, p.capitalize()) for p in PRIORITIES]
BARRIERS = {
    "transport": "Transportation",
    "cost": "Cost",
    "literacy": "Reading or health literacy",
    "language": "Language",
    "housing": "Housing",
    "hearing_vision": "Hearing or vision",
    "cognition": "Memory or cognition",
    "mobility": "Mobility",
    "digital": "Phone or internet access",
    "caregiver": "No one to help",
    "work_schedule": "Work or caregiving schedule",
    "trust": "Trust in the health system",
}


class CarePlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        REVISED = "revised", "Revised (superseded)"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class AgreedBy(models.TextChoices):
        PATIENT = "patient", "Patient"
        REPRESENTATIVE = "representative", "Patient's representative"

    class AgreementMethod(models.TextChoices):
        VERBALLY = "verbally", "Verbally"
        SIGNED = "signed", "Signed"

    uid = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="FHIR id of this version"
    )
    series = models.UUIDField(default=uuid.uuid4, db_index=True, help_text="Shared by all versions of a plan")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_plans")
    version = models.PositiveIntegerField(default=1)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_versions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=120, default="Comprehensive care plan")
    program_codes = models.JSONField(
        default=list, blank=True, help_text='Programs this plan serves, e.g. ["CCM","BHI"]'
    )
    lock_version = models.PositiveIntegerField(default=1)

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    # Agreement, recorded on activation.
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    agreed_by = models.CharField(max_length=16, choices=AgreedBy.choices, blank=True)
    representative_name = models.CharField(max_length=200, blank=True)
    agreement_method = models.CharField(max_length=10, choices=AgreementMethod.choices, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    pcp_agreed_name = models.CharField("primary care provider who agreed", max_length=200, blank=True)
    review_due = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    # Patient priorities and preferences (part of the versioned content).
    what_matters = models.TextField("what matters most", blank=True)
    preferred_language = models.CharField(max_length=12, default="en")
    contact_times = models.CharField(max_length=200, blank=True)
    contact_method = models.CharField(max_length=60, blank=True)
    cultural_preferences = models.TextField("cultural or religious preferences", blank=True)
    involved_people = models.TextField("who may be involved", blank=True)
    barriers = models.JSONField(default=list, blank=True)
    barriers_note = models.TextField(blank=True)

    class Meta:
        ordering = ["patient_id", "series", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="careplan_series_version"),
            models.UniqueConstraint(
                fields=["series"], condition=Q(status="active"), name="careplan_one_active_per_series"
            ),
            models.UniqueConstraint(
                fields=["series"], condition=Q(status="draft"), name="careplan_one_draft_per_series"
            ),
            models.CheckConstraint(condition=Q(status__in=PLAN.states), name="careplan_status_valid"),
        ]
        indexes = [
            models.Index(fields=["patient", "status"], name="careplan_patient_status"),
            models.Index(fields=["status", "review_due"], name="careplan_review_due"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.status})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class PlanItem(models.Model):
    """What every versioned item has: the version it belongs to and a key stable across versions."""

    key = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class CareTeamMember(PlanItem):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="care_team")
    role = models.CharField(max_length=16, choices=ROLE_CHOICES)
    name = models.CharField(max_length=200)
    organization_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    relationship = models.CharField(max_length=60, blank=True, help_text="For family caregivers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_primary_contact = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="careteam_key_per_plan")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def is_user(self) -> bool:
        return self.user_id is not None


class Problem(PlanItem):
    class Source(models.TextChoices):
        CONDITION = "condition", "Condition on the record"
        FINDING = "finding", "Assessment finding"
        MANUAL = "manual", "Added by hand"

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="problems")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    condition = models.ForeignKey(
        Condition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finding_ref = models.CharField(
        max_length=64, blank=True, help_text="Assessment response id of the finding"
    )
    category_key = models.CharField(
        max_length=60, blank=True, help_text="Condition category, SDOH category or finding domain"
    )
    sdoh_category = models.CharField(max_length=60, blank=True, help_text="Gravity SDOH category code")
    system = models.CharField(max_length=120, blank=True)
    code = models.CharField(max_length=40, blank=True)
    display = models.CharField(max_length=300)
    note = models.TextField(blank=True)
    recorded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="problem_key_per_plan")]

    def __str__(self) -> str:
        return self.display


class Goal(PlanItem):
    TARGET_KINDS = [(k.value, k.value.capitalize()) for k in TargetKind]
    STATUS_CHOICES = [(s.value, s.label) for s in Achievement]

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    description = models.TextField(help_text="In the patient's words")
    template_ref = models.CharField(max_length=120, blank=True)
    rationale = models.TextField(blank=True, help_text="Why this target (from the template rule or the team)")
    problems = models.ManyToManyField(Problem, blank=True, related_name="goals")
    sdoh_category = models.CharField(max_length=60, blank=True)

    measure_system = models.CharField(max_length=120, blank=True)
    measure_code = models.CharField(max_length=60, blank=True)
    measure_display = models.CharField(max_length=200, blank=True)
    measure_unit = models.CharField(max_length=30, blank=True, help_text="UCUM code values are stored in")
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)

    target_kind = models.CharField(max_length=10, choices=TARGET_KINDS)
    target_comparator = models.CharField(max_length=2, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    target_low = models.FloatField(null=True, blank=True)
    target_high = models.FloatField(null=True, blank=True)
    target_direction = models.CharField(max_length=10, blank=True)
    target_change = models.FloatField(null=True, blank=True)
    target_change_pct = models.FloatField(null=True, blank=True)

    start_date = models.DateField()
    due_date = models.DateField()
    priority = models.CharField(max_length=6, choices=PRIORITY_CHOICES, default="medium")
    owner_role = models.CharField(max_length=16, choices=ROLE_CHOICES, default="patient")
    owner_member = models.ForeignKey(
        CareTeamMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_goals"
    )

    status_override = models.CharField(max_length=12, choices=STATUS_CHOICES, blank=True)
    status_override_reason = models.TextField(blank=True)
    status_override_on = models.DateField(null=True, blank=True)
    status_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="goal_key_per_plan"),
            models.CheckConstraint(
                condition=Q(target_kind__in=[k.value for k in TargetKind]), name="goal_target_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_measured(self) -> bool:
        return self.target_kind != TargetKind.MILESTONE


class Intervention(PlanItem):
    STATUS_CHOICES = [(s, s.replace("-", " ").capitalize()) for s in INTERVENTION.states]

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="interventions")
    description = models.TextField()
    template_ref = models.CharField(max_length=120, blank=True)
    performer_role = models.CharField(max_length=16, choices=ROLE_CHOICES, default="care_manager")
    performer_member = models.ForeignKey(
        CareTeamMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="interventions"
    )
    frequency = models.CharField(max_length=16, choices=FREQUENCY_CHOICES, default="once")
    details = models.CharField(max_length=300, blank=True, help_text="When and how, in a few words")
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="interventions"
    )
    problem = models.ForeignKey(
        Problem, on_delete=models.SET_NULL, null=True, blank=True, related_name="interventions"
    )
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default="not-started")
    status_note = models.CharField(max_length=300, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="intervention_key_per_plan"),
            models.CheckConstraint(
                condition=Q(status__in=INTERVENTION.states), name="intervention_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]


class GoalMeasurement(models.Model):
    """A value the care team recorded for a goal (e.g. the weight the patient read out on a call).

    Imported observations are not copied here: a goal's series is these rows plus the patient's
    Observations with the goal's LOINC code. Tied to the goal key, so it spans plan versions.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="goal_measurements")
    goal_key = models.UUIDField(db_index=True)
    measure_system = models.CharField(max_length=120)
    measure_code = models.CharField(max_length=60)
    value = models.FloatField()
    unit = models.CharField(max_length=30)
    observed_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["observed_on", "id"]
        indexes = [
            models.Index(fields=["patient", "measure_code", "observed_on"], name="goalmeasure_patient_code")
        ]

    def __str__(self) -> str:
        return f"{self.measure_code} {self.value:g} {self.unit} on {self.observed_on}"


class PlanTemplateCatalog(models.Model):
    """No table: gives the Django admin index a "Care plan templates" entry linking to the library page.

    Templates are versioned JSON files (carenav/careplans/library/templates), not database rows.
    """

    class Meta:
        managed = False
        db_table = "careplans_template_catalog"
        verbose_name = "care plan template"
        verbose_name_plural = "care plan templates"

    def __str__(self) -> str:
        return "care plan templates"
