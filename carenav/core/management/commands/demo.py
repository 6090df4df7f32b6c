import secrets
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from carenav.accounts.models import Organization, User
from carenav.accounts.permissions import Role
from carenav.accounts.services import user_create
from carenav.core.demo import load_demo_population

DEMO_ORG = ("riverside", "Riverside Community Health", Organization.Kind.CLINIC)
OTHER_ORG = ("lakeside", "Lakeside Health Plan", Organization.Kind.HEALTH_PLAN)
DEMO_STAFF = [
    # username, first, last, role, discipline, credentials, languages, staff
    ("nina", "Nina", "Okafor", Role.CARE_MANAGER, "RN", ["CCM"], ["en"], False),
    ("luis", "Luis", "Herrera", Role.CARE_MANAGER, "LCSW", [], ["en", "es"], False),
    ("sam", "Sam", "Whitfield", Role.SUPERVISOR, "RN", ["CCM"], ["en"], False),
    ("ada", "Ada", "Lindqvist", Role.ORG_ADMIN, "admin", [], ["en"], True),
    ("audrey", "Audrey", "Cole", Role.AUDITOR, "", [], ["en"], False),
]


class Command(BaseCommand):
    help = "Set up a demo carenav (organization, staff, a synthetic population) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients", type=int, default=2000, help="size of the demo population (default 2000)"
        )
        parser.add_argument("--seed", type=int, default=7, help="seed for the synthetic population")
        parser.add_argument("--no-serve", action="store_true", help="set up only; do not start the server")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console()
        console.print("[bold]carenav demo[/bold] — migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        org, _ = Organization.objects.get_or_create(
            slug=DEMO_ORG[0], defaults={"name": DEMO_ORG[1], "kind": DEMO_ORG[2]}
        )
        Organization.objects.get_or_create(
            slug=OTHER_ORG[0], defaults={"name": OTHER_ORG[1], "kind": OTHER_ORG[2]}
        )
        table = Table("username", "password", "role", "discipline", title=f"Staff of {org.name}")
        for username, first, last, role, discipline, credentials, languages, staff in DEMO_STAFF:
            password = secrets.token_urlsafe(9)
            user = User.objects.filter(username=username).first()
            if user is None:
                user_create(
                    username=username,
                    password=password,
                    organization=org,
                    role=role,
                    first_name=first,
                    last_name=last,
                    discipline=discipline,
                    credentials=credentials,
                    languages=languages,
                    is_staff=staff,
                )
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            table.add_row(username, password, Role(role).label, discipline)
        load_demo_population(org, patients=options["patients"], seed=options["seed"], console=console)
        console.print(table)
        port = options["port"]
        console.print(f"Passwords are new on every run of the demo. Sign in at http://127.0.0.1:{port}/")
        if not options["no_serve"]:
            call_command("serve", port=options["port"], no_migrate=True)
