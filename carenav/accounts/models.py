import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from carenav.accounts.permissions import Permission, Role, role_has


class Organization(models.Model):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", "Hospital / health system"
        CLINIC = "clinic", "Clinic / PCMH"
        HEALTH_PLAN = "health_plan", "Health plan / managed care organization"
        GOVERNMENT = "government", "Government agency"
        AREA_AGENCY_ON_AGING = "aaa", "Area agency on aging"
        HOSPICE = "hospice", "Hospice"
        COMMUNITY = "community", "Community organization"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="team_name_per_org")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"


class User(AbstractUser):
    class Discipline(models.TextChoices):
        RN = "RN", "Registered nurse"
        LPN = "LPN", "Licensed practical nurse"
        NP = "NP", "Nurse practitioner"
        LCSW = "LCSW", "Licensed clinical social worker"
        MSW = "MSW", "Social worker"
        CHW = "CHW", "Community health worker"
        PHARMD = "PharmD", "Pharmacist"
        MD = "MD", "Physician"
        BH = "BH", "Behavioral health clinician"
        ADMIN = "admin", "Administrative"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CARE_MANAGER)
    discipline = models.CharField(max_length=10, choices=Discipline.choices, blank=True)
    credentials = models.JSONField(default=list, blank=True, help_text='e.g. ["CCM", "CDCES"]')
    languages = models.JSONField(default=list, blank=True, help_text='ISO 639-1 codes, e.g. ["en", "es"]')
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    phone = models.CharField(max_length=40, blank=True)

    def has_perm_enum(self, permission: Permission) -> bool:
        return self.is_active and self.organization_id is not None and role_has(self.role, permission)

    @property
    def display_name(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name}, {self.discipline}" if self.discipline else name


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored: the key is random, so no slow hash is needed."""

    PREFIX = "cn_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_prefix = models.CharField(max_length=12)
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def digest(key: str) -> str:
        return _digest(key)
