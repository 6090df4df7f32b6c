"""Code systems and value sets the assessment engine refers to (Django-free)."""

from __future__ import annotations

LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
GRAVITY = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
CARENAV_BASE = "https://carenav.org/fhir"
CARENAV_FINDING = f"{CARENAV_BASE}/CodeSystem/assessment-finding"
CARENAV_SCORE = f"{CARENAV_BASE}/CodeSystem/assessment-score"

# Gravity SDOH category value set (SDOHCC-ValueSetSDOHCategory, SDOH Clinical Care IG 3.0.0),
# clinical-reference.md section 6.1. Findings in these domains are SDOH health concerns.
GRAVITY_CATEGORIES: dict[str, str] = {
    "sdoh-category-unspecified": "SDOH Category Unspecified",
    "food-insecurity": "Food Insecurity",
    "housing-instability": "Housing Instability",
    "homelessness": "Homelessness",
    "inadequate-housing": "Inadequate Housing",
    "transportation-insecurity": "Transportation Insecurity",
    "financial-insecurity": "Financial Insecurity",
    "material-hardship": "Material Hardship",
    "educational-attainment": "Educational Attainment",
    "employment-status": "Employment Status",
    "veteran-status": "Veteran Status",
    "stress": "Stress",
    "social-connection": "Social Connection",
    "intimate-partner-violence": "Intimate Partner Violence",
    "elder-abuse": "Elder Abuse",
    "personal-health-literacy": "Personal Health Literacy",
    "health-insurance-coverage-status": "Health Insurance Coverage Status",
    "medical-cost-burden": "Medical Cost Burden",
    "digital-literacy": "Digital Literacy",
    "digital-access": "Digital Access",
    "utility-insecurity": "Utility Insecurity",
    "incarceration-status": "Incarceration Status",
    "language-access": "Language Access",
    "protective-factor": "Protective Factor",
}

# Non-SDOH finding domains. The four frailty markers are read by the stratification pipeline.
CLINICAL_DOMAINS: dict[str, str] = {
    "depression": "Depression",
    "anxiety": "Anxiety",
    "self-harm-risk": "Self-harm risk",
    "risky-drinking": "Risky drinking",
    "adl-dependency": "Dependency in activities of daily living",
    "iadl-dependency": "Dependency in instrumental activities of daily living",
    "fall-risk": "Fall risk",
    "no-caregiver": "No informal caregiver",
    "caregiver-strain": "Caregiver strain",
    "medication-adherence": "Medication adherence or understanding",
    "advance-care-planning": "Advance care planning",
}


FINDING_KINDS: tuple[str, ...] = ("problem", "risk-factor", "health-concern")
FINDING_SEVERITIES: tuple[str, ...] = ("low", "moderate", "high")
FLAG_SEVERITIES: tuple[str, ...] = ("safety", "warning", "info")


def domain_label(domain: str) -> str:
    """Human label of a finding domain (Gravity category or carenav clinical domain)."""
    return GRAVITY_CATEGORIES.get(domain) or CLINICAL_DOMAINS.get(domain) or domain


def is_sdoh_domain(domain: str) -> bool:
    return domain in GRAVITY_CATEGORIES


def loinc_check_digit_ok(code: str) -> bool:
    """LOINC Mod-10 check digit for term codes such as 44261-6 (not LA/LL/LP part codes)."""
    number, _, check = code.partition("-")
    if not (number.isdigit() and check.isdigit() and len(check) == 1):
        return False
    from_right = number[::-1]
    odd = from_right[0::2][::-1]
    even = from_right[1::2][::-1]
    digits = even + str(int(odd) * 2)
    total = sum(int(d) for d in digits)
    return (10 - total % 10) % 10 == int(check)
