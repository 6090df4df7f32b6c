"""carenav programs: choose an organization's programs and rebuild its candidate queue."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from carenav.accounts.models import Organization
from carenav.core.errors import DomainError
from carenav.programs.definitions import load_programs
from carenav.programs.selectors import offered_programs
from carenav.programs.services import candidates_refresh, organization_program_set


def _codes(value: str | None) -> list[str]:
    if not value:
        return []
    if value == "all":
        return list(load_programs())
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if c not in load_programs()]
    if unknown:
        raise CommandError(f"unknown program(s) {', '.join(unknown)}; known: {', '.join(load_programs())}")
    return codes


class Command(BaseCommand):
    help = (
        "Show, enable or disable an organization's programs (--enable CCM,PCM or all) and rebuild its "
        "candidate queue from the latest risk run (--refresh)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--enable", help='comma-separated program codes, or "all"')
        parser.add_argument("--disable", help="comma-separated program codes")
        parser.add_argument("--refresh", action="store_true", help="rebuild the candidate queue")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console()
        organization = Organization.objects.filter(slug=opts["org"]).first()
        if organization is None:
            raise CommandError(f"no organization with slug {opts['org']!r}")
        for code in _codes(opts["enable"]):
            organization_program_set(actor=None, organization=organization, program_code=code, active=True)
        for code in _codes(opts["disable"]):
            organization_program_set(actor=None, organization=organization, program_code=code, active=False)
        offered = [p.code for p in offered_programs(organization)]
        console.print(f"{organization.name} runs: {', '.join(offered) or 'no programs'}")
        if not opts["refresh"]:
            return
        try:
            summary = candidates_refresh(actor=None, organization=organization)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        table = Table(title=f"Candidate queue from risk run #{summary.run_id}")
        table.add_column("Program")
        table.add_column("New candidates", justify="right")
        for code, count in summary.by_program.items():
            table.add_row(code, str(count))
        console.print(table)
        console.print(
            f"updated {summary.updated}, unchanged {summary.unchanged}, reopened {summary.reopened}, "
            f"closed (no longer eligible) {summary.closed_no_longer_eligible}, kept closed {summary.kept_closed}, "
            f"skipped (already enrolled) {summary.skipped_enrolled}"
        )
