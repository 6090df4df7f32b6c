"""The pipeline end to end on DuckDB over FHIR NDJSON: every feature and score of a known population."""

from pathlib import Path

import pytest

from carenav.analytics.pipeline import stratify
from carenav.analytics.results import PatientResult
from carenav.core.compression import suffix
from tests.analytics.population import AS_OF, write_ndjson


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PatientResult]:
    directory = write_ndjson(tmp_path_factory.mktemp("ndjson"))
    return {r.patient_ref: r for r in stratify("duckdb", directory, as_of=AS_OF)}


def texts(result: PatientResult, score: str) -> list[str]:
    return [r["text"] for r in result.reasons if r["score"] == score]


def test_deceased_patients_are_not_stratified(results: dict[str, PatientResult]) -> None:
    assert sorted(results) == ["p-cancer", "p-heart", "p-snomed", "p-windows"]


def test_heart_failure_patient_scores(results: dict[str, PatientResult]) -> None:
    r = results["p-heart"]
    assert r.age == 82
    assert r.chronic_categories == ["chronic_liver_disease", "ckd", "depression", "diabetes", "heart_failure"]
    assert r.chronic_count == 5
    # chf 1 + diabwc 2 (diab zeroed) + rend 2 + msld 3 (mld zeroed); Quan: 2 + 1 + 1 + 4.
    assert (r.charlson_1987, r.charlson_quan2011, r.charlson_age_adjusted) == (8, 8, 12)
    assert (r.ip_6m, r.ip_12m, r.ed_6m, r.ed_12m) == (3, 3, 3, 3)
    assert r.readmissions_30d == 1
    assert r.days_since_discharge == 9
    assert r.lace == 14
    assert r.hospital_score == 8
    assert r.cost_12m == 20000.50
    assert {
        "behavioral",
        "social_need:food-insecurity",
        "recent_discharge",
        "high_risk_condition:heart_failure",
    } <= set(r.flags)
    assert "substance_use" not in r.flags


def test_heart_failure_reasons_name_codes_dates_and_points(results: dict[str, PatientResult]) -> None:
    r = results["p-heart"]
    charlson = texts(r, "charlson")
    assert "Congestive heart failure: I50.22 on 2025-03-01 → Charlson chf +1 (Quan 2011: +2)" in charlson
    assert any(
        t.startswith("Diabetes without chronic complication: E11.9") and "hierarchy" in t for t in charlson
    )
    assert any(t.startswith("Mild liver disease: K70.30") and "hierarchy" in t for t in charlson)
    assert texts(r, "lace") == [
        "LACE 14: L 4 (5 days), A 3 (emergent: ED visit on 2026-11-10), C 5 (Charlson 8, 1987 weights), "
        "E 2 (2 ED visits in 6 months before admission)"
    ]
    assert texts(r, "hospital") == [
        "HOSPITAL 8: H 1 (Hb 10.9 g/dL), O 0 (no active cancer), S 1 (Na 132 mmol/L), P 1 (1 procedure), "
        "IT 1 (urgent/emergent), A 2 (2 admissions in 12 months before), L 2 (5 days)"
    ]
    assert texts(r, "ip_6m") == ["3 inpatient stays in 6 months"]
    assert texts(r, "readmissions_30d") == [
        "Readmitted on 2026-06-20, 16 days after a discharge on 2026-06-04"
    ]
    lace = next(x for x in r.reasons if x["score"] == "lace")
    assert lace["evidence"]["encounter"] == "e-heart-ip2"
    assert lace["evidence"]["ed_visits"] == ["2026-08-01", "2026-09-15"]
    assert r.reasons[0]["score"] == "tier" and r.reasons[0]["points"] == r.tier


def test_metastatic_cancer_and_elective_same_day_stay(results: dict[str, PatientResult]) -> None:
    r = results["p-cancer"]
    assert r.age == 50
    assert (r.charlson_1987, r.charlson_quan2011, r.charlson_age_adjusted) == (12, 10, 13)
    assert r.lace == 5  # L 0 (same day), A 0 (elective), C 5, E 0
    assert r.hospital_score is None
    assert texts(r, "hospital") == ["HOSPITAL not scored: no haemoglobin and sodium recorded during the stay"]
    assert r.cost_12m == 4100.0


def test_snomed_coded_conditions_are_classified(results: dict[str, PatientResult]) -> None:
    r = results["p-snomed"]
    assert r.chronic_categories == ["diabetes", "hypertension"]
    assert (r.charlson_1987, r.charlson_quan2011) == (1, 0)
    assert r.lace is None and r.days_since_discharge is None
    assert r.cost_12m == 0.0  # the source has claims, this patient has none in 12 months


def test_window_boundaries_and_inactive_conditions(results: dict[str, PatientResult]) -> None:
    r = results["p-windows"]
    assert (r.ed_6m, r.ed_12m) == (1, 2 + 1)  # 182 days is inside 6 months, 365 inside 12, 366 outside
    assert r.chronic_count == 0  # resolved COPD and a future-dated onset do not count
    assert r.days_since_discharge == 31
    assert r.lace is None and "recent_discharge" not in r.flags


@pytest.mark.parametrize("compression", [None, "zstd"])
def test_plain_and_zstd_ndjson_and_parquet_inputs_agree(
    tmp_path: Path, results: dict[str, PatientResult], compression: str | None
) -> None:
    from carenav.analytics import inputs
    from carenav.analytics.pipeline import open_source

    ndjson = write_ndjson(tmp_path / "ndjson", compression=compression)
    assert all(p.name.endswith(".ndjson" + suffix(compression)) for p in ndjson.iterdir())
    with open_source("duckdb", ndjson, as_of=AS_OF) as source:
        inputs.export_parquet(source.backend, tmp_path / "parquet")
    again = {r.patient_ref: r for r in stratify("duckdb", tmp_path / "parquet", as_of=AS_OF)}
    assert {k: v.as_dict() for k, v in again.items()} == {k: v.as_dict() for k, v in results.items()}
