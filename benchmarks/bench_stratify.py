"""Risk stratification benchmarks (figures in docs/stratification.md).

    # 1,000,000 synthetic patients from NDJSON on DuckDB: wall time and peak memory (process tree)
    python benchmarks/bench_stratify.py ndjson --patients 1000000 --dir var/bench/synth1m
    python benchmarks/bench_stratify.py ndjson --patients 1000000 --dir var/bench/synth1m-zst --compress zstd

    # 100,000 patients in the operational database (SQLite file; PostgreSQL under tools/with_postgres.py)
    python benchmarks/bench_stratify.py db --patients 100000 --dir var/bench/synth100k
    python tools/with_postgres.py -- python benchmarks/bench_stratify.py db --patients 100000 --dir var/bench/synth100k

The population is `carenav synth` output (generated into --dir when absent). The db mode loads it
into the Django tables with plain bulk SQL (not the FHIR importer: this measures stratification),
then times `stratify_organization`, which includes writing one RiskScore row per patient.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AS_OF = dt.date(2026, 11, 24)
RESOURCES = ["Patient", "Condition", "Encounter", "Observation", "Procedure", "Claim", "RelatedPerson"]


def ensure_population(directory: Path, patients: int, seed: int, *, compression: str | None = None) -> None:
    if any(directory.glob("Patient.*.ndjson*")):
        return
    from carenav.synth.generate import generate

    started = time.perf_counter()
    counts = generate(
        directory,
        patients=patients,
        seed=seed,
        as_of=AS_OF,
        workers=os.cpu_count() or 1,
        resource_types=RESOURCES,
        compression=compression,
    )
    print(f"generated {counts} in {time.perf_counter() - started:.0f} s", flush=True)


class PeakMemory:
    """Peak resident memory of this process and its children, sampled from /proc every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return 0
        return 0

    @staticmethod
    def _children(pid: int) -> list[int]:
        found: list[int] = []
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                found.extend(int(c) for c in task.read_text().split())
            except OSError:
                continue
        return found

    def _tree(self, pid: int) -> int:
        return self._rss(pid) + sum(self._tree(c) for c in self._children(pid))

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._tree(os.getpid()))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children (the scoring workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_ndjson(args: argparse.Namespace) -> None:
    from carenav.analytics.export import stratify_to_parquet

    ensure_population(args.dir, args.patients, args.seed, compression=args.compress)
    load_before = os.getloadavg()[0]
    out = args.out or (args.dir.parent / f"{args.dir.name}-results.parquet")
    size = sum(f.stat().st_size for f in args.dir.glob("*.ndjson*"))
    source, label = args.dir, f"NDJSON ({size / 1e9:.1f} GB)"
    if args.parquet:
        # Normalize once to Parquet (timed on its own), then stratify from the Parquet.
        from carenav.analytics import inputs
        from carenav.analytics.pipeline import LOOKBACK_DAYS

        started = time.perf_counter()
        con = inputs.duckdb_connect(
            database=args.parquet / "normalized.duckdb", memory_limit=args.memory_limit
        )
        inputs.from_ndjson(con, args.dir, as_of=AS_OF, lookback_days=LOOKBACK_DAYS)
        inputs.export_parquet(con, args.parquet)
        con.disconnect()
        (args.parquet / "normalized.duckdb").unlink()
        print(f"normalized NDJSON to Parquet in {time.perf_counter() - started:.1f} s", flush=True)
        source = args.parquet
        label = f"normalized Parquet ({sum(f.stat().st_size for f in args.parquet.glob('*.parquet')) / 1e9:.2f} GB)"
    with PeakMemory() as memory:
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        summary = stratify_to_parquet(
            "duckdb", source, out, as_of=AS_OF, memory_limit=args.memory_limit, workers=args.workers
        )
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
    print(
        f"duckdb over {label}, {summary.population_size:,} living patients: {seconds:.1f} s wall "
        f"(inputs {summary.input_seconds:.1f} s, features and scoring {seconds - summary.input_seconds:.1f} s), "
        f"{cpu:.0f} CPU-seconds (this process and its scoring workers; load average before/after "
        f"{load_before:.1f}/{os.getloadavg()[0]:.1f}), peak RSS {memory.peak / 2**30:.2f} GiB; "
        f"tiers {dict(sorted(summary.tiers.items()))}"
    )


def _load(directory: Path, organization_id: int) -> dict[str, int]:
    """Copy the NDJSON population into the Django tables with bulk SQL (DuckDB reads the files)."""
    import duckdb
    from django.db import connection

    def files(resource: str) -> str:
        return "[" + ", ".join(f"'{f}'" for f in sorted(directory.glob(f"{resource}.*.ndjson*"))) + "]"

    def ts(expr: str) -> str:
        text = f"strftime(CAST(TRY_CAST({expr} AS TIMESTAMPTZ) AS TIMESTAMP), '%Y-%m-%d %H:%M:%S')"
        return text if connection.vendor == "sqlite" else f"{text} || '+00:00'"

    def ref(expr: str) -> str:
        return f"regexp_replace({expr}, '^.*/', '')"

    duck = duckdb.connect()
    duck.execute("SET TimeZone = 'UTC'")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") + (
        "" if connection.vendor == "sqlite" else "+00:00"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM patients_patient")
        base = cursor.fetchone()[0]
    queries: dict[str, tuple[str, list[str]]] = {
        "patients_patient": (
            f"""SELECT {base} + row_number() OVER (ORDER BY id) AS id, {organization_id}, id, '', 'Synthetic',
                   'Pat', 'synthetic', 'pat', TRY_CAST(birthDate AS DATE)::VARCHAR, coalesce(gender, 'unknown'),
                   'en', false, '', '', '', '', '', '', {ts("deceasedDateTime")}, '{now}', '{now}'
                FROM read_json({files("Patient")}, columns={{'id': 'VARCHAR', 'birthDate': 'VARCHAR',
                     'gender': 'VARCHAR', 'deceasedDateTime': 'VARCHAR'}})""",
            [
                "id",
                "organization_id",
                "source_id",
                "mrn",
                "family_name",
                "given_name",
                "family_norm",
                "given_norm",
                "birth_date",
                "sex",
                "preferred_language",
                "interpreter_needed",
                "phone",
                "email",
                "address_line",
                "city",
                "state",
                "postal_code",
                "deceased_at",
                "created_at",
                "updated_at",
            ],
        ),
    }
    counts: dict[str, int] = {}
    table, (sql, columns) = next(iter(queries.items()))
    rows = duck.execute(sql).fetchall()
    _insert(table, columns, rows)
    counts[table] = len(rows)
    duck.execute(
        f"CREATE TABLE pm AS SELECT source_id AS ref, id FROM (SELECT {base} + row_number() OVER (ORDER BY id) "
        f"AS id, id AS source_id FROM read_json({files('Patient')}, columns={{'id': 'VARCHAR'}}))"
    )
    classes = (
        "CASE class.code WHEN 'IMP' THEN 'inpatient' WHEN 'EMER' THEN 'emergency' WHEN 'AMB' THEN 'ambulatory' "
        "WHEN 'OBSENC' THEN 'observation' WHEN 'HH' THEN 'home' WHEN 'VR' THEN 'virtual' ELSE 'other' END"
    )
    prio = "coalesce(CASE priority.coding[1].code WHEN 'EM' THEN 'emergency' WHEN 'UR' THEN 'urgent' WHEN 'EL' THEN 'elective' END, '')"
    duck.execute(
        f"""CREATE TABLE enc AS SELECT row_number() OVER (ORDER BY e.id) AS id, pm.id AS patient_id, e.id AS source_id,
               {classes} AS cls, {ts("period.start")} AS start_at, {ts('period."end"')} AS end_at, {prio} AS priority
            FROM read_json({files("Encounter")}, columns={{'id': 'VARCHAR', 'subject': 'STRUCT(reference VARCHAR)',
                 'class': 'STRUCT(code VARCHAR)', 'priority': 'STRUCT(coding STRUCT(code VARCHAR)[])',
                 'period': 'STRUCT(start VARCHAR, "end" VARCHAR)'}}) e JOIN pm ON pm.ref = {ref("e.subject.reference")}"""
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM patients_encounter")
        enc_base = cursor.fetchone()[0]
    simple = {
        "patients_encounter": (
            f"SELECT {enc_base} + id, patient_id, source_id, cls, 'finished', '', start_at, end_at, priority, '', '', "
            "'', '', '', '[]' FROM enc",
            [
                "id",
                "patient_id",
                "source_id",
                "encounter_class",
                "status",
                "type_display",
                "start",
                "end",
                "priority",
                "admit_source",
                "discharge_disposition",
                "facility",
                "reason_code",
                "reason_display",
                "diagnoses",
            ],
        ),
        "patients_condition": (
            f"""SELECT pm.id, c.id, CASE WHEN c.code.coding[1].system LIKE '%snomed%' THEN 'snomed' ELSE 'icd10cm' END,
                   c.code.coding[1].code, '', '', coalesce(c.clinicalStatus.coding[1].code, 'active'), '',
                   TRY_CAST(c.onsetDateTime AS DATE)::VARCHAR, TRY_CAST(c.abatementDateTime AS DATE)::VARCHAR,
                   TRY_CAST(c.recordedDate AS DATE)::VARCHAR
                FROM read_json({files("Condition")}, columns={{'id': 'VARCHAR', 'subject': 'STRUCT(reference VARCHAR)',
                     'code': 'STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[])',
                     'clinicalStatus': 'STRUCT(coding STRUCT(code VARCHAR)[])', 'onsetDateTime': 'VARCHAR',
                     'abatementDateTime': 'VARCHAR', 'recordedDate': 'VARCHAR'}}) c
                JOIN pm ON pm.ref = {ref("c.subject.reference")}""",
            [
                "patient_id",
                "source_id",
                "system",
                "code",
                "display",
                "category",
                "clinical_status",
                "verification_status",
                "onset_date",
                "abatement_date",
                "recorded_date",
            ],
        ),
        "patients_observation": (
            f"""SELECT pm.id, o.id, {enc_base} + enc.id, '', o.code.coding[1].code, '', o.valueQuantity.value, '',
                   coalesce(o.valueQuantity.unit, ''), '', 'final', {ts("o.effectiveDateTime")}
                FROM read_json({files("Observation")}, columns={{'id': 'VARCHAR', 'subject': 'STRUCT(reference VARCHAR)',
                     'encounter': 'STRUCT(reference VARCHAR)', 'code': 'STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[])',
                     'valueQuantity': 'STRUCT(value DOUBLE, unit VARCHAR)', 'effectiveDateTime': 'VARCHAR'}}) o
                JOIN pm ON pm.ref = {ref("o.subject.reference")}
                LEFT JOIN enc ON enc.source_id = {ref("o.encounter.reference")}
                WHERE o.effectiveDateTime IS NOT NULL""",
            [
                "patient_id",
                "source_id",
                "encounter_id",
                "category",
                "loinc",
                "display",
                "value_num",
                "value_text",
                "unit",
                "interpretation",
                "status",
                "effective",
            ],
        ),
        "patients_procedure": (
            f"""SELECT pm.id, p.id, {enc_base} + enc.id, 'snomed', p.code.coding[1].code, '', 'completed',
                   {ts("coalesce(p.performedDateTime, p.performedPeriod.start)")}
                FROM read_json({files("Procedure")}, columns={{'id': 'VARCHAR', 'subject': 'STRUCT(reference VARCHAR)',
                     'encounter': 'STRUCT(reference VARCHAR)', 'code': 'STRUCT(coding STRUCT(code VARCHAR)[])',
                     'performedDateTime': 'VARCHAR', 'performedPeriod': 'STRUCT(start VARCHAR)'}}) p
                JOIN pm ON pm.ref = {ref("p.subject.reference")}
                LEFT JOIN enc ON enc.source_id = {ref("p.encounter.reference")}""",
            [
                "patient_id",
                "source_id",
                "encounter_id",
                "system",
                "code",
                "display",
                "status",
                "performed_start",
            ],
        ),
        "patients_claim": (
            f"""SELECT pm.id, c.id, 'Claim', '', 'active', TRY_CAST(c.billablePeriod.start AS DATE)::VARCHAR,
                   c.total.value, 'USD', '[]'
                FROM read_json({files("Claim")}, columns={{'id': 'VARCHAR', 'patient': 'STRUCT(reference VARCHAR)',
                     'billablePeriod': 'STRUCT(start VARCHAR)', 'total': 'STRUCT(value DOUBLE)'}}) c
                JOIN pm ON pm.ref = {ref("c.patient.reference")}""",
            [
                "patient_id",
                "source_id",
                "resource_type",
                "claim_type",
                "status",
                "service_start",
                "total",
                "currency",
                "diagnoses",
            ],
        ),
        "patients_caregiver": (
            f"""SELECT pm.id, r.id, 'Caregiver', '', '', '', false, false, ''
                FROM read_json({files("RelatedPerson")}, columns={{'id': 'VARCHAR', 'patient': 'STRUCT(reference VARCHAR)'}}) r
                JOIN pm ON pm.ref = {ref("r.patient.reference")}""",
            [
                "patient_id",
                "source_id",
                "name",
                "relationship",
                "phone",
                "email",
                "is_primary",
                "lives_with_patient",
                "notes",
            ],
        ),
    }
    for table, (sql, columns) in simple.items():
        rows = duck.execute(sql).fetchall()
        _insert(table, columns, rows)
        counts[table] = len(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a database in service would have
    return counts


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection, transaction

    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


def bench_db(args: argparse.Namespace) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{(ROOT / 'var' / 'bench' / 'bench.sqlite3').resolve()}")
    os.environ.setdefault("CARENAV_HOME", str(ROOT / "var" / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from carenav.accounts.models import Organization
    from carenav.population.services import stratify_organization

    ensure_population(args.dir, args.patients, args.seed)
    call_command("migrate", verbosity=0)
    organization, created = Organization.objects.get_or_create(slug="bench", defaults={"name": "Benchmark"})
    if created or not organization.patients.exists():
        started = time.perf_counter()
        counts = _load(args.dir, organization.pk)
        print(f"loaded {counts} in {time.perf_counter() - started:.0f} s", flush=True)
    with PeakMemory() as memory:
        started = time.perf_counter()
        run = stratify_organization(actor=None, organization=organization, as_of=AS_OF)
        seconds = time.perf_counter() - started
    print(
        f"{connection.vendor}: {run.population_size:,} patients stratified and stored in {seconds:.1f} s "
        f"(run #{run.pk}), peak RSS {memory.peak / 2**30:.2f} GiB"
    )


def main() -> None:
    from carenav.core.compression import CODECS

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["ndjson", "db"])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, required=True, help="synthetic population directory (NDJSON)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--parquet", type=Path, help="ndjson mode: normalize to Parquet here first, then time that"
    )
    parser.add_argument(
        "--compress",
        choices=sorted(CODECS.values()),
        help="generate the population as .ndjson.gz or .ndjson.zst (when --dir has none)",
    )
    parser.add_argument("--workers", type=int)
    parser.add_argument("--memory-limit", default="3GB")
    args = parser.parse_args()
    (bench_ndjson if args.mode == "ndjson" else bench_db)(args)


if __name__ == "__main__":
    main()
