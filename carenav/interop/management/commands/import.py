"""carenav import PATH... --org SLUG: FHIR R4 bundles and bulk NDJSON into an organization."""

import csv
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from carenav.accounts.models import Organization
from carenav.interop.models import ImportRun
from carenav.interop.services import import_paths

REPORT_FIELDS = ["severity", "file", "location", "resource_type", "resource_id", "path", "reason"]


class Command(BaseCommand):
    help = (
        "Import FHIR R4 Bundles (.json, .json.gz, .json.zst) and bulk-data exports (<Type>[.N].ndjson[.gz|.zst]) into an "
        "organization. Rejected resources are listed in the run's report (admin, or --report FILE)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="files or directories, in any mix")
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--source", default="", help="a label for where the data came from")
        parser.add_argument("--report", type=Path, help="also write the issues to FILE (.csv or .json)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organization = Organization.objects.get(slug=options["org"])
        except Organization.DoesNotExist as exc:
            raise CommandError(f"No organization with slug {options['org']!r}.") from exc
        out: Any = self.stdout._out
        console = Console(file=out, width=None if out.isatty() else 120)  # wide enough for the type names
        try:
            run = import_paths(
                options["paths"],
                organization=organization,
                source=options["source"],
                console=console,
                progress=not options["no_progress"],
            )
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        if options["report"]:
            write_report(run, options["report"])
            console.print(f"Report written to {options['report']}")
        if run.rejected:
            console.print(
                f"[yellow]{run.rejected:,} resources rejected[/]: see the report "
                f"(admin → FHIR import → Import runs → {run.pk})."
            )


def write_report(run: ImportRun, path: Path) -> None:
    issues = list(run.issues.values(*REPORT_FIELDS))
    if path.suffix == ".json":
        path.write_text(json.dumps({"run": run.pk, "counts": run.counts, "issues": issues}, indent=1))
        return
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REPORT_FIELDS)
        writer.writeheader()
        writer.writerows(issues)
