"""FHIR import throughput, end to end (read, validate, map, write), on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_import.py [--patients 10000] [--backends sqlite,postgres] [--repeat 3]
    .venv/bin/python benchmarks/bench_import.py --write-passes 3   # pass two (the writes) alone

Generates (once, cached under var/bench/) a carenav synth population as bulk NDJSON, imports it
into a fresh SQLite file and a fresh PostgreSQL cluster (tools/with_postgres.py), each in its own
process, and prints resources/s, peak RSS and CPU-seconds (the importer's processes; on PostgreSQL
also the server's, which shares the machine). In the same run it measures plain fhir.resources
(pydantic, R4B classes) validation of a sample of the same files, per resource, and prints the ratio.
A smaller population is imported too, to show that peak memory does not grow with the input.
"""

import argparse
import datetime as dt
import gzip
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def population(patients: int, seed: int) -> Path:
    from carenav.synth.generate import generate

    out = REPO / "var" / "bench" / f"synth-{patients}-seed{seed}"
    marker = out / ".complete"
    if not marker.exists():
        generate(out, patients=patients, seed=seed, as_of=dt.date(2026, 11, 1), workers=os.cpu_count() or 1)
        marker.write_text("ok")
    return out


def resources_in(directory: Path) -> int:
    total = 0
    for path in directory.glob("*.ndjson*"):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as handle:
            total += sum(1 for line in handle if line.strip())
    return total


def fhir_resources_rate(directory: Path, sample: int) -> tuple[int, float, float]:
    """Plain fhir.resources validation, one resource at a time, over every k-th line of each file."""
    import orjson

    from carenav.interop.fhirspec import validate_resource

    total = resources_in(directory)
    step = max(1, total // sample)
    lines: list[bytes] = []
    for path in sorted(directory.glob("*.ndjson*")):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as handle:
            lines.extend(line for number, line in enumerate(handle) if number % step == 0)
    classes = {}
    for line in lines:  # import the classes first: their one-off set-up is not validation
        rtype = orjson.loads(line)["resourceType"]
        classes[rtype] = getattr(importlib.import_module(f"fhir.resources.R4B.{rtype.lower()}"), rtype)
    started, cpu = time.perf_counter(), time.process_time()
    for line in lines:
        data = orjson.loads(line)
        classes[data["resourceType"]].model_validate(data)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    ours_cpu = time.process_time()
    for line in lines:
        assert not validate_resource(orjson.loads(line))
    ours_cpu = time.process_time() - ours_cpu
    print(
        f"carenav's validator on the same sample: {len(lines) / ours_cpu:,.0f} per CPU-second"
        f" ({cpu / ours_cpu:.1f}x fhir.resources)"
    )
    return len(lines), len(lines) / wall, len(lines) / cpu


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the import's worker processes)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().rsplit(")", 1)[1].split()  # state, ppid, ... utime [11], stime, cutime, cstime


def _server_cpu(postmaster: int) -> float | None:
    """CPU seconds of the local PostgreSQL server `postmaster` leads: its own, its ended processes'
    (reaped: the writers' backends) and those still running; None if /proc has no say. Counted from
    the postmaster, so another cluster on the machine is not included."""
    try:
        ticks = sum(int(v) for v in _stat(postmaster)[11:15])
        for pid in filter(str.isdigit, os.listdir("/proc")):
            with suppress(OSError):  # ended meanwhile
                fields = _stat(int(pid))
                if int(fields[1]) == postmaster:
                    ticks += int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def _setup() -> tuple[Any, int | None]:
    """In a fresh database (DATABASE_URL set by the parent): migrate; the organization to import
    into and the PostgreSQL postmaster's pid (None on SQLite or a server on another machine)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from carenav.accounts.models import Organization

    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Bench", slug="bench")
    postmaster = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (backend,) = cursor.fetchone()
        with suppress(OSError):
            postmaster = int(_stat(backend)[1])
    return org, postmaster


def _server_delta(postmaster: int | None, before: float | None) -> float | None:
    after = _server_cpu(postmaster) if postmaster else None
    return after - before if after is not None and before is not None else None


def write_passes(directory: Path, runs: int) -> None:
    """Pass two alone, `runs` times: stage the input once, then write it into emptied tables each
    time; one JSON line per run (wall seconds, CPU-seconds of the importer and its writer
    processes, and of the PostgreSQL server). Uses the importer's internals, as only a benchmark may."""
    org, postmaster = _setup()
    from django.db import connection

    from carenav.core import clock
    from carenav.interop import services
    from carenav.interop.models import ImportRun
    from carenav.interop.writer import MODELS

    files = services.discover([directory])
    run = ImportRun.objects.create(organization=org, started_at=clock.now())
    importer = services._Importer(run, None, False, 200, min(4, os.cpu_count() or 1))
    bar = services._Progress(None, False)
    with tempfile.TemporaryDirectory(prefix="carenav-bench-stage-") as tmp:
        stage = services._Stage(tmp)
        read = importer.read_all(files, stage, bar)
        for number in range(runs):
            if number and connection.vendor == "postgresql":  # new, empty files, as in a fresh database
                tables = [model._meta.db_table for model in MODELS.values()]
                with connection.cursor() as cursor:
                    cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            elif number:  # a new database file: one whose rows were deleted writes into free pages
                connection.close()
                Path(connection.settings_dict["NAME"]).unlink()
                org, _ = _setup()
                importer.run = ImportRun.objects.create(organization=org, started_at=clock.now())
            connection.close()  # the writer processes must not share it
            server_before = _server_cpu(postmaster) if postmaster else None
            cpu_before = _cpu()
            started = time.perf_counter()
            importer.write_all(stage, bar)
            seconds = time.perf_counter() - started
            print(
                json.dumps(
                    {
                        "vendor": connection.vendor,
                        "resources": read,
                        "seconds": seconds,
                        "cpu_seconds": _cpu() - cpu_before,
                        "server_cpu_seconds": _server_delta(postmaster, server_before),
                    }
                ),
                flush=True,
            )
        stage.close()


def worker(directory: Path) -> None:
    """Import into a fresh database (DATABASE_URL set by the parent) and report JSON."""
    org, postmaster = _setup()
    from django.db import connection

    from carenav.interop.services import import_paths

    server_before = _server_cpu(postmaster) if postmaster else None
    cpu_before = _cpu()
    started = time.perf_counter()
    run = import_paths([directory], organization=org, progress=False)
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu_before
    server_cpu = _server_delta(postmaster, server_before)
    peak_kib = max(
        resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "read": run.resources_read,
                "rejected": run.rejected,
                "seconds": seconds,
                "rate": run.resources_read / seconds,
                "cpu_seconds": cpu,
                "server_cpu_seconds": server_cpu,
                "peak_rss_mib": peak_kib / 1024,
            }
        )
    )


def _run_in(backend: str, command: list[str]) -> list[dict[str, Any]]:
    """Run a worker command against a fresh database of `backend`; the JSON lines it printed."""
    with tempfile.TemporaryDirectory(prefix="carenav-bench-") as home:
        env = {**os.environ, "CARENAV_HOME": home}
        if backend == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{home}/bench.sqlite3"
        else:
            env.pop("DATABASE_URL", None)
            command = [sys.executable, str(REPO / "tools" / "with_postgres.py"), "--", *command]
        done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def measure(backend: str, directory: Path) -> dict[str, Any]:
    return _run_in(backend, [sys.executable, __file__, "--worker", str(directory)])[-1]


def measure_write_passes(backends: list[str], directory: Path, runs: int) -> None:
    for backend in backends:
        results = _run_in(
            backend, [sys.executable, __file__, "--write-passes", str(runs), "--worker", str(directory)]
        )
        for result in results:
            server = result["server_cpu_seconds"]
            print(
                f"{backend:<9} pass two alone: {result['resources']:,} resources in {result['seconds']:.2f}s,"
                f" importer + writer processes CPU {result['cpu_seconds']:.2f}s"
                + (f", PostgreSQL server CPU {server:.2f}s" if server is not None else "")
            )
        median = statistics.median(r["seconds"] for r in results)
        print(f"{backend:<9} pass two alone: median {median:.2f}s of {len(results)} runs")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="a smaller population, for the memory check")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--validate-sample", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=1, help="imports per backend and size; medians printed")
    parser.add_argument(
        "--write-passes",
        type=int,
        default=0,
        metavar="N",
        help="instead: stage the large population once per backend and time only pass two, N times",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        if args.write_passes:
            write_passes(args.worker, args.write_passes)
        else:
            worker(args.worker)
        return
    large = population(args.patients, args.seed)
    if args.write_passes:
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        measure_write_passes(args.backends.split(","), large, args.write_passes)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        return
    small = population(args.small, args.seed)
    print(f"population: {args.patients:,} patients, {resources_in(large):,} resources ({large})")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    sampled, validation_rate, validation_cpu_rate = fhir_resources_rate(large, args.validate_sample)
    print(
        f"fhir.resources validation alone: {validation_rate:,.0f} resources/s wall,"
        f" {validation_cpu_rate:,.0f} per CPU-second ({sampled:,} sampled)"
    )
    rates: dict[str, list[float]] = {}
    for _ in range(args.repeat):  # backends alternate, so a burst of other work hits both alike
        for backend in args.backends.split(","):
            for label, directory in ((f"{args.small:,}", small), (f"{args.patients:,}", large)):
                result = measure(backend, directory)
                rates.setdefault(f"{backend:<9} {label:>7} patients", []).append(result["rate"])
                print(
                    f"{backend:<9} {label:>7} patients: {result['read']:>9,} resources in {result['seconds']:6.1f}s"
                    f" = {result['rate']:>7,.0f}/s end to end, {result['rejected']} rejected,"
                    f" peak RSS {result['peak_rss_mib']:.0f} MiB,"
                    f" {result['rate'] / validation_rate:.1f}x fhir.resources validation alone;"
                    f" importer process + workers CPU {result['cpu_seconds']:.1f}s"
                    f" = {result['read'] / result['cpu_seconds']:,.0f} resources per CPU-second"
                    f" ({result['read'] / result['cpu_seconds'] / validation_cpu_rate:.1f}x fhir.resources per CPU-second)"
                    + (
                        f"; PostgreSQL server CPU {result['server_cpu_seconds']:.1f}s"
                        if result.get("server_cpu_seconds") is not None
                        else ""
                    )
                )
    if args.repeat > 1:
        for key, values in rates.items():
            median = statistics.median(values)
            print(
                f"{key}: median {median:,.0f}/s of {len(values)} runs"
                f" ({', '.join(f'{v:,.0f}' for v in values)}), {median / validation_rate:.1f}x fhir.resources"
            )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
