"""A patient and the clinical facts care management works from.

Rows that came from an external source carry `source_id` (the resource id there); the importer
matches on it, so importing again updates rather than duplicates. Hand-entered rows leave it null.
"""

from django.conf import settings
from django.db import models

from carenav.accounts.models import Organization


class CodeSystem(models.TextChoices):
    ICD10CM = "icd10cm", "ICD-10-CM"
    ICD10 = "icd10", "ICD-10 (WHO)"
    SNOMED = "snomed", "SNOMED CT"
    LOINC = "loinc", "LOINC"
    RXNORM = "rxnorm", "RxNorm"
    CPT = "cpt", "CPT"
    HCPCS = "hcpcs", "HCPCS"
    OTHER = "other", "Other"


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Unknown"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="patients")
    source_id = models.CharField(max_length=128, null=True, blank=True)
    mrn = models.CharField("MRN", max_length=64, blank=True)
    family_name = models.CharField(max_length=100)
    given_name = models.CharField(max_length=100, blank=True)
    family_norm = models.CharField(max_length=100, editable=False)
    given_norm = models.CharField(max_length=100, editable=False)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    preferred_language = models.CharField(max_length=12, default="en", help_text="BCP-47 / ISO 639-1")
    interpreter_needed = models.BooleanField(default=False)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=40, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    deceased_at = models.DateTimeField(null=True, blank=True)
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="primary_patients",
        help_text="The designated care-team member for continuity.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_norm", "given_norm", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "source_id"], name="patient_source_per_org"),
        ]
        indexes = [
            models.Index(fields=["organization", "family_norm", "given_norm", "id"], name="patient_org_name"),
            models.Index(fields=["organization", "given_norm"], name="patient_org_given"),
            models.Index(fields=["organization", "birth_date"], name="patient_org_dob"),
            models.Index(fields=["organization", "mrn"], name="patient_org_mrn"),
            models.Index(fields=["care_manager"], name="patient_care_manager"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}".strip(", ")


class PatientIdentifier(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=200)
    value = models.CharField(max_length=100)
    type_code = models.CharField(max_length=20, blank=True, help_text="v2-0203 code, e.g. MR, SS, MB")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "system", "value"], name="identifier_unique_per_patient"
            )
        ]
        indexes = [models.Index(fields=["value"], name="identifier_value")]

    def __str__(self) -> str:
        return f"{self.system}|{self.value}"


class Caregiver(models.Model):
    """An informal caregiver or other member of the patient's support system."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="caregivers")
    source_id = models.CharField(max_length=128, null=True, blank=True)
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_primary = models.BooleanField(default=False)
    lives_with_patient = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [models.UniqueConstraint(fields=["patient", "source_id"], name="caregiver_source")]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"


class Encounter(models.Model):
    class Class(models.TextChoices):
        INPATIENT = "inpatient", "Inpatient"
        EMERGENCY = "emergency", "Emergency"
        OBSERVATION = "observation", "Observation"
        AMBULATORY = "ambulatory", "Ambulatory"
        HOME = "home", "Home health"
        VIRTUAL = "virtual", "Virtual"
        OTHER = "other", "Other"

    class Priority(models.TextChoices):
        EMERGENCY = "emergency", "Emergency"
        URGENT = "urgent", "Urgent"
        ELECTIVE = "elective", "Elective"
        UNKNOWN = "", "Unknown"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="encounters")
    source_id = models.CharField(max_length=128, null=True, blank=True)
    encounter_class = models.CharField(max_length=12, choices=Class.choices)
    status = models.CharField(max_length=20, default="finished")
    type_display = models.CharField(max_length=200, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True, default="")
    admit_source = models.CharField(max_length=40, blank=True)
    discharge_disposition = models.CharField(max_length=40, blank=True)
    facility = models.CharField(max_length=200, blank=True)
    reason_code = models.CharField(max_length=40, blank=True)
    reason_display = models.CharField(max_length=200, blank=True)
    diagnoses = models.JSONField(default=list, blank=True, help_text='[{"system","code","display","rank"}]')

    class Meta:
        ordering = ["-start"]
        constraints = [models.UniqueConstraint(fields=["patient", "source_id"], name="encounter_source")]
        indexes = [
            models.Index(fields=["patient", "-start"], name="encounter_patient_start"),
            models.Index(fields=["encounter_class", "end"], name="encounter_class_end"),
        ]

    def __str__(self) -> str:
        return f"{self.get_encounter_class_display()} {self.start:%Y-%m-%d}"

    @property
    def is_acute(self) -> bool:
        return self.encounter_class in (self.Class.INPATIENT, self.Class.EMERGENCY, self.Class.OBSERVATION)

    @property
    def length_of_stay_days(self) -> int | None:
        """Discharge date minus admission date (a same-day stay is 0 days), as in LACE."""
        if self.end is None:
            return None
        return (self.end.date() - self.start.date()).days


class Condition(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="conditions")
    source_id = models.CharField(max_length=128, null=True, blank=True)
    encounter = models.ForeignKey(Encounter, on_delete=models.SET_NULL, null=True, blank=True)
    system = models.CharField(max_length=10, choices=CodeSystem.choices)
    code = models.CharField(max_length=40)
    display = models.CharField(max_length=300, blank=True)
    category = models.CharField(
        max_length=30, blank=True, help_text="problem-list-item, encounter-diagnosis…"
    )
    clinical_status = models.CharField(max_length=20, default="active")
    verification_status = models.CharField(max_length=20, blank=True)
    onset_date = models.DateField(null=True, blank=True)
    abatement_date = models.DateField(null=True, blank=True)
    recorded_date = models.DateField(null=True, blank=True)

    ACTIVE_STATUSES = ("active", "recurrence", "relapse")

    class Meta:
        ordering = ["-onset_date", "display"]
        constraints = [models.UniqueConstraint(fields=["patient", "source_id"], name="condition_source")]
        indexes = [
            models.Index(fields=["patient", "clinical_status"], name="condition_patient_status"),
            models.Index(fields=["system", "code"], name="condition_code"),
        ]

    def __str__(self) -> str:
        return f"{self.display or self.code} ({self.get_system_display()} {self.code})"


class Observation(models.Model):
    """One measured value. A blood pressure is a panel row with one child row per component."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="observations")
    source_id = models.CharField(max_length=128, null=True, blank=True)
    encounter = models.ForeignKey(Encounter, on_delete=models.SET_NULL, null=True, blank=True)
    panel = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="components"
    )
    category = models.CharField(max_length=30, blank=True)
    loinc = models.CharField(max_length=20)
    display = models.CharField(max_length=200, blank=True)
    value_num = models.FloatField(null=True, blank=True)
    value_text = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    interpretation = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=20, default="final")
    effective = models.DateTimeField()

    class Meta:
        ordering = ["-effective"]
        constraints = [models.UniqueConstraint(fields=["patient", "source_id"], name="observation_source")]
        indexes = [models.Index(fields=["patient", "loinc", "-effective"], name="observation_patient_code")]

    def __str__(self) -> str:
        value = self.value_num if self.value_num is not None else self.value_text
        return f"{self.display or self.loinc}: {value} {self.unit}".strip()


class Medication(models.Model):
    class Kind(models.TextChoices):
        REQUEST = "request", "Prescription (MedicationRequest)"
        STATEMENT = "statement", "Reported (MedicationStatement)"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="medications")
    source_id = models.CharField(max_length=128, null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REQUEST)
    rxnorm = models.CharField(max_length=20, blank=True)
    display = models.CharField(max_length=300)
    dosage_text = models.CharField(max_length=300, blank=True)
    timing = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=20, default="active")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    prescriber = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["display"]
        constraints = [models.UniqueConstraint(fields=["patient", "source_id"], name="medication_source")]
        indexes = [models.Index(fields=["patient", "status"], name="medication_patient_status")]

    def __str__(self) -> str:
        return self.display


class Coverage(models.Model):
    class Kind(models.TextChoices):
        MEDICARE = "medicare", "Medicare"
        MEDICARE_ADVANTAGE = "medicare_advantage", "Medicare Advantage"
        MEDICAID = "medicaid", "Medicaid"
        DUAL = "dual", "Dual (Medicare + Medicaid)"
        COMMERCIAL = "commercial", "Commercial"
        SELF_PAY = "self_pay", "Self-pay / uninsured"
        OTHER = "other", "Other"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="coverages")
    source_id = models.CharField(max_length=128, null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    payer = models.CharField(max_length=200)
    plan_name = models.CharField(max_length=200, blank=True)
    member_id = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=20, default="active")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [models.UniqueConstraint(fields=["patient", "source_id"], name="coverage_source")]

    def __str__(self) -> str:
        return f"{self.payer} {self.plan_name}".strip()


class Allergy(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="allergies")
    source_id = models.CharField(max_length=128, null=True, blank=True)
    system = models.CharField(max_length=10, choices=CodeSystem.choices, default=CodeSystem.SNOMED)
    code = models.CharField(max_length=40, blank=True)
    display = models.CharField(max_length=300)
    category = models.CharField(max_length=20, blank=True)
    criticality = models.CharField(max_length=20, blank=True)
    clinical_status = models.CharField(max_length=20, default="active")
    recorded_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["display"]
        constraints = [models.UniqueConstraint(fields=["patient", "source_id"], name="allergy_source")]

    def __str__(self) -> str:
        return self.display


class Procedure(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="procedures")
    source_id = models.CharField(max_length=128, null=True, blank=True)
    encounter = models.ForeignKey(Encounter, on_delete=models.SET_NULL, null=True, blank=True)
    system = models.CharField(max_length=10, choices=CodeSystem.choices, default=CodeSystem.SNOMED)
    code = models.CharField(max_length=40)
    display = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, default="completed")
    performed_start = models.DateTimeField(null=True, blank=True)
    performed_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-performed_start"]
        constraints = [models.UniqueConstraint(fields=["patient", "source_id"], name="procedure_source")]
        indexes = [models.Index(fields=["patient", "-performed_start"], name="procedure_patient_date")]

    def __str__(self) -> str:
        return self.display or self.code


class Claim(models.Model):
    """Utilization and cost from a Claim or ExplanationOfBenefit."""

    class Source(models.TextChoices):
        CLAIM = "Claim", "Claim"
        EOB = "ExplanationOfBenefit", "Explanation of benefit"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="claims")
    source_id = models.CharField(max_length=128, null=True, blank=True)
    resource_type = models.CharField(max_length=24, choices=Source.choices)
    claim_type = models.CharField(
        max_length=20, blank=True, help_text="institutional, professional, pharmacy…"
    )
    status = models.CharField(max_length=20, default="active")
    encounter = models.ForeignKey(Encounter, on_delete=models.SET_NULL, null=True, blank=True)
    service_start = models.DateField(null=True, blank=True)
    service_end = models.DateField(null=True, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    diagnoses = models.JSONField(default=list, blank=True, help_text='[{"system","code","sequence"}]')

    class Meta:
        ordering = ["-service_start"]
        constraints = [models.UniqueConstraint(fields=["patient", "source_id"], name="claim_source")]
        indexes = [models.Index(fields=["patient", "service_start"], name="claim_patient_date")]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.service_start} {self.total} {self.currency}"
