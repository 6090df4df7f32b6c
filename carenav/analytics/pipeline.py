"""`stratify()`: pick an engine, normalize its inputs, run the feature expressions, score each patient.

Engines:
    db       the operational database through Ibis (source: a sqlite:/// or postgres:// URL)
    duckdb   DuckDB over FHIR bulk NDJSON or normalized Parquet (source: a directory)
    pyspark  Spark (local mode unless the session says otherwise) over normalized Parquet; an NDJSON
             directory is first normalized to Parquet by DuckDB (source: a directory)
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from carenav.analytics import inputs as normalize
from carenav.analytics.config import DEFAULT_CONFIG, PriorityConfig, load_config
from carenav.analytics.features import lookup_records, lookup_table, patient_features
from carenav.analytics.results import PatientResult, Scorer

ENGINES = ("db", "duckdb", "pyspark")
BATCH_ROWS = 50_000
DUCKDB_RANGES = 5  # more ranges start scoring sooner but repeat each range's scans (20: twice the CPU)
# Rows older than this (days before as_of) cannot change any score; file normalization drops them.
LOOKBACK_DAYS = 365 + 183


@dataclass
class Source:
    """An engine with its normalized inputs and a way to stream a table's rows."""

    engine: str
    backend: Any
    inputs: normalize.Inputs
    lookup: Table

    def batches(self, expr: Table, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        # Backends differ in the integer width of sums (DuckDB: HUGEINT); cast to the expression's schema.
        schema = expr.schema().to_pyarrow()
        batches = (
            self._duckdb_batches(expr, batch_rows)
            if self.engine == "duckdb"
            else expr.to_pyarrow_batches(chunk_size=batch_rows)
        )
        for batch in batches:
            yield batch.cast(schema)

    def _duckdb_batches(self, expr: Table, batch_rows: int) -> Iterator[pa.RecordBatch]:
        """Straight from DuckDB's Arrow reader, in patient-id ranges.

        DuckDB finishes an aggregation before it returns its first row; range by range, the caller
        scores one range while the engine computes the next, and holds one range at a time.
        """
        top = int(self.inputs.patients.patient_id.max().to_pyarrow().as_py() or 0)
        step = top // DUCKDB_RANGES + 1
        for low in range(0, top + 1, step):
            part = expr.filter((expr.patient_id >= low) & (expr.patient_id < low + step))
            yield from self.backend.con.sql(self.backend.compile(part)).to_arrow_reader(batch_rows)

    def count(self, table: Table) -> int:
        return int(table.count().to_pyarrow().as_py())


def _spark_session() -> Any:
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("carenav-stratify")
    if not os.environ.get("SPARK_REMOTE") and not os.environ.get("MASTER"):
        # Local workers run this interpreter (and its packages), not whatever `python3` is on PATH.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.master(f"local[{os.cpu_count() or 1}]")
    return (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", os.environ.get("CARENAV_SPARK_PARTITIONS", "8"))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def _temporary_lookup(backend: Any, stack: ExitStack) -> Table:
    """The value-set rows as a TEMP table, written through the DB-API cursor.

    Ibis would register an in-memory table by creating and committing a table, which must not
    happen on a connection shared with Django (it would end the caller's transaction).
    """
    name = "carenav_valueset_lookup"
    sqlite = backend.name == "sqlite"
    marker = "?" if sqlite else "%s"
    cursor = backend.con.cursor()
    cursor.execute(f"DROP TABLE IF EXISTS {'temp.' if sqlite else ''}{name}")
    cursor.execute(
        f"CREATE TEMP TABLE {name} (valueset TEXT, version TEXT, category TEXT, lk_system TEXT, "
        "code_or_prefix TEXT, match_kind TEXT, lk_stem TEXT)"
    )
    cursor.executemany(f"INSERT INTO {name} VALUES ({', '.join([marker] * 7)})", lookup_records())
    # Indexed join keys make the planner probe the lookup for each code, not scan the codes per prefix.
    cursor.execute(f"CREATE INDEX {name}_stem ON {name} (lk_system, lk_stem)")
    cursor.execute(f"CREATE INDEX {name}_code ON {name} (lk_system, code_or_prefix)")
    stack.callback(lambda: backend.con.cursor().execute(f"DROP TABLE IF EXISTS {name}"))
    return backend.table(name, database="temp") if sqlite else backend.table(name)


@contextmanager
def open_source(
    engine: str,
    source: Any,
    *,
    as_of: dt.date,
    organization_id: int | None = None,
    memory_limit: str | None = None,
) -> Iterator[Source]:
    """Connect the engine to its data and yield the normalized inputs."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    with ExitStack() as stack:
        if engine == "db":
            if isinstance(source, str):
                backend = ibis.connect(source)
                if backend.name == "postgres":
                    backend.raw_sql("SET TIME ZONE 'UTC'")
            else:
                backend = source  # an Ibis backend, e.g. on Django's connection (already UTC)
            if backend.name == "postgres":
                # With table statistics PostgreSQL under-estimates the derived tables (rows=1) and
                # picks nested loops that run for minutes; hash joins take seconds. Inside a
                # transaction (the service's) the setting ends with it.
                idle = backend.con.info.transaction_status == 0
                backend.con.execute(f"SET {'' if idle else 'LOCAL '}enable_nestloop = off")
            inputs = normalize.from_operational(backend, organization_id=organization_id)
            yield Source(engine, backend, inputs, _temporary_lookup(backend, stack))
            return
        directory = Path(source)
        if not directory.is_dir():
            raise FileNotFoundError(f"{directory} is not a directory of NDJSON or Parquet files")
        if engine == "duckdb":
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="carenav-duckdb-")))
            backend = normalize.duckdb_connect(memory_limit=memory_limit, spill_to=scratch)
            stack.callback(backend.disconnect)
            if normalize.is_normalized_parquet(directory):
                inputs = normalize.from_parquet_duckdb(backend, directory)
            else:
                inputs = normalize.from_ndjson(backend, directory, as_of=as_of, lookback_days=LOOKBACK_DAYS)
            backend.con.register("valueset_lookup_rows", lookup_table().to_pyarrow())
            backend.con.execute("CREATE TABLE valueset_lookup AS SELECT * FROM valueset_lookup_rows")
            lookup = backend.table("valueset_lookup")
            yield Source(engine, backend, inputs, lookup)
            return
        if not normalize.is_normalized_parquet(directory):
            staged = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="carenav-spark-")))
            duck = normalize.duckdb_connect(database=staged / "normalized.duckdb", memory_limit=memory_limit)
            normalize.from_ndjson(duck, directory, as_of=as_of, lookback_days=LOOKBACK_DAYS)
            normalize.export_parquet(duck, staged)
            duck.disconnect()
            directory = staged
        session = _spark_session()
        backend, inputs = normalize.from_parquet_spark(session, directory)
        lookup_frame = lookup_table().to_pyarrow().to_pandas()
        session.createDataFrame(lookup_frame).createOrReplaceTempView("valueset_lookup")
        yield Source(engine, backend, inputs, backend.table("valueset_lookup"))


@dataclass
class Stratification:
    """A finished or streaming run's description (what the population app stores on RiskRun)."""

    engine: str
    as_of: dt.date
    config: PriorityConfig
    valueset_versions: dict[str, str]


def stratify(
    engine: str,
    source: Any,
    *,
    as_of: dt.date,
    config: PriorityConfig | Path | str | None = None,
    organization_id: int | None = None,
    memory_limit: str | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[PatientResult]:
    """Stratify every living patient of the source as of a date, yielding results in patient-id order."""
    cfg = config if isinstance(config, PriorityConfig) else load_config(config or DEFAULT_CONFIG)
    as_of_day = normalize.epoch_day(as_of)
    with open_source(
        engine, source, as_of=as_of, organization_id=organization_id, memory_limit=memory_limit
    ) as src:
        features = patient_features(src.inputs, src.lookup, as_of_day=as_of_day, windows=cfg.windows)
        scorer = Scorer(cfg, as_of_day=as_of_day, has_claims_data=src.count(src.inputs.claims) > 0)
        for batch in src.batches(features, batch_rows):
            names = batch.schema.names
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for values in zip(*columns, strict=True):
                yield scorer.score(dict(zip(names, values, strict=True)))


def describe(
    engine: str, as_of: dt.date, config: PriorityConfig | Path | str | None = None
) -> Stratification:
    """The metadata a run records: engine, date, configuration and value-set versions."""
    cfg = config if isinstance(config, PriorityConfig) else load_config(config or DEFAULT_CONFIG)
    scorer = Scorer(cfg, as_of_day=normalize.epoch_day(as_of), has_claims_data=False)
    return Stratification(engine, as_of, cfg, scorer.valueset_versions)
