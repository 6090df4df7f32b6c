"""`carenav instruments`: list the loaded instruments, or validate a directory of draft definitions."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carenav.assessments.definitions import INSTRUMENT_DIR, InstrumentDefinitionError, load_registry


class Command(BaseCommand):
    help = "List the assessment instruments, or check draft definition files (--check DIR) before deploying."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            type=Path,
            metavar="DIR",
            help="Validate the *.json definitions in DIR together with the shipped ones.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directories = [INSTRUMENT_DIR]
        if options["check"]:
            if not options["check"].is_dir():
                raise CommandError(f"{options['check']} is not a directory.")
            directories.append(options["check"])
        try:
            registry = load_registry(directories)
        except InstrumentDefinitionError as exc:
            raise CommandError(f"Invalid instrument definition: {exc}") from exc
        for instrument in registry:
            items = len(instrument.answerable_items())
            self.stdout.write(
                f"{instrument.id:24} v{instrument.version:8} {'/'.join(instrument.languages):6} "
                f"{items:3} items  {instrument.title}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(registry)} instruments valid."))
