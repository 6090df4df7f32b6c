"""carenav stratify: stored runs for organizations, exported results for file populations."""

from io import StringIO
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from carenav.accounts.models import Organization
from carenav.population.models import RiskRun
from tests.analytics.population import AS_OF, write_ndjson
from tests.population.load import load_population

pytestmark = pytest.mark.django_db


def test_stratify_an_organization_from_the_database(org: Organization) -> None:
    load_population(org)
    out = StringIO()
    call_command("stratify", "--org", org.slug, "--as-of", AS_OF.isoformat(), stdout=out)
    run = RiskRun.objects.get()
    assert (run.organization, run.engine, run.population_size, run.created_by) == (org, "db", 4, None)
    assert "4 patients stratified in" in out.getvalue()


def test_export_a_file_population_without_an_organization(tmp_path: Path) -> None:
    target = tmp_path / "results.parquet"
    out = StringIO()
    call_command(
        "stratify",
        "--engine", "duckdb",
        "--source", str(write_ndjson(tmp_path / "ndjson")),
        "--as-of", AS_OF.isoformat(),
        "--out", str(target),
        stdout=out,
    )  # fmt: skip
    table = pq.read_table(target).to_pylist()
    assert sorted(r["patient_ref"] for r in table) == ["p-cancer", "p-heart", "p-snomed", "p-windows"]
    heart = next(r for r in table if r["patient_ref"] == "p-heart")
    assert (heart["lace"], heart["hospital_score"]) == (14, 8) and "LACE 14" in heart["reasons"]
    assert not RiskRun.objects.exists()
    assert "4 patients stratified" in out.getvalue()


def test_export_reports_each_phase_and_the_patients_scored(tmp_path: Path) -> None:
    from carenav.analytics.export import stratify_to_parquet

    seen: list[str] = []
    source = write_ndjson(tmp_path / "ndjson")
    summary = stratify_to_parquet(
        "duckdb", source, tmp_path / "out.parquet", as_of=AS_OF, batch_rows=2, progress=seen.append
    )
    assert summary.population_size == 4
    assert seen[0].startswith("Reading ") and "computing features" in seen[1]
    counts = [int(line.removeprefix("Scored ").removesuffix(" patients…")) for line in seen[2:]]
    assert len(counts) >= 2 and counts == sorted(counts) and counts[-1] == 4  # one line per batch


def test_file_engines_need_a_source() -> None:
    with pytest.raises(CommandError, match="needs --source"):
        call_command("stratify", "--engine", "duckdb")


def test_unknown_organization() -> None:
    with pytest.raises(CommandError, match="no organization"):
        call_command("stratify", "--org", "nowhere")
