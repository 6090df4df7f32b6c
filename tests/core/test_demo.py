"""The README's first command, minus the server: a fresh database gets staff, a population, risk and candidates."""

import pytest

from carenav.accounts.models import Organization, User
from carenav.audit.models import AuditEvent
from carenav.cli import main
from carenav.population.models import RiskRun
from carenav.programs.models import Candidate

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_sets_up_a_working_carenav(capsys, settings, tmp_path) -> None:
    settings.CARENAV_HOME = tmp_path
    main(["demo", "--no-serve", "--patients", "60", "--seed", "3"])
    out = capsys.readouterr().out
    org = Organization.objects.get(slug="riverside")
    assert org.patients.count() == 60
    for username in ("nina", "luis", "sam", "ada", "audrey"):
        assert username in out
    nina = User.objects.get(username="nina")
    password = out.split("nina", 1)[1].split("│")[1].strip()
    assert nina.check_password(password)
    run = RiskRun.objects.get(organization=org)
    assert run.status == "completed" and run.population_size > 0
    assert Candidate.objects.filter(organization=org).exists()
    assert not AuditEvent.objects.filter(outcome="error").exists()
    assert AuditEvent.objects.filter(action="import.run").exists()
    assert AuditEvent.objects.filter(action="risk.run", object_id=str(run.pk)).exists()

    main(["demo", "--no-serve", "--patients", "60", "--seed", "3"])
    assert org.patients.count() == 60, "a second run keeps the population"
