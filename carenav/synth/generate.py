"""Writing a synthetic population as a FHIR bulk-data export: ``<Type>.<chunk>.ndjson[.gz|.zst]``.

Patient ``i`` is drawn from its own random stream, seeded from a hash of (seed, i), so its resources
depend only on (seed, i, as-of day). The index range is cut into fixed-size chunks (independent of
the worker count) and each chunk is written to its own set of files, so the files are byte-identical
whether one process or many wrote them. Nothing is kept in memory beyond one patient and the
write buffers.
"""

import hashlib
import multiprocessing
import os
import random
import re
from collections.abc import Callable, Collection, Iterator
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import orjson

from carenav.core.compression import CODECS, suffix, writing
from carenav.synth.fhir import RESOURCE_TYPES, Renderer, Resource
from carenav.synth.model import sample_person

DEFAULT_CHUNK_SIZE = 10_000
_FLUSH_LINES = 512
_TICK = 200  # patients between progress reports
_FILE_PATTERN = re.compile(
    rf"^({'|'.join(RESOURCE_TYPES)})\.\d+\.ndjson({'|'.join(map(re.escape, CODECS))})?$"
)

Progress = Callable[[int], None]


class _Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...

    def close(self) -> None: ...


def patient_rng(seed: int, index: int) -> random.Random:
    """The random stream of patient ``index``: a function of (seed, index) only."""
    digest = hashlib.blake2b(f"carenav-synth:{seed}:{index}".encode(), digest_size=16).digest()
    return random.Random(int.from_bytes(digest, "big"))


def iter_resources(seed: int, as_of: date, start: int, stop: int) -> Iterator[tuple[str, Resource]]:
    """(resource type, resource) for patients ``start`` to ``stop - 1``, in order."""
    renderer = Renderer(seed, as_of)
    for index in range(start, stop):
        rng = patient_rng(seed, index)
        yield from renderer.render(rng, sample_person(rng, index, as_of))


class _ChunkFiles:
    """One chunk's output files, opened on first use so empty types leave no file behind."""

    def __init__(self, out_dir: Path, chunk: str, compression: str | None) -> None:
        self.out_dir, self.chunk, self.compression = out_dir, chunk, compression
        self.writers: dict[str, _Sink] = {}
        self.handles: list[_Sink] = []  # closed in order: compressors before their files
        self.pending: dict[str, list[bytes]] = {t: [] for t in RESOURCE_TYPES}
        self.counts: dict[str, int] = dict.fromkeys(RESOURCE_TYPES, 0)

    def add(self, resource_type: str, line: bytes) -> None:
        pending = self.pending[resource_type]
        pending.append(line)
        if len(pending) >= _FLUSH_LINES:
            self.flush(resource_type)

    def flush(self, resource_type: str) -> None:
        pending = self.pending[resource_type]
        if not pending:
            return
        if resource_type not in self.writers:
            path = self.out_dir / f"{resource_type}.{self.chunk}.ndjson{suffix(self.compression)}"
            raw = open(path, "wb", buffering=1 << 20)  # noqa: SIM115 (closed in close())
            writer: _Sink = writing(raw, self.compression)
            if writer is not raw:
                self.handles.append(writer)
            self.handles.append(raw)
            self.writers[resource_type] = writer
        self.writers[resource_type].write(b"".join(pending))
        self.counts[resource_type] += len(pending)
        pending.clear()

    def close(self) -> None:
        for resource_type in RESOURCE_TYPES:
            self.flush(resource_type)
        for handle in self.handles:
            handle.close()


def write_chunk(
    out_dir: Path,
    *,
    seed: int,
    as_of: date,
    start: int,
    stop: int,
    chunk: str,
    compression: str | None,
    resource_types: Collection[str] | None = None,
    tick: Progress | None = None,
) -> dict[str, int]:
    """Write patients ``start`` to ``stop - 1`` to this chunk's files; counts per resource type."""
    files = _ChunkFiles(out_dir, chunk, compression)
    wanted = set(resource_types) if resource_types is not None else None
    dumps = orjson.dumps
    renderer = Renderer(seed, as_of)
    done = 0
    try:
        for index in range(start, stop):
            rng = patient_rng(seed, index)
            for resource_type, resource in renderer.render(rng, sample_person(rng, index, as_of)):
                if wanted is None or resource_type in wanted:
                    files.add(resource_type, dumps(resource, option=orjson.OPT_APPEND_NEWLINE))
            done += 1
            if tick is not None and done == _TICK:
                tick(done)
                done = 0
    finally:
        files.close()
    if tick is not None and done:
        tick(done)
    return files.counts


def _remove_previous_output(out_dir: Path) -> None:
    """Delete files of an earlier export in the same directory, so no stale chunk is left behind."""
    for path in out_dir.iterdir():
        if _FILE_PATTERN.match(path.name) and path.is_file():
            path.unlink()


_COUNTER: Any = None


def _init_worker(counter: Any) -> None:
    global _COUNTER
    _COUNTER = counter


def _tick_shared(n: int) -> None:
    with _COUNTER.get_lock():
        _COUNTER.value += n


def _run_chunk(
    task: tuple[str, int, date, int, int, str, str | None, tuple[str, ...] | None],
) -> dict[str, int]:
    out_dir, seed, as_of, start, stop, chunk, compression, resource_types = task
    return write_chunk(
        Path(out_dir),
        seed=seed,
        as_of=as_of,
        start=start,
        stop=stop,
        chunk=chunk,
        compression=compression,
        resource_types=resource_types,
        tick=_tick_shared,
    )


def generate(
    out_dir: str | os.PathLike[str],
    *,
    patients: int,
    seed: int,
    as_of: date,
    compression: str | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    resource_types: Collection[str] | None = None,
) -> dict[str, int]:
    """Write ``patients`` synthetic patients to ``out_dir``; returns resources written per type.

    ``progress`` is called with the number of patients finished since its previous call.
    ``resource_types`` limits the files written (the patients are generated in full either way, so
    the resources that are written do not change).
    """
    if patients < 0:
        raise ValueError("patients must be >= 0")
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    suffix(compression)  # an unknown codec fails here, not in a worker
    if resource_types is not None and not set(resource_types) <= set(RESOURCE_TYPES):
        raise ValueError(f"unknown resource types: {sorted(set(resource_types) - set(RESOURCE_TYPES))}")
    path = Path(out_dir)
    path.mkdir(parents=True, exist_ok=True)
    _remove_previous_output(path)
    n_chunks = (patients + chunk_size - 1) // chunk_size
    width = max(3, len(str(max(0, n_chunks - 1))))
    types = tuple(resource_types) if resource_types is not None else None
    tasks = [
        (
            str(path),
            seed,
            as_of,
            c * chunk_size,
            min(patients, (c + 1) * chunk_size),
            f"{c:0{width}d}",
            compression,
            types,
        )
        for c in range(n_chunks)
    ]
    totals = dict.fromkeys(RESOURCE_TYPES, 0)
    workers = max(1, min(workers, n_chunks))
    if workers == 1:
        for task in tasks:
            counts = write_chunk(
                path,
                seed=seed,
                as_of=as_of,
                start=task[3],
                stop=task[4],
                chunk=task[5],
                compression=compression,
                resource_types=types,
                tick=progress,
            )
            for k, v in counts.items():
                totals[k] += v
        return totals
    # spawn, not fork: the caller may run threads (a progress bar), which fork does not copy safely.
    context = multiprocessing.get_context("spawn")
    counter = context.Value("q", 0)
    reported = 0
    with context.Pool(workers, initializer=_init_worker, initargs=(counter,)) as pool:
        result = pool.map_async(_run_chunk, tasks, chunksize=1)
        while not result.ready():
            result.wait(0.25)
            if progress is not None:
                current = counter.value
                if current > reported:
                    progress(current - reported)
                    reported = current
        for counts in result.get():
            for k, v in counts.items():
                totals[k] += v
    if progress is not None and patients > reported:
        progress(patients - reported)
    return totals
