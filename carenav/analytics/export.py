"""Writing stratification results to Parquet (reasons as JSON text), streaming in batches."""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from carenav.analytics import pipeline
from carenav.analytics.config import DEFAULT_CONFIG, PriorityConfig, load_config
from carenav.analytics.inputs import epoch_day
from carenav.analytics.results import Scorer

SCHEMA = pa.schema(
    [
        ("patient_id", pa.int64()),
        ("patient_ref", pa.string()),
        ("tier", pa.int32()),
        ("priority", pa.float64()),
        ("age", pa.int32()),
        ("chronic_categories", pa.list_(pa.string())),
        ("chronic_count", pa.int32()),
        ("charlson_1987", pa.int32()),
        ("charlson_quan2011", pa.int32()),
        ("charlson_age_adjusted", pa.int32()),
        ("ip_6m", pa.int32()),
        ("ip_12m", pa.int32()),
        ("ed_6m", pa.int32()),
        ("ed_12m", pa.int32()),
        ("days_since_discharge", pa.int32()),
        ("readmissions_30d", pa.int32()),
        ("lace", pa.int32()),
        ("hospital_score", pa.int32()),
        ("cost_12m", pa.float64()),
        ("flags", pa.list_(pa.string())),
        ("reasons", pa.string()),
    ]
)
BATCH = 50_000


@dataclass
class Summary:
    """Counts a run reports: patients per tier."""

    population_size: int = 0
    tiers: Counter[int] = field(default_factory=Counter)
    input_seconds: float = 0.0  # connecting and normalizing the inputs, before any feature is computed


_worker_scorer: Scorer | None = None


def _init_worker(config: PriorityConfig, as_of_day: int, has_claims_data: bool) -> None:
    global _worker_scorer
    # Scoring allocates tens of thousands of small acyclic dicts and lists a batch, which reference
    # counting frees; the cyclic collector would re-scan them every few thousand allocations
    # (a third of the worker's time).
    gc.disable()
    _worker_scorer = Scorer(config, as_of_day=as_of_day, has_claims_data=has_claims_data)


def _score_batch(batch: pa.RecordBatch) -> tuple[pa.RecordBatch, Counter[int]]:
    """Score a batch of feature rows into a batch of result rows (reasons as JSON text).

    Each patient's reasons become JSON as soon as they are made, so only one patient's reason
    dicts are alive at a time and the working set stays in the CPU caches.
    """
    assert _worker_scorer is not None
    names = batch.schema.names
    rows: list[dict[str, Any]] = []
    reasons: list[bytes] = []
    for values in zip(*(column.to_pylist() for column in batch.columns), strict=True):
        row = vars(_worker_scorer.score(dict(zip(names, values, strict=True))))
        reasons.append(orjson.dumps(row.pop("reasons")))
        rows.append(row)
    columns = {name: [row[name] for row in rows] for name in SCHEMA.names if name != "reasons"}
    columns["reasons"] = reasons
    return pa.RecordBatch.from_pydict(columns, schema=SCHEMA), Counter(columns["tier"])


def stratify_to_parquet(
    engine: str,
    source: Any,
    path: Path | str,
    *,
    as_of: dt.date,
    config: PriorityConfig | Path | str | None = None,
    workers: int | None = None,
    memory_limit: str | None = None,
    batch_rows: int = 20_000,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Stratify a whole source into one Parquet file, scoring feature batches in worker processes.

    The engine computes the features (using every core); the per-patient scoring and reasons are
    plain Python, so they are spread over `workers` processes (default: one per core). `progress`
    receives a line for people at each phase and after each scored batch.
    """
    report = progress or (lambda message: None)
    cfg = config if isinstance(config, PriorityConfig) else load_config(config or DEFAULT_CONFIG)
    as_of_day = epoch_day(as_of)
    summary = Summary()
    started = time.perf_counter()
    report(f"Reading {source} on {engine}…")
    with pipeline.open_source(engine, source, as_of=as_of, memory_limit=memory_limit) as src:
        summary.input_seconds = time.perf_counter() - started
        report(f"Read in {summary.input_seconds:.0f} s; computing features…")
        features = pipeline.patient_features(src.inputs, src.lookup, as_of_day=as_of_day, windows=cfg.windows)
        has_claims = src.count(src.inputs.claims) > 0
        batches: Iterator[pa.RecordBatch] = src.batches(features, batch_rows)
        # spawn, not fork: the engine's threads are running and must not be copied mid-lock.
        context = multiprocessing.get_context("spawn")
        with (
            context.Pool(workers or os.cpu_count() or 1, _init_worker, (cfg, as_of_day, has_claims)) as pool,
            pq.ParquetWriter(str(path), SCHEMA, compression="zstd") as writer,
        ):
            for scored, tiers in pool.imap(_score_batch, batches):
                writer.write_batch(scored)
                summary.population_size += scored.num_rows
                summary.tiers.update(tiers)
                report(f"Scored {summary.population_size:,} patients…")
    return summary
