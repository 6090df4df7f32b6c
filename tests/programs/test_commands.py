"""carenav programs: enable programs and rebuild the queue from the command line."""

import pytest
from django.core.management import CommandError, call_command

from carenav.programs.models import Candidate, OrganizationProgram
from tests.programs.conftest import CCM_FACTS, add_score, make_run

pytestmark = pytest.mark.django_db


def test_enable_and_refresh(org, patient, capsys) -> None:
    call_command("programs", "--org", org.slug, "--enable", "ccm,PCM")
    assert "runs: CCM, PCM" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no completed risk run"):
        call_command("programs", "--org", org.slug, "--refresh")
    add_score(make_run(org), patient, **CCM_FACTS)
    call_command("programs", "--org", org.slug, "--disable", "PCM", "--refresh")
    out = capsys.readouterr().out
    assert "runs: CCM" in out and "skipped (already enrolled) 0" in out
    assert list(Candidate.objects.values_list("program_code", flat=True)) == ["CCM"]
    assert OrganizationProgram.objects.get(program_code="PCM").active is False


def test_bad_arguments(org) -> None:
    with pytest.raises(CommandError, match="unknown program"):
        call_command("programs", "--org", org.slug, "--enable", "CCM,XYZ")
    with pytest.raises(CommandError, match="no organization"):
        call_command("programs", "--org", "nowhere")
