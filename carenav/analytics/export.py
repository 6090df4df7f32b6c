"""Writing stratification results to Parquet (reasons as JSON text), streaming in batches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from carenav.analytics.results import PatientResult

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

    def add(self, result: PatientResult) -> None:
        self.population_size += 1
        self.tiers[result.tier] += 1


def _batch(rows: list[PatientResult]) -> pa.RecordBatch:
    columns: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
    for r in rows:
        for name in SCHEMA.names:
            value = getattr(r, name)
            columns[name].append(orjson.dumps(value).decode() if name == "reasons" else value)
    return pa.RecordBatch.from_pydict(columns, schema=SCHEMA)


def write_parquet(
    results: Iterable[PatientResult], path: Path | str, summary: Summary | None = None
) -> Summary:
    """Stream results into one Parquet file; returns (or fills) the per-tier summary."""
    summary = summary or Summary()
    rows: list[PatientResult] = []
    with pq.ParquetWriter(str(path), SCHEMA, compression="zstd") as writer:
        for result in results:
            summary.add(result)
            rows.append(result)
            if len(rows) >= BATCH:
                writer.write_batch(_batch(rows))
                rows = []
        if rows:
            writer.write_batch(_batch(rows))
    return summary
