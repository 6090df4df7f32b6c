"""`carenav import PATH... --org SLUG`: progress, summary table, report file."""

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from carenav.accounts.models import Organization
from carenav.interop.models import ImportRun

pytestmark = pytest.mark.django_db


def test_import_command_prints_a_summary_and_writes_a_csv_report(
    org: Organization, clinosim_dir: Path, tmp_path: Path
) -> None:
    (clinosim_dir / "_cache_manifest.json").write_text('{"seed": 11}')  # not FHIR: a warning, not a reject
    report = tmp_path / "report.csv"
    out = StringIO()
    call_command(
        "import",
        str(clinosim_dir),
        "--org",
        org.slug,
        "--source",
        "clinosim",
        "--report",
        str(report),
        stdout=out,
    )
    text = out.getvalue()
    assert "Completed" in text and "MedicationAdministration" in text and "Rejected" in text
    assert "33 resources rejected" in text
    rows = list(csv.DictReader(report.open()))
    errors = [r for r in rows if r["severity"] == "error"]
    assert len({r["resource_id"] for r in errors}) == 33
    assert {"file", "location", "resource_type", "resource_id", "path", "reason"} <= set(rows[0])
    warning = next(r for r in rows if r["severity"] == "warning")
    assert warning["file"].endswith("_cache_manifest.json") and "no resourceType" in warning["reason"]
    assert ImportRun.objects.get().source == "clinosim"


def test_json_report(org: Organization, synthea_dir: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    call_command(
        "import",
        str(synthea_dir),
        "--org",
        org.slug,
        "--no-progress",
        "--report",
        str(report),
        stdout=StringIO(),
    )
    data = json.loads(report.read_text())
    assert data["issues"] == [] and data["counts"]["Patient"]["imported"] == 13


def test_unknown_organization_or_path_is_a_clean_error(org: Organization, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No organization"):
        call_command("import", str(tmp_path), "--org", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import", str(tmp_path / "missing"), "--org", org.slug, stdout=StringIO())
