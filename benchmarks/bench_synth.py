"""Speed and memory of `carenav synth`: patients/s, resources/s, bytes written, peak RSS.

    python benchmarks/bench_synth.py                                  # 20k and 100k patients, 1 and all workers
    python benchmarks/bench_synth.py --patients 1000000 --workers 2   # the million-patient run
    python benchmarks/bench_synth.py --patients 100000 --compress gzip
    python benchmarks/bench_synth.py --prevalence 10000               # observed vs target prevalence table

Each configuration runs in a fresh process, so its peak RSS (the parent's, and the largest
worker's) is its own and shows whether memory stays flat as the population grows.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 24)


def run_one(patients: int, workers: int, compression: str | None, out: Path) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from carenav.synth.generate import generate

    started = time.perf_counter()
    counts = generate(out, patients=patients, seed=42, as_of=AS_OF, compression=compression, workers=workers)
    seconds = time.perf_counter() - started
    written = sum(p.stat().st_size for p in out.iterdir())
    own, workers_usage = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return {
        "seconds": seconds,
        # CPU time of the parent and its workers: what the run costs on idle cores, whatever else runs.
        "cpu_seconds": own.ru_utime + own.ru_stime + workers_usage.ru_utime + workers_usage.ru_stime,
        "resources": sum(counts.values()),
        "bytes": written,
        "rss_parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def prevalence_table(patients: int) -> None:
    """Generate ``patients`` patients and print observed vs target prevalence (Markdown)."""
    sys.path.insert(0, str(ROOT))
    import orjson

    from carenav.synth import catalog as cat
    from carenav.synth.generate import generate

    key_of = {
        (code.system, code.code): spec.key
        for spec in cat.CONDITIONS + cat.SOCIAL_NEEDS
        for variant in spec.variants
        for code in (variant.icd, variant.snomed)
        if code is not None
    }
    with tempfile.TemporaryDirectory(prefix="carenav-synth-prevalence-") as tmp:
        out = Path(tmp)
        generate(out, patients=patients, seed=20261124, as_of=AS_OF, resource_types=["Patient", "Condition"])
        band_of: dict[str, int] = {}
        for line in (out / "Patient.000.ndjson").read_bytes().splitlines():
            p = orjson.loads(line)
            birth = date.fromisoformat(p["birthDate"])
            age = AS_OF.year - birth.year - ((AS_OF.month, AS_OF.day) < (birth.month, birth.day))
            band_of[p["id"]] = next(i for i, (lo, hi) in enumerate(cat.AGE_BANDS) if lo <= age <= hi)
        has: set[tuple[str, str]] = set()
        for path in sorted(out.glob("Condition.*.ndjson")):
            for line in path.read_bytes().splitlines():
                c = orjson.loads(line)
                if c["category"][0]["coding"][0]["code"] == "problem-list-item":
                    coding = c["code"]["coding"][0]
                    has.add((c["subject"]["reference"][8:], key_of[(coding["system"], coding["code"])]))
    sizes = [sum(1 for b in band_of.values() if b == band) for band in range(len(cat.AGE_BANDS))]
    print(
        f"{patients:,} patients (seed 20261124, as of {AS_OF}); band sizes {sizes}. Cells: observed / target, %."
    )
    print("| Condition | All ages | " + " | ".join(cat.BAND_LABELS) + " |")
    print("|---|---|" + "---|" * len(cat.AGE_BANDS))
    for spec in cat.CONDITIONS + cat.SOCIAL_NEEDS:
        observed = [0] * len(cat.AGE_BANDS)
        for pid, band in band_of.items():
            observed[band] += (pid, spec.key) in has
        target = sum(s * p for s, p in zip(cat.BAND_SHARE, spec.prevalence, strict=True))
        cells = [
            f"{100 * o / n:.1f} / {100 * t:.1f}"
            for o, n, t in zip(observed, sizes, spec.prevalence, strict=True)
        ]
        overall = f"{100 * sum(observed) / patients:.1f} / {100 * target:.1f}"
        print(f"| {spec.label} | {overall} | " + " | ".join(cells) + " |")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from carenav.core.compression import CODECS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--workers", type=int, nargs="+", default=sorted({1, os.cpu_count() or 1}))
    parser.add_argument("--compress", choices=sorted(CODECS.values()), help="write .ndjson.gz or .ndjson.zst")
    parser.add_argument("--keep", help="write into this directory and keep the files (last run)")
    parser.add_argument(
        "--prevalence", type=int, metavar="N", help="print observed vs target prevalence for N patients"
    )
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.prevalence:
        prevalence_table(args.prevalence)
        return 0

    if args.one:  # a single measured run, in its own process
        out = Path(args.keep)
        print(json.dumps(run_one(args.patients[0], args.workers[0], args.compress, out)))
        return 0

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"carenav synth benchmark — {os.cpu_count()} CPUs (load {load}), as of {AS_OF}, seed 42, compression={args.compress}"
    )
    header = f"{'patients':>10} {'workers':>7} {'seconds':>8} {'patients/s':>11} {'resources/s':>12} "
    header += f"{'res/patient':>11} {'MB written':>10} {'RSS parent':>10} {'RSS worker':>10} {'CPU s':>7} "
    header += f"{'patients/CPU-s':>14}"
    print(header)
    for patients in args.patients:
        for workers in args.workers:
            out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="carenav-bench-synth-"))
            command = [
                sys.executable,
                __file__,
                "--one",
                "--patients",
                str(patients),
                "--workers",
                str(workers),
            ]
            command += ["--keep", str(out)] + (["--compress", args.compress] if args.compress else [])
            result = subprocess.run(command, check=True, capture_output=True, text=True)
            r = json.loads(result.stdout)
            if not args.keep:
                shutil.rmtree(out)
            worker_rss = f"{r['rss_worker_mb']:>8.0f}MB" if workers > 1 else f"{'-':>10}"
            print(
                f"{patients:>10,} {workers:>7} {r['seconds']:>8.1f} {patients / r['seconds']:>11,.0f} "
                f"{r['resources'] / r['seconds']:>12,.0f} {r['resources'] / patients:>11.1f} "
                f"{r['bytes'] / 1e6:>10,.0f} {r['rss_parent_mb']:>8.0f}MB {worker_rss} {r['cpu_seconds']:>7.0f} "
                f"{patients / r['cpu_seconds']:>14,.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
