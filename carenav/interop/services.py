"""`import_paths`: FHIR R4 bundles and bulk NDJSON → carenav, validated, idempotent, restartable.

Two passes over a disk-backed staging store, so memory stays flat and file order does not matter:

1. Read every file once (streaming), validate each resource (structure + codes), map it to a row,
   and stage it keyed by (table, source id). A repeated resource keeps its latest version
   (meta.lastUpdated, then meta.versionId, then read order). Patient aliases (bundle fullUrls,
   identifiers for conditional references) go in the same store.
2. Read the staged rows back grouped by patient and write chunks of whole patients, one transaction
   per chunk: a crash or kill leaves every patient either fully written or untouched, and a rerun
   (upserts on the source ids) completes the job without duplicates.
"""

import marshal
import multiprocessing
import os
import pickle
import queue
import socket
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from carenav.accounts.models import Organization
from carenav.audit.services import audit_record
from carenav.core import clock
from carenav.core.collector import fewer_collections
from carenav.interop import fhirspec
from carenav.interop.models import ImportIssue, ImportRun
from carenav.interop.pipeline import Task, run_task, tasks
from carenav.interop.readers import InputFile, discover
from carenav.interop.writer import ChunkResult, Staged, Writer

WRITERS = 2  # processes writing chunks at once, each reading and decoding its own
PARALLEL_BYTES = 20_000_000  # below this, starting worker processes costs more than it saves
WINDOW_PER_WORKER = 4  # tasks in flight per worker: bounded, so memory stays flat
COUNT_KEYS = ("read", "imported", "updated", "duplicate", "skipped", "rejected")
STAGE_BATCH = 2000
ISSUE_BATCH = 1000


class _Stage:
    """A throwaway SQLite file holding the mapped rows between the two passes."""

    def __init__(self, directory: str) -> None:
        self.path = str(Path(directory) / "stage.sqlite3")
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;
            CREATE TABLE res (
                seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, sid TEXT NOT NULL, rtype TEXT NOT NULL,
                pref TEXT, eref TEXT, lu TEXT, vid INTEGER, file TEXT, loc TEXT, blob BLOB,
                UNIQUE (tbl, sid));
            CREATE TABLE alias (key TEXT PRIMARY KEY, canon TEXT NOT NULL);
            """
        )
        self.pending: list[tuple[Any, ...]] = []
        self.aliases: list[tuple[str, str]] = []

    def add(self, rows: list[tuple[Any, ...]], aliases: list[tuple[str, str]]) -> None:
        """rows: (table, source id, type, patient ref, encounter ref, lastUpdated, versionId, blob,
        file, location), in read order."""
        self.pending.extend(rows)
        self.aliases.extend(aliases)
        if len(self.pending) >= STAGE_BATCH:
            self.flush()

    def flush(self) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(
            """INSERT INTO res (tbl, sid, rtype, pref, eref, lu, vid, blob, file, loc)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (tbl, sid) DO UPDATE SET rtype = excluded.rtype, pref = excluded.pref,
                 eref = excluded.eref, lu = excluded.lu, vid = excluded.vid, file = excluded.file,
                 loc = excluded.loc, blob = excluded.blob
               WHERE (excluded.lu IS NULL OR res.lu IS NULL OR excluded.lu >= res.lu)
                 AND (excluded.vid IS NULL OR res.vid IS NULL OR excluded.vid >= res.vid)""",
            self.pending,
        )
        self.db.executemany("INSERT OR REPLACE INTO alias VALUES (?, ?)", self.aliases)
        self.db.execute("COMMIT")
        self.pending.clear()
        self.aliases.clear()

    def staged_by_type(self) -> Counter[str]:
        return Counter(dict(self.db.execute("SELECT rtype, count(*) FROM res GROUP BY rtype").fetchall()))

    def by_patient(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """(patient, staged row) ordered by the resolved patient reference; `_staged` decodes a row."""
        return _by_patient(self.db)

    def close(self) -> None:
        self.db.close()


def _by_patient(
    db: sqlite3.Connection, part: int = 0, parts: int = 1
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Staged rows ordered by their resolved patient; with `parts`, only the patients of `part` (a
    split on the reference's last two characters, in SQL, so each writer reads only its own)."""
    where = ""
    if parts > 1:
        last = "ifnull(unicode(substr(patient, -1)), 0) + ifnull(unicode(substr(patient, -2, 1)), 0)"
        where = f"WHERE ({last}) % {parts:d} = {part:d}"
    cursor = db.execute(
        f"""SELECT coalesce(a.canon, r.pref) AS patient, coalesce(b.canon, r.eref), r.tbl, r.sid,
                   r.rtype, r.file, r.loc, r.blob, r.lu, r.vid
            FROM res r LEFT JOIN alias a ON a.key = r.pref LEFT JOIN alias b ON b.key = r.eref
            {where} ORDER BY patient, r.seq"""
    )
    while rows := cursor.fetchmany(5000):
        for row in rows:
            yield row[0], row


def _staged(row: tuple[Any, ...]) -> Staged:
    patient, eref, tbl, sid, rtype, file, loc, blob, lu, vid = row
    mapped, children, condition_refs = marshal.loads(blob)
    return Staged(tbl, sid, rtype, file, loc, mapped, children, condition_refs, patient, eref, lu, vid)


def _chunks(
    rows: Iterator[tuple[str, tuple[Any, ...]]], chunk_patients: int
) -> Iterator[tuple[int, dict[str, list[Staged]], int]]:
    """(number, whole patients, resources) of `chunk_patients` patients at a time (a patient never
    spans two chunks)."""
    groups: dict[str, list[Staged]] = {}
    number = size = 0
    for patient, row in rows:
        if patient not in groups and len(groups) >= chunk_patients:
            yield number, groups, size
            groups, number, size = {}, number + 1, 0
        groups.setdefault(patient, []).append(_staged(row))
        size += 1
    if groups:
        yield number, groups, size


class _Progress:
    """A rich progress bar with counts and rate, or nothing (tests, progress=False)."""

    def __init__(self, console: Console | None, enabled: bool) -> None:
        self.bar: Progress | None = None
        if console is not None and enabled:
            self.bar = Progress(
                TextColumn("{task.description:<9}"),
                BarColumn(),
                TextColumn("{task.fields[count]:>10,} resources  {task.fields[rate]:>8,.0f}/s"),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            )
        self.task: Any = None
        self.started = 0.0

    def __enter__(self) -> "_Progress":
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def phase(self, description: str, total: float) -> None:
        self.started = time.perf_counter()
        if self.bar is not None:
            self.task = self.bar.add_task(description, total=total, count=0, rate=0.0)

    def update(self, completed: float, count: int) -> None:
        if self.bar is not None:
            rate = count / max(time.perf_counter() - self.started, 1e-6)
            self.bar.update(self.task, completed=completed, count=count, rate=rate)


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    if workers <= 1:
        yield None
        return
    # fork: the workers need no Django setup (they never touch the database) and inherit the specs
    fhirspec.preload()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _ordered(
    pool: ProcessPoolExecutor | None, file: InputFile, tz: str, workers: int
) -> Iterator[tuple[Task, int]]:
    """(task outcome, bytes read) of each task of `file`, in file order, with a bounded window in flight."""
    name = str(file.path)
    if pool is None:
        for kind, payload, position in tasks(file):
            yield run_task(kind, payload, tz, name), position
        return
    window: deque[tuple[Future[Task], int]] = deque()
    for kind, payload, position in tasks(file):
        window.append((pool.submit(run_task, kind, payload, tz, name), position))
        if len(window) >= workers * WINDOW_PER_WORKER:
            future, done = window.popleft()
            yield future.result(), done
    while window:
        future, done = window.popleft()
        yield future.result(), done


def _mark_interrupted(organization: Organization) -> None:
    """Runs left "running" by a process of this host that no longer exists were killed."""
    host = socket.gethostname()
    for run in ImportRun.objects.filter(
        organization=organization, status=ImportRun.Status.RUNNING, host=host
    ):
        try:
            os.kill(run.pid or 0, 0)
        except ProcessLookupError:
            run.status = ImportRun.Status.INTERRUPTED
            run.save(update_fields=["status"])
        except PermissionError:
            continue


class _Importer:
    def __init__(
        self, run: ImportRun, console: Console | None, progress: bool, chunk_patients: int, workers: int
    ) -> None:
        self.run = run
        self.workers = workers
        self.tz = settings.TIME_ZONE
        self.console = console
        self.progress = progress
        self.chunk_patients = chunk_patients
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.issues: list[ImportIssue] = []
        self.rejected = 0

    # ------------------------------------------------------------ issues

    def reject(self, file: str, location: str, rtype: str, rid: str, errors: list[tuple[str, str]]) -> None:
        """One rejected resource (counted once), with an issue per problem found."""
        self.rejected += 1
        if rtype:
            self.counts[rtype]["rejected"] += 1
        for path, reason in errors:
            self.issue("error", file, location, rtype, rid, path, reason)

    def issue(
        self, severity: str, file: str, location: str, rtype: str, rid: str, path: str, reason: str
    ) -> None:
        self.issues.append(
            ImportIssue(
                run=self.run,
                severity=severity,
                file=file[-500:],
                location=location,
                resource_type=rtype[:64],
                resource_id=rid[:128],
                path=path[:300],
                reason=reason,
            )
        )
        if len(self.issues) >= ISSUE_BATCH:
            self.flush_issues()

    def flush_issues(self) -> None:
        ImportIssue.objects.bulk_create(self.issues)
        self.issues.clear()

    # ------------------------------------------------------------ pass 1

    def take(self, stage: _Stage, file: str, task: Task) -> None:
        staged, rows, aliases, others = task
        for rtype, n in staged.items():
            self.counts[rtype]["read"] += n
        stage.add(rows, aliases)
        for outcome in others:
            self.take_other(file, outcome)

    def take_other(self, file: str, outcome: tuple[Any, ...]) -> None:
        kind = outcome[0]
        if kind == "skipped":
            self.counts[outcome[1]]["read"] += 1
            self.counts[outcome[1]]["skipped"] += 1
        elif kind == "rejected":
            _, location, rtype, rid, errors = outcome
            if rtype:
                self.counts[rtype]["read"] += 1
            self.reject(file, location, rtype, rid, errors)
        else:
            _, location, rtype, rid, path, reason = outcome
            self.issue("warning", file, location, rtype, rid, path, reason)

    def read_all(self, files: list[InputFile], stage: _Stage, bar: _Progress) -> int:
        """Pass one: worker processes validate and map, this process stages, in read order."""
        bar.phase("Reading", sum(f.size for f in files) or 1)
        total_read = 0
        done_bytes = 0
        with _pool(self.workers) as pool:
            for f in files:
                name = str(f.path)
                for task, position in _ordered(pool, f, self.tz, self.workers):
                    self.take(stage, name, task)
                    total_read += sum(task[0].values()) + len(task[3])
                    bar.update(done_bytes + position, total_read)
                done_bytes += f.size
        stage.flush()
        return total_read

    # ------------------------------------------------------------ pass 2

    def write_all(self, stage: _Stage, bar: _Progress) -> None:
        staged = stage.staged_by_type()
        for rtype, mapped in self._mapped().items():
            self.counts[rtype]["duplicate"] += mapped - staged.get(rtype, 0)
        total = sum(staged.values())
        bar.phase("Writing", total or 1)
        written = 0
        results: Iterator[tuple[ChunkResult, int]]
        if _write_in_parallel():
            results = _parallel_writes(self.run.organization_id, stage.path, self.chunk_patients, WRITERS)
        else:
            writer = Writer(self.run.organization_id)
            chunks = _chunks(stage.by_patient(), self.chunk_patients)
            results = ((_write_chunk(writer, groups), size) for _, groups, size in chunks)
        for result, size in results:
            self._record(result)
            written += size
            bar.update(written, written)

    def _mapped(self) -> Counter[str]:
        return Counter({t: c["read"] - c["rejected"] - c["skipped"] for t, c in self.counts.items()})

    def _record(self, result: ChunkResult) -> None:
        for rtype, n in result.imported.items():
            self.counts[rtype]["imported"] += n
        for rtype, n in result.updated.items():
            self.counts[rtype]["updated"] += n
        for rtype, n in result.older.items():
            self.counts[rtype]["duplicate"] += n
        for severity, s, path, reason in result.issues:
            rid = s.sid.split("/", 1)[1] if s.sid.startswith(f"{s.rtype}/") else s.sid
            if severity == ImportIssue.Severity.ERROR:
                self.reject(s.file, s.location, s.rtype, rid, [(path, reason)])
            else:
                self.issue(severity, s.file, s.location, s.rtype, rid, path, reason)


def _write_chunk(writer: Writer, groups: dict[str, list[Staged]]) -> ChunkResult:
    with transaction.atomic():
        return writer.write(groups, clock.now())


def _write_in_parallel() -> bool:
    """Chunks go to several writer processes, each with its own connection. Not inside a caller's
    transaction (other connections could not see its uncommitted rows: the organization, in tests),
    nor into an in-memory SQLite database (other processes cannot open it)."""
    if connection.in_atomic_block:
        return False
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "postgresql" or not (name == ":memory:" or "mode=memory" in name)


def _write_part(
    stage_path: str,
    organization_id: int,
    chunk_patients: int,
    part: int,
    parts: int,
    results: Any,
    lock: Any,
    stop: Any,
) -> None:
    """A writer process: reads its share of the patients from the staging file and writes them in
    chunks numbered part, part + parts, part + 2 * parts, ..."""
    try:
        writer = Writer(organization_id)
        db = sqlite3.connect(stage_path)
        written = 0
        for number, groups, size in _chunks(_by_patient(db, part, parts), chunk_patients):
            if stop.is_set():
                break
            with lock or nullcontext():
                results.put(("chunk", number * parts + part, _write_chunk(writer, groups), size))
            written += 1
        results.put(("done", part, written, 0))
    except BaseException as exc:  # handed to the importing process, which raises it
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        results.put(("error", part, exc, 0))
    finally:
        connection.close()


def _parallel_writes(
    organization_id: int, stage_path: str, chunk_patients: int, parts: int
) -> Iterator[tuple[ChunkResult, int]]:
    """Write chunks in `parts` processes at once; results in chunk order.

    Each process reads and decodes its own chunks (the costly Python part) while another writes.
    On SQLite one writes at a time (a lock handed over without the busy-wait of SQLite's own), on
    PostgreSQL all at once, so the server works while Python prepares. Each chunk is its own
    transaction of whole patients, as in the serial path, so a failure leaves no half-written
    patient; chunks under way in other processes may still commit, and a rerun completes the job.
    """
    context = multiprocessing.get_context("fork")  # inherits Django's setup; connections are reopened
    results = context.Queue()
    lock = context.Lock() if connection.vendor == "sqlite" else None
    stop = context.Event()
    connection.close()  # a child must not share this process's connection
    processes = [
        context.Process(
            target=_write_part,
            args=(stage_path, organization_id, chunk_patients, part, parts, results, lock, stop),
            name=f"import-writer-{part}",
            daemon=True,
        )
        for part in range(parts)
    ]
    for process in processes:
        process.start()
    ready: dict[int, tuple[ChunkResult, int]] = {}
    finished: dict[int, int] = {}  # part → how many chunks it wrote
    taken = 0
    try:
        while len(finished) < parts:
            try:
                kind, key, outcome, size = results.get(timeout=1)
            except queue.Empty:
                if any(p.exitcode is not None for n, p in enumerate(processes) if n not in finished):
                    raise RuntimeError("an import writer process ended unexpectedly") from None
                continue
            if kind == "error":
                raise outcome
            if kind == "done":
                finished[key] = outcome
            else:
                ready[key] = (outcome, size)
            while ready:  # in chunk order, past the numbers of parts that had fewer chunks
                if taken in ready:
                    yield ready.pop(taken)
                elif finished.get(taken % parts, taken + 1) > taken // parts:
                    break
                taken += 1
    finally:
        stop.set()
        while any(process.is_alive() for process in processes):
            with suppress(queue.Empty):  # drained, so no child blocks on a full pipe while exiting
                results.get(timeout=0.1)
        for process in processes:
            process.join()


def import_paths(
    paths: list[Path],
    *,
    organization: Organization,
    actor: Any = None,
    source: str = "",
    console: Console | None = None,
    progress: bool = True,
    chunk_patients: int = 200,
    workers: int | None = None,
) -> ImportRun:
    """Import FHIR R4 Bundles and bulk-data NDJSON (files or directories, any mix) into `organization`.

    Returns the finished ImportRun; rejected resources are its `issues`. Raises if writing fails
    (the run is then marked failed; patients written before the failure stay whole). `workers`
    processes validate and map in parallel (default: one per CPU, up to 4; 1 = in this process;
    small inputs always run in this process).
    """
    _mark_interrupted(organization)
    files = discover([Path(p) for p in paths])
    run = ImportRun.objects.create(
        organization=organization,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        source=source,
        paths=[str(p) for p in paths],
        started_at=clock.now(),
        host=socket.gethostname(),
        pid=os.getpid(),
    )
    if workers is None:
        big = sum(f.size for f in files) > PARALLEL_BYTES
        workers = min(4, os.cpu_count() or 1) if big else 1
    importer = _Importer(run, console, progress, chunk_patients, workers)
    started = time.perf_counter()
    try:
        with (
            fewer_collections(),
            tempfile.TemporaryDirectory(prefix="carenav-import-") as tmp,
            _Progress(console, progress) as bar,
        ):
            stage = _Stage(tmp)
            try:
                run.resources_read = importer.read_all(files, stage, bar)
                importer.write_all(stage, bar)
            finally:
                stage.close()
    except BaseException as exc:
        importer.flush_issues()
        _finish(run, importer, started, ImportRun.Status.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    importer.flush_issues()
    _finish(run, importer, started, ImportRun.Status.COMPLETED, "")
    audit_record(
        actor=actor,
        action="import.run",
        object_type="importrun",
        object_id=run.pk,
        detail={"files": len(files), "read": run.resources_read, "rejected": run.rejected, "source": source},
    )
    if console is not None:
        console.print(summary_table(run))
    return run


def _finish(run: ImportRun, importer: _Importer, started: float, status: str, error: str) -> None:
    run.counts = {t: {k: c.get(k, 0) for k in COUNT_KEYS} for t, c in sorted(importer.counts.items())}
    run.rejected = importer.rejected
    run.status = status
    run.error = error
    run.finished_at = clock.now()
    run.duration_seconds = round(time.perf_counter() - started, 3)
    run.save()


def summary_table(run: ImportRun) -> Table:
    rate = run.resources_read / run.duration_seconds if run.duration_seconds else 0
    table = Table(
        title=f"Import {run.pk}: {run.get_status_display()} — {run.resources_read:,} resources in "
        f"{run.duration_seconds or 0:.1f}s ({rate:,.0f}/s)"
    )
    table.add_column("Resource type", no_wrap=True)
    for key in COUNT_KEYS:
        table.add_column(key.capitalize(), justify="right")
    totals: Counter[str] = Counter()
    for rtype, counts in run.counts.items():
        table.add_row(rtype, *(f"{counts.get(k, 0):,}" for k in COUNT_KEYS))
        totals.update(counts)
    table.add_row("Total", *(f"{totals.get(k, 0):,}" for k in COUNT_KEYS), style="bold")
    return table
