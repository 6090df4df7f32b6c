import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from carenav.accounts.models import Organization, User
from carenav.accounts.permissions import Role
from carenav.accounts.services import user_create


class Command(BaseCommand):
    help = "Manage staff accounts: create, list, set a password, deactivate."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a staff account (prints a generated password)")
        create.add_argument("username")
        create.add_argument("--org", required=True, help="organization slug")
        create.add_argument("--role", choices=Role.values, default=Role.CARE_MANAGER)
        create.add_argument("--discipline", choices=User.Discipline.values, default="")
        create.add_argument("--credential", action="append", default=[], help="e.g. CCM (repeatable)")
        create.add_argument("--language", action="append", default=[], help="e.g. es (repeatable)")
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument("--email", default="")
        create.add_argument("--staff", action="store_true", help="may use the admin (org admins)")
        listing = sub.add_parser("list", help="list staff accounts")
        listing.add_argument("--org", help="organization slug")
        password = sub.add_parser("set-password", help="set a new generated password")
        password.add_argument("username")
        deactivate = sub.add_parser("deactivate", help="disable sign-in (history is kept)")
        deactivate.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _create(self, options: dict[str, Any]) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organization with slug {options['org']!r}. Create it in the admin first.")
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"User {options['username']!r} already exists.")
        password = secrets.token_urlsafe(12)
        user_create(
            username=options["username"],
            password=password,
            organization=org,
            role=options["role"],
            discipline=options["discipline"],
            credentials=options["credential"],
            languages=options["language"] or ["en"],
            first_name=options["first_name"],
            last_name=options["last_name"],
            email=options["email"],
            is_staff=options["staff"],
        )
        self.stdout.write(f"Created {options['username']} ({options['role']}) in {org}. Password: {password}")

    def _list(self, options: dict[str, Any]) -> None:
        users = User.objects.select_related("organization").order_by("organization__name", "username")
        if options.get("org"):
            users = users.filter(organization__slug=options["org"])
        table = Table("username", "name", "organization", "role", "discipline", "credentials", "active")
        for u in users:
            table.add_row(
                u.username,
                u.get_full_name(),
                str(u.organization or "—"),
                u.role,
                u.discipline,
                ", ".join(u.credentials),
                "yes" if u.is_active else "no",
            )
        Console().print(table)

    def _get(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user

    def _set_password(self, options: dict[str, Any]) -> None:
        user = self._get(options["username"])
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        self.stdout.write(f"New password for {user.username}: {password}")

    def _deactivate(self, options: dict[str, Any]) -> None:
        user = self._get(options["username"])
        user.is_active = False
        user.save(update_fields=["is_active"])
        self.stdout.write(f"{user.username} can no longer sign in.")
