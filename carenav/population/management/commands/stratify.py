"""carenav stratify: risk-stratify an organization (stored) or a file population (exported)."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from carenav.accounts.models import Organization
from carenav.analytics.export import stratify_to_parquet
from carenav.analytics.pipeline import ENGINES
from carenav.core import clock
from carenav.core.errors import DomainError
from carenav.population.selectors import tier_distribution
from carenav.population.services import stratify_organization


class Command(BaseCommand):
    help = (
        "Risk-stratify patients. With --org (or, for --engine db, every organization) the results are "
        "stored as a risk run; --engine duckdb|pyspark --source DIR without --org exports them (--out)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="organization slug (default for --engine db: every organization)")
        parser.add_argument("--engine", choices=ENGINES, default="db")
        parser.add_argument(
            "--source",
            help="directory of FHIR bulk NDJSON (.ndjson, .ndjson.gz or .ndjson.zst) or normalized Parquet",
        )
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--config", help="priority configuration JSON (default: priority-v1)")
        parser.add_argument(
            "--out", default="stratification.parquet", help="Parquet file for exported results"
        )
        parser.add_argument("--memory-limit", help="DuckDB memory limit, e.g. 3GB")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(stderr=True)
        as_of = opts["as_of"] or clock.today()
        engine = opts["engine"]
        if engine != "db" and not opts["source"]:
            raise CommandError(f"--engine {engine} needs --source DIR")
        if engine != "db" and not opts["org"]:
            self._export(console, engine, opts, as_of)
            return
        if opts["org"]:
            organizations = list(Organization.objects.filter(slug=opts["org"]))
            if not organizations:
                raise CommandError(f"no organization with slug {opts['org']!r}")
        else:
            organizations = list(Organization.objects.order_by("slug"))
        for organization in organizations:
            with console.status(f"Stratifying {organization.slug}…") as status:

                def progress(n: int, status: Any = status, slug: str = organization.slug) -> None:
                    status.update(f"Stratifying {slug}: {n:,} patients scored")

                try:
                    run = stratify_organization(
                        actor=None,
                        organization=organization,
                        engine=engine,
                        as_of=as_of,
                        source=opts["source"],
                        config=opts["config"],
                        progress=progress,
                    )
                except DomainError as exc:
                    raise CommandError(exc.message) from exc
            tiers = Counter({row["tier"]: row["count"] for row in tier_distribution(run)})
            self._summary(
                console,
                f"{organization.slug}: run #{run.pk}",
                run.population_size,
                tiers,
                run.duration_seconds or 0.0,
            )

    def _export(self, console: Console, engine: str, opts: dict[str, Any], as_of: dt.date) -> None:
        out = Path(opts["out"])
        started = time.perf_counter()
        with console.status(f"Stratifying {opts['source']} on {engine}…") as status:
            summary = stratify_to_parquet(
                engine,
                opts["source"],
                out,
                as_of=as_of,
                config=opts["config"],
                memory_limit=opts["memory_limit"],
                progress=status.update,
            )
        self._summary(
            console,
            f"{engine} over {opts['source']} → {out}",
            summary.population_size,
            summary.tiers,
            time.perf_counter() - started,
        )

    def _summary(self, console: Console, title: str, size: int, tiers: Counter[int], seconds: float) -> None:
        table = Table(title=title)
        table.add_column("Tier", justify="right")
        table.add_column("Patients", justify="right")
        table.add_column("Share", justify="right")
        for tier in sorted(tiers):
            table.add_row(str(tier), f"{tiers[tier]:,}", f"{100 * tiers[tier] / max(size, 1):.1f} %")
        console.print(table)
        self.stdout.write(f"{size:,} patients stratified in {seconds:.2f} s")
