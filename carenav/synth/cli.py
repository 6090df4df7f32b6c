"""Generate a deterministic synthetic population as a FHIR R4 bulk-data export (NDJSON per type).

Usage: carenav synth --patients 5000 --seed 42 --out var/synth [--as-of 2026-11-24] [--compress gzip|zstd]
"""

import argparse
import os
import sys
import time
from datetime import date

from carenav.core.compression import CODECS
from carenav.synth.generate import generate


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carenav synth",
        description=(
            "Write a synthetic adult primary-care / Medicare-Medicaid population as a FHIR R4 bulk-data "
            "export: <Type>.<chunk>.ndjson files that `carenav import` reads. The same seed, patient count "
            "and as-of day give byte-identical files, whatever the number of workers."
        ),
    )
    parser.add_argument("--patients", type=_positive, required=True, help="number of patients to generate")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--out", required=True, help="output directory (created if missing)")
    parser.add_argument(
        "--as-of",
        type=_day,
        default=None,
        help="the day the export is taken; all dates are relative to it (default: today)",
    )
    parser.add_argument(
        "--compress",
        choices=sorted(CODECS.values()),
        help="write .ndjson.gz (gzip, what bulk exports usually carry) or .ndjson.zst (zstd: smaller, "
        "and read about twice as fast by carenav import and carenav stratify)",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=os.cpu_count() or 1,
        help="worker processes (default: number of CPUs)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    as_of = args.as_of or date.today()
    started = time.perf_counter()
    if args.quiet:
        generate(
            args.out,
            patients=args.patients,
            seed=args.seed,
            as_of=as_of,
            compression=args.compress,
            workers=args.workers,
        )
        return 0

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    err = Console(stderr=True)
    columns = (
        TextColumn("[bold]synth[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("patients"),
        TextColumn("{task.fields[rate]:>8,.0f} patients/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("synth", total=args.patients, rate=0.0)
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            elapsed = max(time.perf_counter() - started, 1e-9)
            bar.update(task, advance=n, rate=done / elapsed)

        counts = generate(
            args.out,
            patients=args.patients,
            seed=args.seed,
            as_of=as_of,
            compression=args.compress,
            workers=args.workers,
            progress=advance,
        )
    elapsed = time.perf_counter() - started
    total = sum(counts.values())
    table = Table(title=f"Synthetic population: {args.patients:,} patients, seed {args.seed}, as of {as_of}")
    table.add_column("Resource type")
    table.add_column("Resources", justify="right")
    table.add_column("Per patient", justify="right")
    for resource_type, count in counts.items():
        table.add_row(resource_type, f"{count:,}", f"{count / args.patients:.2f}")
    table.add_row("[bold]Total[/bold]", f"[bold]{total:,}[/bold]", f"{total / args.patients:.2f}")
    Console().print(table)
    err.print(
        f"Wrote {args.out} in {elapsed:.1f} s: {args.patients / elapsed:,.0f} patients/s, "
        f"{total / elapsed:,.0f} resources/s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
