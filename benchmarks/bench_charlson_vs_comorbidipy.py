"""Charlson alone: carenav (Ibis on DuckDB) against comorbidipy 0.8 on the same ICD-10 input.

    python benchmarks/bench_charlson_vs_comorbidipy.py --patients 100000

comorbidipy 0.8 needs Python >= 3.13 (its PyPI metadata says so); it runs in its own virtualenv:

    ~/.pyenv/versions/3.13.0/bin/python -m venv var/venv-comorbidipy
    var/venv-comorbidipy/bin/pip install comorbidipy==0.8.0 pyarrow

Both sides get the same rows (patient id, dot-free ICD-10 code, age) from one Parquet file; reading
it is not timed. comorbidipy is timed around one `comorbidity()` call per weighting, carenav around
one query that computes both weight sets. Every patient-level disagreement is attributed to a cause
against the published weights (reference §2.2 and Appendix A); the script fails if any is unexplained.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PEER = ROOT / "var" / "venv-comorbidipy" / "bin" / "python"

# Codes outside every Charlson category, common in primary care.
OTHER_CODES = ["I10", "E785", "J069", "M545", "Z0000", "R05", "K219", "F419", "E669", "N390", "M179", "G4733",
               "E039", "D649", "R51", "J309", "L409", "H2513", "Z23", "R0602"]  # fmt: skip

PEER_SCRIPT = r"""
import sys, time, json
import polars as pl
from comorbidipy import comorbidity, ScoreType, ICDVersion, MappingVariant, WeightingVariant
df = pl.read_parquet(sys.argv[1])
timings = {}
out = None
for name, weighting in (("quan", WeightingVariant.QUAN), ("charlson", WeightingVariant.CHARLSON)):
    started = time.perf_counter()
    result = comorbidity(df, id_col="id", code_col="code", age_col="age", score=ScoreType.CHARLSON,
                         icd=ICDVersion.ICD10, variant=MappingVariant.QUAN, weighting=weighting, assign0=True)
    timings[name] = time.perf_counter() - started
    scored = result.select("id", pl.col("comorbidity_score").alias(name))
    out = scored if out is None else out.join(scored, on="id", how="full", coalesce=True)
out.write_parquet(sys.argv[2])
print(json.dumps(timings))
"""


def make_input(path: Path, patients: int, seed: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from carenav.terminology.valuesets import get_valueset

    rng = random.Random(seed)
    charlson = [p for c in get_valueset("charlson").categories for p in c.icd10cm_prefixes]
    ids, codes, ages = [], [], []
    for pid in range(1, patients + 1):
        age = rng.randint(18, 99)
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.3:
                prefix = rng.choice(charlson)
                code = prefix + "".join(rng.choice("0123456789") for _ in range(max(0, 5 - len(prefix))))
            else:
                code = rng.choice(OTHER_CODES)
            ids.append(pid)
            codes.append(code)
            ages.append(age)
    pq.write_table(pa.table({"id": ids, "code": codes, "age": ages}), path)


def run_ours(path: Path) -> tuple[float, dict[int, tuple[int, int]], dict[int, tuple[int, int]]]:
    """Timed: both weight sets with the value set as shipped. Untimed: published Quan prefixes only."""
    import ibis
    import pyarrow as pa

    from carenav.analytics.charlson import charlson_scores
    from carenav.analytics.features import lookup_table
    from carenav.analytics.inputs import duckdb_connect
    from carenav.terminology.valuesets import ICD10CM, get_valueset

    con = duckdb_connect()
    con.con.execute(
        f"CREATE TABLE codes AS SELECT id AS patient_id, '{ICD10CM}' AS system, code FROM '{path}'"
    )
    con.con.register("lookup_rows", lookup_table().to_pyarrow())
    con.con.execute("CREATE TABLE lookup AS SELECT * FROM lookup_rows")
    codes, lookup = con.table("codes"), con.table("lookup")

    def arrow(expr: ibis.Table) -> pa.Table:
        return con.con.sql(con.compile(expr)).to_arrow_table()

    def scores(table: pa.Table) -> dict[int, tuple[int, int]]:
        return {r["patient_id"]: (r["charlson_1987"], r["charlson_quan2011"]) for r in table.to_pylist()}

    # Timed: building the query and computing the Arrow table of scores (comorbidipy returns a DataFrame).
    started = time.perf_counter()
    result = arrow(charlson_scores(codes, lookup))
    seconds = time.perf_counter() - started
    additions = [p for c in get_valueset("charlson").categories for p in c.icd10cm_additions]
    published = lookup.filter(~((lookup.valueset == "charlson") & lookup.code_or_prefix.isin(additions)))
    return seconds, scores(result), scores(arrow(charlson_scores(codes, published)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2005)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    if not PEER.exists():
        sys.exit(f"{PEER} not found: create the comorbidipy virtualenv first (see the docstring).")

    import pyarrow.parquet as pq

    from carenav.terminology.valuesets import get_valueset

    args.workdir.mkdir(parents=True, exist_ok=True)
    source = args.workdir / f"charlson-input-{args.patients}.parquet"
    peer_out = args.workdir / f"charlson-comorbidipy-{args.patients}.parquet"
    make_input(source, args.patients, args.seed)
    rows = pq.read_table(source).to_pylist()
    codes_by_patient: dict[int, set[str]] = {}
    for r in rows:
        codes_by_patient.setdefault(r["id"], set()).add(r["code"])

    ours_seconds, shipped, published = run_ours(source)
    peer = subprocess.run([str(PEER), "-c", PEER_SCRIPT, str(source), str(peer_out)], check=True,
                          capture_output=True, text=True)  # fmt: skip
    peer_times = json.loads(peer.stdout.strip().splitlines()[-1])
    theirs = {r["id"]: (r["charlson"], r["quan"]) for r in pq.read_table(peer_out).to_pylist()}

    additions = tuple(p for c in get_valueset("charlson").categories for p in c.icd10cm_additions)
    aids = ("B20", "B21", "B22", "B24")
    report: dict[str, object] = {
        "patients": args.patients,
        "input_rows": len(rows),
        "carenav_seconds_both_weight_sets": round(ours_seconds, 3),
        "comorbidipy_seconds": {k: round(v, 3) for k, v in peer_times.items()},
        "time_ratio_carenav_over_comorbidipy_quan": round(ours_seconds / peer_times["quan"], 3),
    }
    for label, ours in (
        ("published_quan_prefixes", published),
        ("as_shipped_with_icd10cm_additions", shipped),
    ):
        causes: dict[str, int] = {}
        disagree = {"charlson1987": 0, "quan2011": 0}
        for pid in codes_by_patient:
            mine, other = ours.get(pid, (0, 0)), theirs.get(pid, (0, 0))
            for index, weight_set in enumerate(("charlson1987", "quan2011")):
                if mine[index] == other[index]:
                    continue
                disagree[weight_set] += 1
                codes = codes_by_patient[pid]
                if any(c.startswith(additions) for c in codes) and not (
                    weight_set == "quan2011" and any(c.startswith(aids) for c in codes)
                ):
                    cause = "ICD-10-CM addition (not in Quan's WHO lists)"
                elif weight_set == "quan2011" and any(c.startswith(aids) for c in codes):
                    cause = "AIDS/HIV weight: Quan 2011 = 4, comorbidipy = 2"
                else:
                    cause = "unexplained"
                key = f"{weight_set}: {cause}"
                causes[key] = causes.get(key, 0) + 1
        report[label] = {
            "agreement": {k: round(1 - v / len(codes_by_patient), 5) for k, v in disagree.items()},
            "disagreements": disagree,
            "causes": causes,
        }
    print(json.dumps(report, indent=2))
    (args.workdir / "charlson-vs-comorbidipy.json").write_text(json.dumps(report, indent=2))
    if any(
        "unexplained" in k
        for section in ("published_quan_prefixes", "as_shipped_with_icd10cm_additions")
        for k in report[section]["causes"]
    ):  # type: ignore[index]
        sys.exit("unexplained disagreements: see the report above")


if __name__ == "__main__":
    main()
