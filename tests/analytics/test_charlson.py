"""Charlson in the engine equals the pure scoring of reference §2 (weights, hierarchy) code by code."""

import ibis

from carenav.analytics import scores
from carenav.analytics.charlson import charlson_scores
from carenav.analytics.features import lookup_table
from carenav.terminology.valuesets import ICD10CM, SNOMED, charlson_hierarchy, charlson_weights, classify

PATIENTS = {
    1: [(ICD10CM, "I50.22"), (ICD10CM, "E11.9"), (ICD10CM, "E11.22"), (ICD10CM, "I10")],
    2: [(ICD10CM, "K70.30"), (ICD10CM, "K76.6"), (ICD10CM, "B20"), (ICD10CM, "C34.90"), (ICD10CM, "C78.00")],
    3: [(SNOMED, "44054006"), (ICD10CM, "J44.9"), (ICD10CM, "J45.909")],
    4: [(ICD10CM, "Z00.00")],
    5: [(ICD10CM, "E08.22"), (ICD10CM, "I09.81")],  # ICD-10-CM additions
}


def expected(codes: list[tuple[str, str]], weight_set: str) -> int:
    present = {
        m.category for system, code in codes for m in classify(system, code) if m.valueset == "charlson"
    }
    return scores.charlson(present, charlson_weights(weight_set), charlson_hierarchy()).total


def test_engine_charlson_matches_pure_scoring() -> None:
    con = ibis.duckdb.connect()
    rows = [(pid, system, code) for pid, codes in PATIENTS.items() for system, code in codes]
    codes = ibis.memtable(
        {"patient_id": [r[0] for r in rows], "system": [r[1] for r in rows], "code": [r[2] for r in rows]}
    )
    result = con.to_pyarrow(charlson_scores(codes, lookup_table())).to_pylist()
    got = {r["patient_id"]: (r["charlson_1987"], r["charlson_quan2011"]) for r in result}
    want = {
        pid: (expected(codes, "charlson1987"), expected(codes, "quan2011"))
        for pid, codes in PATIENTS.items()
        if expected(codes, "charlson1987") or expected(codes, "quan2011")
    }
    assert got == want
    assert got[1] == (1 + 2, 2 + 1)  # chf + diabwc (diab zeroed)
    assert got[2] == (3 + 6 + 6, 4 + 4 + 6)  # msld, aids, metacanc (mld and canc zeroed)
