"""PySpark (local mode) gives the same results as DuckDB on the same population.

With tests/population/test_services.py (database = DuckDB) this closes the parity chain
SQLite/PostgreSQL = DuckDB over NDJSON = PySpark.
"""

import shutil
from pathlib import Path

import pytest

from carenav.analytics.pipeline import stratify
from tests.analytics.population import AS_OF, write_ndjson

pytestmark = pytest.mark.slow


@pytest.mark.skipif(shutil.which("java") is None, reason="PySpark needs a Java runtime")
def test_pyspark_matches_duckdb(tmp_path: Path) -> None:
    directory = write_ndjson(tmp_path / "ndjson")
    duck = [r.as_dict() for r in stratify("duckdb", directory, as_of=AS_OF)]
    spark = [r.as_dict() for r in stratify("pyspark", directory, as_of=AS_OF)]
    assert [r["patient_ref"] for r in spark] == [r["patient_ref"] for r in duck]
    assert spark == duck
