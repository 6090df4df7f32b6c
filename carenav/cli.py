"""`carenav`: the one command-line entry point.

Django-free subcommands (synth) run without touching the database; every other subcommand is a
Django management command of a carenav app (serve, demo, user, import, stratify, valueset...) or one
of Django's own (migrate, createsuperuser, shell, dbshell, check).
"""

import importlib
import os
import sys

DJANGO_FREE = {"synth": "carenav.synth.cli"}
DJANGO_BUILTINS = (
    "migrate",
    "createsuperuser",
    "changepassword",
    "shell",
    "dbshell",
    "check",
    "showmigrations",
)
LOCAL_HTTP_COMMANDS = {"demo"}  # serve plain HTTP on loopback, so cookies cannot require HTTPS


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
    import django

    django.setup()


def _print_help() -> None:
    _django_setup()
    from django.core.management import get_commands, load_command_class

    print(
        "carenav — care management platform\n\nUsage: carenav <command> [options]   (carenav <command> --help for details)\n"
    )
    rows: list[tuple[str, str]] = []
    for name, app in sorted(get_commands().items()):
        if app.startswith("carenav."):
            rows.append((name, load_command_class(app, name).help.strip().splitlines()[0]))
    for name, module in DJANGO_FREE.items():
        rows.append((name, (importlib.import_module(module).__doc__ or "").strip().splitlines()[0]))
    print("carenav commands:")
    for name, text in sorted(rows):
        print(f"  {name:<14} {text}")
    print("\nDjango commands that also work here: " + ", ".join(DJANGO_BUILTINS))
    print(
        "\nSettings come from the environment: DATABASE_URL (default: SQLite in ./var), SECRET_KEY, DEBUG, CARENAV_HOME."
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        _print_help()
        return 0
    command = args[0]
    if command in DJANGO_FREE:
        return int(importlib.import_module(DJANGO_FREE[command]).main(args[1:]) or 0)
    if command in LOCAL_HTTP_COMMANDS:
        os.environ.setdefault("CARENAV_HTTPS", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["carenav", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
