"""Only functional-status and caregiver findings become frailty markers in stratification."""

import pytest

from carenav.assessments.services import assessment_record
from carenav.population.models import RiskScore
from carenav.population.services import stratify_organization
from tests.analytics.population import AS_OF
from tests.assessments.conftest import katz, phq9_total

pytestmark = pytest.mark.django_db


def test_adl_dependency_is_a_frailty_marker_and_depression_is_not(
    org, org_admin, care_manager, patient
) -> None:
    assessment_record(actor=care_manager, patient=patient, instrument_id="katz-adl", answers=katz(2))
    assessment_record(actor=care_manager, patient=patient, instrument_id="phq-9", answers=phq9_total(16))
    domains = set(patient.assessment_findings.values_list("domain", flat=True))
    assert {"adl-dependency", "depression"} <= domains

    run = stratify_organization(actor=org_admin, organization=org, as_of=AS_OF)

    flags = RiskScore.objects.get(run=run, patient=patient).flags
    assert "frailty:adl-dependency" in flags
    assert not any(flag.startswith("frailty:depression") for flag in flags)
